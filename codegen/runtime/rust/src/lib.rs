//! Runtime for Rust code generated from [Karmem](https://karmem.org) schemas by
//! `karmem build --rust` (karmem-lsp).
//!
//! * [`Writer`] — the bump allocator messages are written into (growable, or bounded with
//!   [`Writer::with_limit`]); fresh bytes are always zero, so padding is deterministic.
//! * [`Reader`] — a message buffer; generated viewers (`XViewer<'a>`) borrow from it.
//! * [`Slice`], [`StructSlice`], [`Str`] — zero-copy, bounds-checked views of arrays,
//!   slices and strings inside a message.
//! * [`Primitive`] and [`View`] — the traits generated enums and viewers implement.
//!
//! Reading never fails and never panics: whatever is out of bounds reads as its default,
//! exactly as every upstream Karmem reader does (a struct outside the buffer is a "null
//! viewer", a table field beyond the table's stored size is absent, a slice outside the
//! buffer is empty, limited slices are cut to their limit). The crate has no `unsafe` code
//! and no dependencies, and works with `#![no_std]` + `alloc`.
//!
//! The functions of [`access`] and [`decode`] are the building blocks generated code
//! calls; they are public so that hand-written code can read messages the same way.

#![no_std]
#![forbid(unsafe_code)]
#![deny(
    missing_docs,
    clippy::indexing_slicing,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

extern crate alloc;

#[cfg(test)]
extern crate std;

pub use alloc::string::String;
pub use alloc::vec::Vec;

use core::fmt;
use core::iter::FusedIterator;
use core::marker::PhantomData;
use core::slice::ChunksExact;

pub mod access;
pub mod decode;

// ---------------------------------------------------------------------------------------
// Errors

/// Why a message could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteError {
    /// A bounded writer ([`Writer::with_limit`]) would have to grow past its limit.
    OutOfSpace {
        /// The length the message would need.
        needed: u64,
        /// The writer's limit.
        limit: usize,
    },
    /// The message would exceed the format's limit of `u32::MAX` bytes (offsets are 32-bit).
    TooLarge,
    /// [`Writer::check_allocated`] (and so `write_at`) was given a range that was not
    /// allocated.
    InvalidOffset {
        /// The start of the range.
        offset: u32,
        /// Its length.
        size: u32,
    },
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::OutOfSpace { needed, limit } => write!(
                f,
                "the message needs {needed} bytes, more than the writer's limit of {limit}"
            ),
            WriteError::TooLarge => f.write_str("the message would exceed 4294967295 bytes"),
            WriteError::InvalidOffset { offset, size } => write!(
                f,
                "{size} bytes at offset {offset} were not allocated in this writer"
            ),
        }
    }
}

impl core::error::Error for WriteError {}

/// A limited slice (`[<N]T`) holds more than `N` elements (or a limited string more than
/// `N` bytes). Writers do not truncate (upstream behaviour); readers keep the first `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitError {
    /// `Struct.Field` as written in the schema.
    pub field: &'static str,
    /// The limit `N`.
    pub limit: u32,
    /// The actual number of elements (bytes for strings).
    pub len: usize,
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` holds {} elements, more than its limit of {}",
            self.field, self.len, self.limit
        )
    }
}

impl core::error::Error for LimitError {}

/// Decoding would allocate more than the budget given to `read_as_root_with_budget`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetExceeded;

impl fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("decoding the message would exceed its memory budget")
    }
}

impl core::error::Error for BudgetExceeded {}

/// A decoding budget in bytes of native memory (see `read_as_root_with_budget` in
/// generated code). Every slice and string is charged its decoded size and every struct
/// visited at least one unit, so checking a budget of `n` costs at most `O(n)` work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    remaining: u64,
}

impl Budget {
    /// A budget of `bytes`.
    pub fn new(bytes: u64) -> Budget {
        Budget { remaining: bytes }
    }

    /// What is left.
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Spends `units`, or fails when fewer are left.
    #[inline]
    pub fn charge(&mut self, units: u64) -> Result<(), BudgetExceeded> {
        match self.remaining.checked_sub(units) {
            Some(rest) => {
                self.remaining = rest;
                Ok(())
            }
            None => {
                self.remaining = 0;
                Err(BudgetExceeded)
            }
        }
    }

    /// Spends `count` elements of `size` bytes each (at least one unit).
    #[inline]
    pub fn charge_elements(&mut self, count: usize, size: usize) -> Result<(), BudgetExceeded> {
        let bytes = (count as u64).saturating_mul(size as u64).max(1);
        self.charge(bytes)
    }
}

// ---------------------------------------------------------------------------------------
// Primitive

/// A fixed-size little-endian value: the integers, floats, `bool`, and generated enums.
///
/// `load` never panics: a slice shorter than [`Primitive::SIZE`] loads the default.
pub trait Primitive: Copy + Default {
    /// Size in bytes on the wire.
    const SIZE: u32;
    /// The value in the first `SIZE` bytes of `bytes` (little-endian), or the default
    /// when `bytes` is shorter.
    fn load(bytes: &[u8]) -> Self;
    /// Stores the value in the first `SIZE` bytes of `out` (nothing if `out` is shorter).
    fn store(self, out: &mut [u8]);

    /// Replaces the contents of `dst` with the elements stored back to back in `bytes`
    /// (a trailing partial element is ignored). Keeps `dst`'s capacity.
    #[inline]
    fn load_into_vec(dst: &mut Vec<Self>, bytes: &[u8]) {
        dst.clear();
        let size = (Self::SIZE as usize).max(1);
        dst.extend(bytes.chunks_exact(size).map(Self::load));
    }

    /// Stores `values` back to back into `out` (as many as fit).
    #[inline]
    fn store_slice(values: &[Self], out: &mut [u8]) {
        let size = (Self::SIZE as usize).max(1);
        for (value, chunk) in values.iter().zip(out.chunks_exact_mut(size)) {
            value.store(chunk);
        }
    }
}

macro_rules! primitive {
    ($($t:ty),*) => {$(
        impl Primitive for $t {
            const SIZE: u32 = core::mem::size_of::<$t>() as u32;
            #[inline(always)]
            fn load(bytes: &[u8]) -> Self {
                match bytes.get(..core::mem::size_of::<$t>()) {
                    Some(b) => match b.try_into() {
                        Ok(array) => <$t>::from_le_bytes(array),
                        Err(_) => Default::default(),
                    },
                    None => Default::default(),
                }
            }
            #[inline(always)]
            fn store(self, out: &mut [u8]) {
                if let Some(dst) = out.get_mut(..core::mem::size_of::<$t>()) {
                    dst.copy_from_slice(&self.to_le_bytes());
                }
            }
        }
    )*};
}

primitive!(u16, u32, u64, i8, i16, i32, i64, f32, f64);

impl Primitive for u8 {
    const SIZE: u32 = 1;
    #[inline(always)]
    fn load(bytes: &[u8]) -> Self {
        bytes.first().copied().unwrap_or(0)
    }
    #[inline(always)]
    fn store(self, out: &mut [u8]) {
        if let Some(b) = out.first_mut() {
            *b = self;
        }
    }
    #[inline]
    fn load_into_vec(dst: &mut Vec<Self>, bytes: &[u8]) {
        dst.clear();
        dst.extend_from_slice(bytes);
    }
    #[inline]
    fn store_slice(values: &[Self], out: &mut [u8]) {
        let n = values.len().min(out.len());
        if let (Some(dst), Some(src)) = (out.get_mut(..n), values.get(..n)) {
            dst.copy_from_slice(src);
        }
    }
}

impl Primitive for bool {
    const SIZE: u32 = 1;
    /// Any non-zero byte is `true` (as upstream's Go reader).
    #[inline(always)]
    fn load(bytes: &[u8]) -> Self {
        bytes.first().is_some_and(|&b| b != 0)
    }
    /// Stores 0 or 1.
    #[inline(always)]
    fn store(self, out: &mut [u8]) {
        if let Some(b) = out.first_mut() {
            *b = u8::from(self);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Writer

/// A message being written: a byte buffer that only grows, handing out space with
/// [`Writer::alloc`] (returns the offset where the new, zeroed bytes start).
///
/// Generated code writes a root with `x.write_as_root(&mut writer)`; re-use a writer with
/// [`Writer::reset`] (its capacity is kept, so steady-state writing allocates nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Writer {
    buf: Vec<u8>,
    limit: Option<usize>,
}

/// The format's limit: offsets are `u32`.
const FORMAT_LIMIT: u64 = u32::MAX as u64;

impl Writer {
    /// A growable writer with `capacity` bytes reserved.
    pub fn new(capacity: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(capacity),
            limit: None,
        }
    }

    /// A writer that never grows past `limit` bytes (the "fixed writer" of the other
    /// runtimes): [`Writer::alloc`] fails with [`WriteError::OutOfSpace`] instead.
    pub fn with_limit(capacity: usize, limit: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(capacity.min(limit)),
            limit: Some(limit),
        }
    }

    /// Appends `n` zero bytes and returns the offset where they start (the old length).
    #[inline]
    pub fn alloc(&mut self, n: u32) -> Result<u32, WriteError> {
        let start = self.buf.len() as u64;
        let end = start.saturating_add(u64::from(n));
        if end > FORMAT_LIMIT {
            return Err(WriteError::TooLarge);
        }
        if let Some(limit) = self.limit {
            if end > limit as u64 {
                return Err(WriteError::OutOfSpace { needed: end, limit });
            }
        }
        self.buf.resize(end as usize, 0);
        Ok(start as u32)
    }

    /// Allocates `count` elements of `size` bytes; returns `(offset, byte length)`.
    #[inline]
    pub fn alloc_elements(&mut self, count: usize, size: u32) -> Result<(u32, u32), WriteError> {
        let bytes = (count as u64).saturating_mul(u64::from(size));
        let bytes = u32::try_from(bytes).map_err(|_| WriteError::TooLarge)?;
        Ok((self.alloc(bytes)?, bytes))
    }

    /// Allocates the data of a slice field and writes its header at `slot`: offset, byte
    /// length and, when `element_size_word` is set (non-packed structs), the element size.
    /// Returns the data offset.
    #[inline]
    pub fn alloc_slice(
        &mut self,
        slot: u32,
        count: usize,
        element_size: u32,
        element_size_word: bool,
    ) -> Result<u32, WriteError> {
        let (at, bytes) = self.alloc_elements(count, element_size)?;
        self.put_u32(slot, at);
        self.put_u32(slot.wrapping_add(4), bytes);
        if element_size_word {
            self.put_u32(slot.wrapping_add(8), element_size);
        }
        Ok(at)
    }

    /// `Ok` when `size` bytes at `offset` are inside the written message (generated
    /// `write_at` checks this first, so its stores cannot miss).
    #[inline]
    pub fn check_allocated(&self, offset: u32, size: u32) -> Result<(), WriteError> {
        if u64::from(offset).saturating_add(u64::from(size)) <= self.buf.len() as u64 {
            Ok(())
        } else {
            Err(WriteError::InvalidOffset { offset, size })
        }
    }

    /// Stores `value` at `offset` (little-endian). A store outside the allocated space is
    /// ignored (generated code never does that; debug builds assert).
    #[inline(always)]
    pub fn put<T: Primitive>(&mut self, offset: u32, value: T) {
        let start = offset as usize;
        match self
            .buf
            .get_mut(start..start.saturating_add(T::SIZE as usize))
        {
            Some(dst) => value.store(dst),
            None => debug_assert!(false, "store outside the allocated space at {offset}"),
        }
    }

    /// Stores `bytes` at `offset` (ignored, like [`Writer::put`], outside the allocation).
    #[inline]
    pub fn put_bytes(&mut self, offset: u32, bytes: &[u8]) {
        let start = offset as usize;
        match self.buf.get_mut(start..start.saturating_add(bytes.len())) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => debug_assert!(false, "store outside the allocated space at {offset}"),
        }
    }

    /// Stores `values` back to back at `offset`.
    #[inline]
    pub fn put_slice<T: Primitive>(&mut self, offset: u32, values: &[T]) {
        let start = offset as usize;
        let len = values.len().saturating_mul(T::SIZE as usize);
        match self.buf.get_mut(start..start.saturating_add(len)) {
            Some(dst) => T::store_slice(values, dst),
            None => debug_assert!(false, "store outside the allocated space at {offset}"),
        }
    }

    /// The allocated bytes at `offset..offset + size`, for writing in place.
    #[inline]
    pub fn bytes_mut(&mut self, offset: u32, size: u32) -> Option<&mut [u8]> {
        let start = offset as usize;
        self.buf.get_mut(start..start.saturating_add(size as usize))
    }

    /// The message so far.
    pub fn bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The message, consuming the writer.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Nothing written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Bytes reserved.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Length 0, capacity kept.
    pub fn reset(&mut self) {
        self.buf.clear();
    }
}

macro_rules! puts {
    ($($name:ident: $t:ty),*) => {
        impl Writer {$(
            #[doc = concat!("Stores a `", stringify!($t), "` at `offset` (see [`Writer::put`]).")]
            #[inline(always)]
            pub fn $name(&mut self, offset: u32, value: $t) {
                self.put(offset, value);
            }
        )*}
    };
}

puts!(put_u8: u8, put_u16: u16, put_u32: u32, put_u64: u64, put_i8: i8, put_i16: i16,
      put_i32: i32, put_i64: i64, put_f32: f32, put_f64: f64, put_bool: bool);

// ---------------------------------------------------------------------------------------
// Reader

/// A message to read: the buffer generated viewers borrow from. `Copy`; re-bounding
/// (upstream's `SetSize`) is `Reader::new(&buf[..n])`.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reader")
            .field("len", &self.buf.len())
            .finish()
    }
}

impl<'a> Reader<'a> {
    /// A reader over `buf` (the whole message; the root is at offset 0).
    #[inline]
    pub const fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf }
    }

    /// A reader over no bytes (what null viewers carry).
    #[inline]
    pub const fn empty() -> Reader<'a> {
        Reader { buf: &[] }
    }

    /// `offset + size <= len`, computed without overflow (upstream's `IsValidOffset`).
    #[inline]
    pub fn is_valid_offset(&self, offset: u32, size: u32) -> bool {
        u64::from(offset).saturating_add(u64::from(size)) <= self.buf.len() as u64
    }

    /// The `size` bytes at `offset`, when they are inside the message.
    #[inline]
    pub fn bytes_at(&self, offset: u32, size: u32) -> Option<&'a [u8]> {
        let start = offset as usize;
        self.buf.get(start..start.checked_add(size as usize)?)
    }

    /// The little-endian `u32` at `offset`, when it is inside the message.
    #[inline]
    pub fn u32_at(&self, offset: u32) -> Option<u32> {
        self.bytes_at(offset, 4).map(u32::load)
    }

    /// The whole message.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The message length.
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// The message is empty (every root reads as defaults).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }
}

// ---------------------------------------------------------------------------------------
// Viewers

/// A generated zero-copy viewer (`XViewer<'a>`) of struct `X`.
pub trait View<'a>: Copy {
    /// The struct's total size (bytes it occupies when embedded or allocated).
    const TOTAL: u32;
    /// The bytes a reader requires before it trusts the struct (`layout.md` §3).
    const MINIMUM: u32;
    /// Tables start with a size header; inline structs do not.
    const IS_TABLE: bool;
    /// A viewer of `bytes` (a table's exactly `stored size` bytes, or an inline struct's
    /// bytes), following references through `reader`. Any bytes are accepted: every
    /// accessor is bounds-checked against `bytes`.
    fn from_parts(reader: Reader<'a>, bytes: &'a [u8]) -> Self;
    /// The null viewer: empty bytes and an empty reader; every field reads as default.
    fn null() -> Self;
}

/// Upstream's `NewXViewer`, once for every viewer type: the struct `V` at `offset`, or the
/// null viewer when it does not fit.
///
/// 1. fewer than `V::MINIMUM` bytes at `offset` → null;
/// 2. tables: the stored size `h` at `offset` must fit too (else null); the viewer sees
///    exactly `h` bytes, so a field is present iff its slot lies inside them;
/// 3. inline structs: the viewer sees `TOTAL` bytes, or what is left of the buffer.
#[inline]
pub fn view<'a, V: View<'a>>(reader: Reader<'a>, offset: u32) -> V {
    if !reader.is_valid_offset(offset, V::MINIMUM) {
        return V::null();
    }
    if V::IS_TABLE {
        let Some(stored) = reader.u32_at(offset) else {
            return V::null();
        };
        match reader.bytes_at(offset, stored) {
            Some(bytes) => V::from_parts(reader, bytes),
            None => V::null(),
        }
    } else {
        let buf = reader.as_bytes();
        let start = offset as usize;
        let end = start.saturating_add(V::TOTAL as usize).min(buf.len());
        match buf.get(start..end) {
            Some(bytes) => V::from_parts(reader, bytes),
            None => V::null(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Slice

/// A zero-copy view of `[N]T`, `[]T` or `[<N]T` with primitive or enum elements. Elements
/// are decoded on access (the buffer is not aligned).
#[derive(Clone, Copy)]
pub struct Slice<'a, T: Primitive> {
    /// Exactly `len * T::SIZE` bytes.
    bytes: &'a [u8],
    len: usize,
    element: PhantomData<T>,
}

impl<'a, T: Primitive> Default for Slice<'a, T> {
    fn default() -> Self {
        Slice::empty()
    }
}

impl<'a, T: Primitive> Slice<'a, T> {
    /// No elements.
    #[inline]
    pub const fn empty() -> Self {
        Slice {
            bytes: &[],
            len: 0,
            element: PhantomData,
        }
    }

    /// The elements stored back to back in `bytes` (a trailing partial element is ignored;
    /// zero-size elements give an empty slice).
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Self {
        let size = T::SIZE as usize;
        let len = bytes.len().checked_div(size).unwrap_or(0);
        Slice {
            bytes: bytes.get(..len.saturating_mul(size)).unwrap_or(&[]),
            len,
            element: PhantomData,
        }
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// No elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `i`, if `i < len`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<T> {
        if i >= self.len {
            return None;
        }
        let size = T::SIZE as usize;
        let start = i.checked_mul(size)?;
        self.bytes.get(start..start.checked_add(size)?).map(T::load)
    }

    /// The elements in order.
    #[inline]
    pub fn iter(&self) -> SliceIter<'a, T> {
        SliceIter {
            chunks: self.bytes.chunks_exact((T::SIZE as usize).max(1)),
            element: PhantomData,
        }
    }

    /// The elements, decoded into a new vector.
    pub fn to_vec(&self) -> Vec<T> {
        let mut out = Vec::new();
        T::load_into_vec(&mut out, self.bytes);
        out
    }

    /// Replaces the contents of `dst` with the elements (keeps its capacity).
    #[inline]
    pub fn read_into(&self, dst: &mut Vec<T>) {
        T::load_into_vec(dst, self.bytes);
    }

    /// The raw little-endian bytes of the elements.
    #[inline]
    pub fn raw_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<'a> Slice<'a, u8> {
    /// The bytes, borrowed from the message.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }
}

impl<'a, T: Primitive> IntoIterator for Slice<'a, T> {
    type Item = T;
    type IntoIter = SliceIter<'a, T>;
    fn into_iter(self) -> SliceIter<'a, T> {
        self.iter()
    }
}

impl<T: Primitive + fmt::Debug> fmt::Debug for Slice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Primitive + PartialEq> PartialEq for Slice<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Primitive + PartialEq> PartialEq<[T]> for Slice<'_, T> {
    fn eq(&self, other: &[T]) -> bool {
        self.len == other.len() && self.iter().eq(other.iter().copied())
    }
}

/// Iterator over a [`Slice`].
#[derive(Clone, Debug)]
pub struct SliceIter<'a, T> {
    chunks: ChunksExact<'a, u8>,
    element: PhantomData<T>,
}

impl<T: Primitive> Iterator for SliceIter<'_, T> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        self.chunks.next().map(T::load)
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
    #[inline]
    fn nth(&mut self, n: usize) -> Option<T> {
        self.chunks.nth(n).map(T::load)
    }
}

impl<T: Primitive> DoubleEndedIterator for SliceIter<'_, T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        self.chunks.next_back().map(T::load)
    }
}

impl<T: Primitive> ExactSizeIterator for SliceIter<'_, T> {}
impl<T: Primitive> FusedIterator for SliceIter<'_, T> {}

// ---------------------------------------------------------------------------------------
// StructSlice

/// A zero-copy view of `[N]S`, `[]S` or `[<N]S` with inline struct elements; elements are
/// viewers `V`.
#[derive(Clone, Copy)]
pub struct StructSlice<'a, V> {
    reader: Reader<'a>,
    /// Exactly `len * V::TOTAL` bytes.
    bytes: &'a [u8],
    len: usize,
    element: PhantomData<V>,
}

impl<'a, V: View<'a>> Default for StructSlice<'a, V> {
    fn default() -> Self {
        StructSlice::empty()
    }
}

impl<'a, V: View<'a>> StructSlice<'a, V> {
    /// No elements.
    #[inline]
    pub const fn empty() -> Self {
        StructSlice {
            reader: Reader::empty(),
            bytes: &[],
            len: 0,
            element: PhantomData,
        }
    }

    /// The elements stored back to back in `bytes`, with stride `V::TOTAL` (a trailing
    /// partial element is ignored; zero-size elements give an empty slice).
    #[inline]
    pub fn new(reader: Reader<'a>, bytes: &'a [u8]) -> Self {
        let size = V::TOTAL as usize;
        let len = bytes.len().checked_div(size).unwrap_or(0);
        StructSlice {
            reader,
            bytes: bytes.get(..len.saturating_mul(size)).unwrap_or(&[]),
            len,
            element: PhantomData,
        }
    }

    /// Number of elements.
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// No elements.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `i`, if `i < len`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<V> {
        if i >= self.len {
            return None;
        }
        let size = V::TOTAL as usize;
        let start = i.checked_mul(size)?;
        self.bytes
            .get(start..start.checked_add(size)?)
            .map(|bytes| V::from_parts(self.reader, bytes))
    }

    /// The elements in order.
    #[inline]
    pub fn iter(&self) -> StructSliceIter<'a, V> {
        StructSliceIter {
            reader: self.reader,
            chunks: self.bytes.chunks_exact((V::TOTAL as usize).max(1)),
            element: PhantomData,
        }
    }
}

impl<'a, V: View<'a>> IntoIterator for StructSlice<'a, V> {
    type Item = V;
    type IntoIter = StructSliceIter<'a, V>;
    fn into_iter(self) -> StructSliceIter<'a, V> {
        self.iter()
    }
}

impl<'a, V: View<'a> + fmt::Debug> fmt::Debug for StructSlice<'a, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over a [`StructSlice`].
#[derive(Clone, Debug)]
pub struct StructSliceIter<'a, V> {
    reader: Reader<'a>,
    chunks: ChunksExact<'a, u8>,
    element: PhantomData<V>,
}

impl<'a, V: View<'a>> Iterator for StructSliceIter<'a, V> {
    type Item = V;
    #[inline]
    fn next(&mut self) -> Option<V> {
        let reader = self.reader;
        self.chunks.next().map(|bytes| V::from_parts(reader, bytes))
    }
    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.chunks.size_hint()
    }
    #[inline]
    fn nth(&mut self, n: usize) -> Option<V> {
        let reader = self.reader;
        self.chunks.nth(n).map(|bytes| V::from_parts(reader, bytes))
    }
}

impl<'a, V: View<'a>> DoubleEndedIterator for StructSliceIter<'a, V> {
    #[inline]
    fn next_back(&mut self) -> Option<V> {
        let reader = self.reader;
        self.chunks
            .next_back()
            .map(|bytes| V::from_parts(reader, bytes))
    }
}

impl<'a, V: View<'a>> ExactSizeIterator for StructSliceIter<'a, V> {}
impl<'a, V: View<'a>> FusedIterator for StructSliceIter<'a, V> {}

// ---------------------------------------------------------------------------------------
// Str

/// The view of a `[]char` / `[<N]char` field: bytes that are meant to be UTF-8. Readers
/// never validate (as upstream): use [`Str::to_str`] to check, or the lossy forms.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Str<'a> {
    bytes: &'a [u8],
}

impl<'a> Str<'a> {
    /// A view of `bytes`.
    #[inline]
    pub const fn new(bytes: &'a [u8]) -> Str<'a> {
        Str { bytes }
    }

    /// The raw bytes, borrowed from the message.
    #[inline]
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The text, if it is valid UTF-8.
    #[inline]
    pub fn to_str(&self) -> Result<&'a str, core::str::Utf8Error> {
        core::str::from_utf8(self.bytes)
    }

    /// The text, with invalid sequences replaced by U+FFFD (borrowed when valid).
    pub fn to_string_lossy(&self) -> alloc::borrow::Cow<'a, str> {
        String::from_utf8_lossy(self.bytes)
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// No bytes.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Replaces `dst` with the text (invalid sequences become U+FFFD, as
    /// `String::from_utf8_lossy`), keeping its capacity; allocates nothing when it fits.
    pub fn read_into(&self, dst: &mut String) {
        dst.clear();
        for chunk in self.bytes.utf8_chunks() {
            dst.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                dst.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
}

impl fmt::Display for Str<'_> {
    /// The text, invalid sequences shown as U+FFFD.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.bytes.utf8_chunks() {
            f.write_str(chunk.valid())?;
            if !chunk.invalid().is_empty() {
                f.write_str("\u{FFFD}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Str<'_> {
    /// Like `str`'s `Debug` (quoted, escaped); invalid sequences as `\xNN`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write;
        f.write_char('"')?;
        for chunk in self.bytes.utf8_chunks() {
            for c in chunk.valid().chars() {
                for e in c.escape_debug() {
                    f.write_char(e)?;
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_char('"')
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        self.bytes == other.as_bytes()
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.bytes == other.as_bytes()
    }
}

#[cfg(test)]
mod tests;
