#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::format;
use std::string::ToString;
use std::vec;

use super::*;

/// A hand-written viewer of `struct T table { A uint32; B []uint16; C P; }` (packed), with
/// `struct P inline { X int16; Y int16; }` — what the generator emits, in miniature.
#[derive(Clone, Copy)]
struct TV<'a> {
    reader: Reader<'a>,
    bytes: &'a [u8],
}

impl<'a> View<'a> for TV<'a> {
    const TOTAL: u32 = 20;
    const MINIMUM: u32 = 4;
    const IS_TABLE: bool = true;
    fn from_parts(reader: Reader<'a>, bytes: &'a [u8]) -> Self {
        TV { reader, bytes }
    }
    fn null() -> Self {
        TV {
            reader: Reader::empty(),
            bytes: &[],
        }
    }
}

impl<'a> TV<'a> {
    fn a(&self) -> u32 {
        access::scalar(self.bytes, 4)
    }
    fn b(&self) -> Slice<'a, u16> {
        access::slice(self.reader, self.bytes, 8, 8, Some(3))
    }
    fn c(&self) -> PV<'a> {
        access::inline(self.reader, self.bytes, 16)
    }
}

#[derive(Clone, Copy, Debug)]
struct PV<'a> {
    bytes: &'a [u8],
}

impl<'a> View<'a> for PV<'a> {
    const TOTAL: u32 = 4;
    const MINIMUM: u32 = 4;
    const IS_TABLE: bool = false;
    fn from_parts(_: Reader<'a>, bytes: &'a [u8]) -> Self {
        PV { bytes }
    }
    fn null() -> Self {
        PV { bytes: &[] }
    }
}

impl PV<'_> {
    fn x(&self) -> i16 {
        access::scalar(self.bytes, 0)
    }
    fn y(&self) -> i16 {
        access::scalar(self.bytes, 2)
    }
}

/// Writes `T { A: a, B: b, C: (x, y) }` as upstream does.
fn write_t(a: u32, b: &[u16], x: i16, y: i16) -> Vec<u8> {
    let mut w = Writer::new(0);
    let at = w.alloc(20).unwrap();
    w.put_u32(at, 20);
    w.put_u32(at + 4, a);
    let p = w.alloc_slice(at + 8, b.len(), 2, false).unwrap();
    w.put_slice(p, b);
    w.put_i16(at + 16, x);
    w.put_i16(at + 18, y);
    w.into_vec()
}

#[test]
fn write_and_read_back() {
    let msg = write_t(7, &[1, 2, 3, 4], -1, 2);
    assert_eq!(msg.len(), 28);
    assert_eq!(&msg[..4], &[20, 0, 0, 0]);
    let r = Reader::new(&msg);
    let v: TV = view(r, 0);
    assert_eq!(v.a(), 7);
    assert_eq!(v.b().len(), 3, "limit 3");
    assert_eq!(v.b().to_vec(), [1, 2, 3]);
    assert_eq!(v.b().get(2), Some(3));
    assert_eq!(v.b().get(3), None);
    assert_eq!((v.c().x(), v.c().y()), (-1, 2));
    assert_eq!(format!("{:?}", v.b()), "[1, 2, 3]");
    assert_eq!(v.b().iter().rev().collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(v.b().iter().len(), 3);
}

#[test]
fn older_table_reads_defaults_for_missing_fields() {
    let mut msg = write_t(7, &[1, 2], -1, 2);
    // Stored size 16: C (16..20) is absent.
    msg[0] = 16;
    let v: TV = view(Reader::new(&msg), 0);
    assert_eq!(v.a(), 7);
    assert_eq!(v.b().to_vec(), [1, 2]);
    assert_eq!((v.c().x(), v.c().y()), (0, 0));
    // Stored size 15: B's header (8..16) is absent too; 7: A too.
    msg[0] = 15;
    let v: TV = view(Reader::new(&msg), 0);
    assert!(v.b().is_empty());
    msg[0] = 7;
    let v: TV = view(Reader::new(&msg), 0);
    assert_eq!(v.a(), 0);
    // Stored size beyond the buffer: null viewer.
    msg[0] = 200;
    let v: TV = view(Reader::new(&msg), 0);
    assert_eq!(v.a(), 0);
    assert!(v.bytes.is_empty());
}

#[test]
fn malformed_offsets_and_lengths_read_as_defaults() {
    let msg = write_t(7, &[1, 2], -1, 2);
    // Slice data offset out of range.
    let mut m = msg.clone();
    m[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(view::<TV>(Reader::new(&m), 0).b().is_empty());
    // Huge length.
    let mut m = msg.clone();
    m[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(view::<TV>(Reader::new(&m), 0).b().is_empty());
    // Odd length: floored.
    let mut m = msg.clone();
    m[12..16].copy_from_slice(&3u32.to_le_bytes());
    assert_eq!(view::<TV>(Reader::new(&m), 0).b().to_vec(), [1]);
    // Root beyond the buffer, empty buffer, truncated buffer.
    assert_eq!(view::<TV>(Reader::new(&msg), u32::MAX).a(), 0);
    assert_eq!(view::<TV>(Reader::new(&[]), 0).a(), 0);
    for n in 0..20 {
        let v: TV = view(Reader::new(&msg[..n]), 0);
        assert_eq!(v.a(), 0, "truncated to {n}");
    }
}

#[test]
fn inline_root_at_the_end_of_the_buffer() {
    // An inline root sees TOTAL bytes or what is left (at least MINIMUM).
    let v: PV = view(Reader::new(&[1, 0, 2, 0]), 0);
    assert_eq!((v.x(), v.y()), (1, 2));
    let v: PV = view(Reader::new(&[1, 0, 2]), 0);
    assert_eq!((v.x(), v.y()), (0, 0));
}

#[test]
fn zero_size_elements_give_empty_slices() {
    #[derive(Clone, Copy)]
    struct Z;
    impl<'a> View<'a> for Z {
        const TOTAL: u32 = 0;
        const MINIMUM: u32 = 0;
        const IS_TABLE: bool = false;
        fn from_parts(_: Reader<'a>, _: &'a [u8]) -> Self {
            Z
        }
        fn null() -> Self {
            Z
        }
    }
    let msg = [0u8, 0, 0, 0, 4, 0, 0, 0];
    let r = Reader::new(&msg);
    let s: StructSlice<Z> = access::struct_slice(r, &msg, 0, 8, None);
    assert_eq!(s.len(), 0);
    assert_eq!(s.iter().count(), 0);
    let s: StructSlice<Z> = access::struct_array(r, &msg, 0, 5);
    assert_eq!(s.len(), 0);
    assert!(s.get(0).is_none());
}

#[test]
fn writer_limits() {
    let mut w = Writer::with_limit(4, 10);
    assert_eq!(w.alloc(6), Ok(0));
    assert_eq!(
        w.alloc(5),
        Err(WriteError::OutOfSpace {
            needed: 11,
            limit: 10
        })
    );
    assert_eq!(w.alloc(4), Ok(6));
    assert_eq!(w.len(), 10);
    let mut w = Writer::new(0);
    assert_eq!(w.alloc_elements(usize::MAX, 2), Err(WriteError::TooLarge));
    assert_eq!(w.alloc_elements(1 << 31, 2), Err(WriteError::TooLarge));
    assert!(w.is_empty());
    assert_eq!(
        w.check_allocated(0, 1),
        Err(WriteError::InvalidOffset { offset: 0, size: 1 })
    );
    w.alloc(3).unwrap();
    assert_eq!(w.check_allocated(1, 2), Ok(()));
    assert!(w.check_allocated(u32::MAX, u32::MAX).is_err());
    assert!(!WriteError::TooLarge.to_string().is_empty());
}

#[test]
fn writer_zero_fills_after_reset() {
    let mut w = Writer::new(16);
    let at = w.alloc(8).unwrap();
    w.put_u64(at, u64::MAX);
    let cap = w.capacity();
    w.reset();
    assert_eq!(w.alloc(8), Ok(0));
    assert_eq!(w.bytes(), &[0; 8]);
    assert_eq!(w.capacity(), cap);
}

#[test]
fn primitives_round_trip_and_short_loads_default() {
    let mut buf = [0u8; 8];
    (-2i16).store(&mut buf);
    assert_eq!(i16::load(&buf), -2);
    1.5f32.store(&mut buf);
    assert_eq!(f32::load(&buf), 1.5);
    true.store(&mut buf);
    assert_eq!(buf[0], 1);
    assert!(bool::load(&[7]));
    assert!(!bool::load(&[]));
    assert_eq!(u64::load(&[1, 2, 3]), 0);
    assert_eq!(u8::load(&[]), 0);
    // Storing into a short slice does nothing.
    let mut short = [9u8; 2];
    7u32.store(&mut short);
    assert_eq!(short, [9, 9]);
}

#[test]
fn strings() {
    let s = Str::new(b"h\xc3\xa9llo\xff");
    assert!(s.to_str().is_err());
    assert_eq!(s.to_string_lossy(), "héllo\u{FFFD}");
    assert_eq!(s.to_string(), "héllo\u{FFFD}");
    assert_eq!(format!("{s:?}"), "\"héllo\\xff\"");
    let mut out = String::with_capacity(32);
    s.read_into(&mut out);
    assert_eq!(out, "héllo\u{FFFD}");
    assert_eq!(out.capacity(), 32);
    assert_eq!(Str::new(b"ok"), "ok");
    assert_eq!(s.len(), 7);
}

#[test]
fn decode_helpers_reuse_allocations() {
    let mut dst = [9u16; 4];
    decode::array(&mut dst, Slice::new(&[1, 0, 2, 0]));
    assert_eq!(dst, [1, 2, 0, 0]);
    let mut v: Vec<u8> = Vec::with_capacity(10);
    Slice::<u8>::new(&[1, 2, 3]).read_into(&mut v);
    assert_eq!(v, [1, 2, 3]);
    assert_eq!(v.capacity(), 10);
    let mut budget = Budget::new(10);
    assert_eq!(budget.charge(4), Ok(()));
    assert_eq!(budget.charge_elements(3, 2), Ok(()));
    assert_eq!(budget.charge(1), Err(BudgetExceeded));
}

/// Random bytes through every accessor: nothing panics (debug builds check arithmetic).
#[test]
fn random_bytes_never_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let len = (next() % 64) as usize;
        let mut buf = vec![0u8; len];
        for b in buf.iter_mut() {
            // Mostly small numbers, so offsets land inside the buffer.
            *b = match next() % 4 {
                0 => 0xff,
                1 => (next() % 32) as u8,
                _ => 0,
            };
        }
        let r = Reader::new(&buf);
        let offset = (next() % 40) as u32;
        let v: TV = view(r, offset);
        let _ = v.a();
        let _ = v.b().iter().map(u32::from).sum::<u32>();
        let _ = (v.c().x(), v.c().y());
        let limit = Some((next() % 8) as u32);
        let header = if next() % 2 == 0 { 8 } else { 12 };
        let _ = access::string(r, &buf, offset, header, limit).to_string();
        let s: Slice<u64> = access::slice(r, &buf, offset, header, None);
        let _ = s.to_vec();
        let _ = s.get(usize::MAX);
        let s: StructSlice<PV> = access::struct_slice(r, &buf, offset, header, limit);
        let _ = s
            .iter()
            .map(|p| i32::from(p.x()) + i32::from(p.y()))
            .sum::<i32>();
        let _ = s.get(usize::MAX);
        let a: Slice<f64> = access::array(&buf, offset, (next() % 8) as u32);
        let _ = a.iter().sum::<f64>();
        let _: Slice<u8> = access::array(&buf, u32::MAX, u32::MAX);
        let _: TV = access::table(r, &buf, offset);
        let _: PV = access::inline(r, &buf, u32::MAX);
    }
}
