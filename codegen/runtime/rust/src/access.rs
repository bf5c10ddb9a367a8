//! Field accessors of generated viewers: each takes the viewer's bytes (a table's exactly
//! `stored size` bytes, or an inline struct's bytes) and the field's layout numbers.
//!
//! A field is present iff its whole slot (`offset .. offset + field size`) lies inside the
//! viewer's bytes — for tables that is upstream's `offset + size > stored size` test — and
//! an absent field reads as its default. Nothing here panics.

use crate::{view, Primitive, Reader, Slice, Str, StructSlice, View};

/// `len` bytes of `bytes` at `offset`, if they are all there.
#[inline(always)]
pub fn slot(bytes: &[u8], offset: u32, len: u32) -> Option<&[u8]> {
    let start = offset as usize;
    bytes.get(start..start.checked_add(len as usize)?)
}

/// A primitive or enum field at `offset` (default when absent).
#[inline(always)]
pub fn scalar<T: Primitive>(bytes: &[u8], offset: u32) -> T {
    match bytes.get(offset as usize..) {
        Some(rest) => T::load(rest),
        None => T::default(),
    }
}

/// A fixed array `[N]T` of primitives at `offset`: `n` elements, or none when the slot is
/// not complete (arrays are all-or-nothing).
#[inline]
pub fn array<'a, T: Primitive>(bytes: &'a [u8], offset: u32, n: u32) -> Slice<'a, T> {
    let size = u64::from(n).saturating_mul(u64::from(T::SIZE));
    match u32::try_from(size)
        .ok()
        .and_then(|size| slot(bytes, offset, size))
    {
        Some(data) => Slice::new(data),
        None => Slice::empty(),
    }
}

/// A fixed array `[N]S` of inline structs at `offset` (all-or-nothing).
#[inline]
pub fn struct_array<'a, V: View<'a>>(
    reader: Reader<'a>,
    bytes: &'a [u8],
    offset: u32,
    n: u32,
) -> StructSlice<'a, V> {
    let size = u64::from(n).saturating_mul(u64::from(V::TOTAL));
    match u32::try_from(size)
        .ok()
        .and_then(|size| slot(bytes, offset, size))
    {
        Some(data) => StructSlice::new(reader, data),
        None => StructSlice::empty(),
    }
}

/// An inline struct field at `offset` (the null viewer when its slot is not complete).
#[inline(always)]
pub fn inline<'a, V: View<'a>>(reader: Reader<'a>, bytes: &'a [u8], offset: u32) -> V {
    match slot(bytes, offset, V::TOTAL) {
        Some(data) => V::from_parts(reader, data),
        None => V::null(),
    }
}

/// A table field: the `u32` offset at `offset`, then [`view`] (the null viewer when the
/// field is absent — also inside a null inline viewer, where upstream would read the root).
#[inline(always)]
pub fn table<'a, V: View<'a>>(reader: Reader<'a>, bytes: &'a [u8], offset: u32) -> V {
    match slot(bytes, offset, 4) {
        Some(word) => view(reader, u32::load(word)),
        None => V::null(),
    }
}

/// The element bytes of a slice field whose header (8 bytes packed, 12 not packed) is at
/// `offset`: `count = byte length / element size` (0 for zero-size elements), cut to
/// `limit` for `[<N]T`; empty when the header is absent or the data is outside the message.
/// The third header word (non-packed element size) is ignored, as by every reader.
#[inline(always)]
pub fn slice_data<'a>(
    reader: Reader<'a>,
    bytes: &'a [u8],
    offset: u32,
    header: u32,
    element_size: u32,
    limit: Option<u32>,
) -> &'a [u8] {
    let Some(head) = slot(bytes, offset, header) else {
        return &[];
    };
    let at = u32::load(head);
    let len = match head.get(4..) {
        Some(rest) => u32::load(rest),
        None => 0,
    };
    let Some(data) = reader.bytes_at(at, len) else {
        return &[];
    };
    let mut count = len.checked_div(element_size).unwrap_or(0);
    if let Some(limit) = limit {
        count = count.min(limit);
    }
    // count * element_size <= len: no overflow.
    let used = (count as usize).saturating_mul(element_size as usize);
    data.get(..used).unwrap_or(&[])
}

/// A slice or limited slice of primitives/enums (see [`slice_data`]).
#[inline]
pub fn slice<'a, T: Primitive>(
    reader: Reader<'a>,
    bytes: &'a [u8],
    offset: u32,
    header: u32,
    limit: Option<u32>,
) -> Slice<'a, T> {
    Slice::new(slice_data(reader, bytes, offset, header, T::SIZE, limit))
}

/// A `[]char` / `[<N]char` field (see [`slice_data`]; the limit counts bytes).
#[inline]
pub fn string<'a>(
    reader: Reader<'a>,
    bytes: &'a [u8],
    offset: u32,
    header: u32,
    limit: Option<u32>,
) -> Str<'a> {
    Str::new(slice_data(reader, bytes, offset, header, 1, limit))
}

/// A slice or limited slice of inline structs (see [`slice_data`]).
#[inline]
pub fn struct_slice<'a, V: View<'a>>(
    reader: Reader<'a>,
    bytes: &'a [u8],
    offset: u32,
    header: u32,
    limit: Option<u32>,
) -> StructSlice<'a, V> {
    StructSlice::new(
        reader,
        slice_data(reader, bytes, offset, header, V::TOTAL, limit),
    )
}

/// The stored size of a table viewer (its byte count; 0 for the null viewer).
#[inline]
pub fn table_size(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.len()).unwrap_or(u32::MAX)
}
