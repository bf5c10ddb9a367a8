//! Helpers of generated `read` methods (viewer → native struct), reusing the native
//! value's allocations.

use crate::{Primitive, Slice, Str, StructSlice, Vec, View};

/// `[N]T` of primitives: the first `src.len()` elements from `src`, the rest default.
#[inline]
pub fn array<T: Primitive, const N: usize>(dst: &mut [T; N], src: Slice<'_, T>) {
    let mut values = src.iter();
    for x in dst.iter_mut() {
        *x = values.next().unwrap_or_default();
    }
}

/// `[]S` / `[<N]S`: `dst` resized to `src.len()` (existing elements are read in place, so
/// their own vectors and strings keep their capacity), every element read with `read`.
#[inline]
pub fn struct_vec<'a, T: Default, V: View<'a>>(
    dst: &mut Vec<T>,
    src: StructSlice<'a, V>,
    mut read: impl FnMut(&mut T, V),
) {
    dst.truncate(src.len());
    let mut views = src.iter();
    for x in dst.iter_mut() {
        match views.next() {
            Some(v) => read(x, v),
            None => read(x, V::null()),
        }
    }
    dst.reserve(views.len());
    for v in views {
        let mut x = T::default();
        read(&mut x, v);
        dst.push(x);
    }
}

/// `[N]S`: the first `src.len()` elements read from `src`, the rest reset (read from the
/// null viewer, keeping allocations).
#[inline]
pub fn struct_array<'a, T, V: View<'a>, const N: usize>(
    dst: &mut [T; N],
    src: StructSlice<'a, V>,
    mut read: impl FnMut(&mut T, V),
) {
    let mut views = src.iter();
    for x in dst.iter_mut() {
        match views.next() {
            Some(v) => read(x, v),
            None => read(x, V::null()),
        }
    }
}

/// `[]char` / `[<N]char`: `dst` replaced by the text (see [`Str::read_into`]).
#[inline]
pub fn string(dst: &mut crate::String, src: Str<'_>) {
    src.read_into(dst);
}

/// `[]T` / `[<N]T` of primitives: `dst` replaced by the elements (see [`Slice::read_into`]).
#[inline]
pub fn vec<T: Primitive>(dst: &mut Vec<T>, src: Slice<'_, T>) {
    src.read_into(dst);
}
