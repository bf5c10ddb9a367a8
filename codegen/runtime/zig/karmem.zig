//! The Karmem runtime for Zig 0.9 / 0.10, as used by code that `karmem build --zig`
//! generates: a bump-allocating `Writer` over one growable (or fixed) buffer and a
//! bounds-checking `Reader`. Same API as upstream's `zig/karmem.zig`.

const std = @import("std");
const builtin = @import("builtin");
const Allocator = std.mem.Allocator;

comptime {
    // Generated code stores and loads native values as their in-memory bytes.
    if (builtin.cpu.arch.endian() != .Little) {
        @compileError("karmem: the Zig runtime supports little-endian targets only");
    }
}

/// Writes a message: `Alloc` hands out space at the end, `WriteAt` fills it.
pub const Writer = struct {
    /// The message so far (`memory.len` is its length).
    memory: []u8,
    /// The size of the storage behind `memory`.
    capacity: usize,
    allocator: Allocator,
    /// A fixed writer never grows: `Alloc` fails when the storage is full.
    isFixed: bool,

    /// Appends `len` bytes and returns their offset. The bytes are not zeroed (as in
    /// upstream's runtime): they may hold data of an earlier message, so the caller must
    /// write all of them (generated code writes every byte, padding included). Grows the
    /// storage to max(2 × capacity, needed); fails with `error.OutOfMemory` when a fixed
    /// writer is full or the message would pass 4 GiB (offsets are `u32`).
    pub fn Alloc(self: *Writer, len: usize) Allocator.Error!u32 {
        const offset = self.memory.len;
        const needed = std.math.add(usize, offset, len) catch return error.OutOfMemory;
        if (needed > std.math.maxInt(u32)) {
            return error.OutOfMemory;
        }
        if (needed > self.capacity) {
            const doubled = std.math.mul(usize, self.capacity, 2) catch needed;
            try self.Grow(std.math.max(doubled, needed));
        }
        self.memory = self.memory.ptr[0..needed];
        return @intCast(u32, offset);
    }

    /// Makes the storage at least `cap` bytes (fails for fixed writers).
    pub fn Grow(self: *Writer, cap: usize) Allocator.Error!void {
        if (cap <= self.capacity) {
            return;
        }
        if (self.isFixed) {
            return error.OutOfMemory;
        }
        const len = self.memory.len;
        const grown = try self.allocator.realloc(self.memory.ptr[0..self.capacity], cap);
        self.memory = grown[0..len];
        self.capacity = grown.len;
    }

    /// Copies `len` bytes from `src` to `offset` (inside the allocated message; checked
    /// in Debug and ReleaseSafe builds). Inlined so that the generated code's constant
    /// lengths become plain stores.
    pub inline fn WriteAt(self: *Writer, offset: u32, src: [*]const u8, len: usize) void {
        std.debug.assert(@as(usize, offset) + len <= self.memory.len);
        @memcpy(self.memory.ptr + offset, src, len);
    }

    /// The message written so far.
    pub fn Bytes(self: *Writer) []u8 {
        return self.memory;
    }

    /// Empties the message, keeping the storage.
    pub fn Reset(self: *Writer) void {
        self.memory = self.memory.ptr[0..0];
    }

    /// Frees the storage of a growable writer (a fixed writer's belongs to the caller).
    pub fn Free(self: *Writer) void {
        if (!self.isFixed) {
            self.allocator.free(self.memory.ptr[0..self.capacity]);
        }
        self.memory = self.memory.ptr[0..0];
        self.capacity = 0;
    }
};

/// A growable writer with `cap` bytes of storage from `allocator`.
pub fn NewWriter(allocator: Allocator, cap: usize) !Writer {
    const memory = try allocator.alloc(u8, cap);
    return Writer{
        .memory = memory[0..0],
        .capacity = memory.len,
        .allocator = allocator,
        .isFixed = false,
    };
}

/// A writer over `slice` that never grows; the message starts empty.
pub fn NewFixedWriter(slice: []u8) Writer {
    return Writer{
        .memory = slice[0..0],
        .capacity = slice.len,
        .allocator = std.heap.page_allocator,
        .isFixed = true,
    };
}

/// Reads a message. `allocator` is what the generated `Read` uses for slice storage
/// (which generated code never frees: use an arena, or free `x.F.ptr[0..x._FCapacity]`).
pub const Reader = struct {
    memory: []u8,
    /// How many bytes of `memory` are the message.
    length: u64,
    allocator: Allocator,

    /// Whether `size` bytes at `offset` are inside the message (computed in 64 bits).
    pub fn IsValidOffset(x: *Reader, offset: u32, size: u32) bool {
        return @as(u64, offset) + @as(u64, size) <= x.length;
    }

    /// Makes the message the first `size` bytes of `memory`; false (unchanged) when
    /// `memory` is shorter.
    pub fn SetSize(x: *Reader, size: u32) bool {
        if (size > x.memory.len) {
            return false;
        }
        x.length = size;
        return true;
    }
};

/// A reader of the message `memory`.
pub fn NewReader(allocator: Allocator, memory: []u8) Reader {
    return Reader{
        .memory = memory,
        .length = memory.len,
        .allocator = allocator,
    };
}

test "writer allocates, grows, writes and resets" {
    var w = try NewWriter(std.testing.allocator, 2);
    defer w.Free();
    const a = try w.Alloc(3);
    try std.testing.expectEqual(@as(u32, 0), a);
    const b = try w.Alloc(5);
    try std.testing.expectEqual(@as(u32, 3), b);
    try std.testing.expect(w.capacity >= 8);
    const head = [_]u8{ 9, 8, 7 };
    w.WriteAt(a, &head, 3);
    const value: u32 = 0x04030201;
    w.WriteAt(b, @ptrCast([*]const u8, &value), 4);
    w.WriteAt(b + 4, &head, 1);
    try std.testing.expectEqualSlices(u8, &[_]u8{ 9, 8, 7, 1, 2, 3, 4, 9 }, w.Bytes());
    w.Reset();
    try std.testing.expectEqual(@as(usize, 0), w.Bytes().len);
    try std.testing.expectEqual(@as(u32, 0), try w.Alloc(1));
}

test "fixed writer fails when full" {
    var buf: [4]u8 = undefined;
    var w = NewFixedWriter(buf[0..]);
    _ = try w.Alloc(4);
    try std.testing.expectError(error.OutOfMemory, w.Alloc(1));
    try std.testing.expectError(error.OutOfMemory, w.Grow(8));
}

test "reader checks offsets in 64 bits" {
    var buf = [_]u8{0} ** 8;
    var r = NewReader(std.testing.allocator, buf[0..]);
    try std.testing.expect(r.IsValidOffset(4, 4));
    try std.testing.expect(!r.IsValidOffset(5, 4));
    try std.testing.expect(!r.IsValidOffset(0xFFFFFFFF, 2));
    try std.testing.expect(r.SetSize(6));
    try std.testing.expect(!r.IsValidOffset(4, 4));
    try std.testing.expect(!r.SetSize(9));
}
