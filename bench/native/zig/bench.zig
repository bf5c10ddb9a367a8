//! Upstream's benchmark workload (codegen/benchmark.md) on our Zig target: 1000 monsters
//! of `game.km`, encoded and decoded through the generated code and our runtime, next to
//! two floors measured in the same run (a memcpy of the message, and a plain loop summing
//! the same floats from a native array). Built and run by `bench/native/zig.sh`.

const std = @import("std");
const karmem = @import("karmem");
const game = @import("game_generated.zig");

const monster_count = 1000;
const path_len = 100;
/// 16 characters mixing ASCII, 2-byte and 3-byte UTF-8.
const name = "Héllo 漢字 wörld!?";

/// Runs `op.run()` repeatedly for about `budget_ns` (after a warm-up) and prints the
/// mean time per operation in microseconds. Returns the mean in nanoseconds.
fn measure(label: []const u8, op: anytype, budget_ns: u64) !f64 {
    var i: usize = 0;
    while (i < 3) : (i += 1) try op.run();
    var timer = try std.time.Timer.start();
    var runs: u64 = 0;
    while (timer.read() < budget_ns) {
        try op.run();
        runs += 1;
    }
    const ns = @intToFloat(f64, timer.read()) / @intToFloat(f64, runs);
    std.debug.print("{s:<18} {d:>10.2} us/op  ({d} runs)\n", .{ label, ns / 1000.0, runs });
    return ns;
}

const Encode = struct {
    value: *game.Monsters,
    writer: *karmem.Writer,
    fn run(self: *Encode) !void {
        self.writer.Reset();
        _ = try self.value.WriteAsRoot(self.writer);
        std.mem.doNotOptimizeAway(self.writer.Bytes().ptr);
    }
};

const Decode = struct {
    value: *game.Monsters,
    reader: *karmem.Reader,
    fn run(self: *Decode) !void {
        try self.value.ReadAsRoot(self.reader);
        std.mem.doNotOptimizeAway(self.value.Monsters.ptr);
    }
};

const SumVec3 = struct {
    reader: *karmem.Reader,
    sum: f32 = 0,
    fn run(self: *SumVec3) !void {
        var sum: f32 = 0;
        const root = game.NewMonstersViewer(self.reader, 0);
        for (root.Monsters(self.reader)) |*monster| {
            for (monster.Data(self.reader).Path(self.reader)) |*p| {
                sum += p.X() + p.Y() + p.Z();
            }
        }
        self.sum = sum;
        std.mem.doNotOptimizeAway(sum);
    }
};

const SumUint8 = struct {
    reader: *karmem.Reader,
    sum: u32 = 0,
    fn run(self: *SumUint8) !void {
        var sum: u32 = 0;
        const root = game.NewMonstersViewer(self.reader, 0);
        for (root.Monsters(self.reader)) |*monster| {
            for (monster.Data(self.reader).Inventory(self.reader)) |b| {
                sum +%= b;
            }
        }
        self.sum = sum;
        std.mem.doNotOptimizeAway(sum);
    }
};

const SumStats = struct {
    reader: *karmem.Reader,
    writer: *karmem.Writer,
    fn run(self: *SumStats) !void {
        var sum = game.NewWeaponData();
        const root = game.NewMonstersViewer(self.reader, 0);
        for (root.Monsters(self.reader)) |*monster| {
            for (monster.Data(self.reader).Weapons()) |*weapon| {
                const data = weapon.Data(self.reader);
                sum.Damage +%= data.Damage();
                sum.Ammo +%= data.Ammo();
                sum.ClipSize +%= data.ClipSize();
                sum.ReloadTime += data.ReloadTime();
                sum.Range +%= data.Range();
            }
        }
        self.writer.Reset();
        _ = try sum.WriteAsRoot(self.writer);
        std.mem.doNotOptimizeAway(self.writer.Bytes().ptr);
    }
};

const Memcpy = struct {
    src: []const u8,
    dst: []u8,
    fn run(self: *Memcpy) !void {
        @memcpy(self.dst.ptr, self.src.ptr, self.src.len);
        std.mem.doNotOptimizeAway(self.dst.ptr);
    }
};

const NativeSum = struct {
    floats: []const f32,
    fn run(self: *NativeSum) !void {
        // The same additions as DecodeSumVec3: sum += X + Y + Z per point.
        var sum: f32 = 0;
        var k: usize = 0;
        while (k < self.floats.len) : (k += 3) {
            sum += self.floats[k] + self.floats[k + 1] + self.floats[k + 2];
        }
        std.mem.doNotOptimizeAway(sum);
    }
};

pub fn main() !void {
    var arena_state = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    const alloc = arena_state.allocator();
    const args = try std.process.argsAlloc(alloc);
    const seconds: u64 = if (args.len > 1) try std.fmt.parseInt(u64, args[1], 10) else 2;
    const budget = seconds * std.time.ns_per_s;

    // The message of codegen/benchmark.md.
    var prng = std.rand.DefaultPrng.init(0x6A3E);
    const random = prng.random();
    var value = game.NewMonsters();
    value.Monsters = try alloc.alloc(game.Monster, monster_count);
    var floats = try alloc.alloc(f32, monster_count * path_len * 3);
    for (value.Monsters) |*m, i| {
        m.* = game.NewMonster();
        const d = &m.Data;
        d.Pos = game.Vec3{ .X = 1, .Y = 2, .Z = 3 };
        d.Mana = @intCast(i16, i);
        d.Health = @intCast(i16, 2 * i);
        d.Name = try alloc.dupe(u8, name);
        d.Team = game.EnumTeam.Aliens;
        d.Color = game.EnumColor.Red;
        d.IsAlive = i % 2 == 0;
        d.Inventory = try alloc.alloc(u8, 100);
        std.mem.set(u8, d.Inventory, @intCast(u8, i % 256));
        d.Hitbox = [_]f64{ 4.2, 313.12, 4.02, 90, -2942.123 };
        d.Status = try alloc.dupe(i32, &[_]i32{ 23123, 83859, 30123123, 34123, -23111, -923, 93123, 11123 });
        for (d.Weapons) |*w, j| {
            w.Data = game.WeaponData{
                .Damage = 100 + @intCast(i32, i),
                .Ammo = @intCast(u16, j),
                .ClipSize = @intCast(u8, i % 256),
                .ReloadTime = 1.4232242,
                .Range = @intCast(i32, i),
            };
        }
        d.Path = try alloc.alloc(game.Vec3, path_len);
        for (d.Path) |*p, j| {
            p.* = game.Vec3{
                .X = random.float(f32),
                .Y = @intToFloat(f32, i),
                .Z = @intToFloat(f32, i * j) * 0.33,
            };
            floats[(i * path_len + j) * 3 + 0] = p.X;
            floats[(i * path_len + j) * 3 + 1] = p.Y;
            floats[(i * path_len + j) * 3 + 2] = p.Z;
        }
    }

    var writer = try karmem.NewWriter(std.heap.page_allocator, 4 << 20);
    _ = try value.WriteAsRoot(&writer);
    const message = try alloc.dupe(u8, writer.Bytes());
    std.debug.print("message: {d} bytes, zig {}, mode {s}\n", .{ message.len, @import("builtin").zig_version, @tagName(@import("builtin").mode) });

    var reader = karmem.NewReader(alloc, message);
    var decoded = game.NewMonsters();
    // The first decode allocates the vectors; after it the reader may not allocate at all.
    try decoded.ReadAsRoot(&reader);
    reader.allocator = std.testing.failing_allocator;

    var stats_writer = try karmem.NewWriter(std.heap.page_allocator, 1024);
    var encode = Encode{ .value = &value, .writer = &writer };
    var decode = Decode{ .value = &decoded, .reader = &reader };
    var sum_vec3 = SumVec3{ .reader = &reader };
    var sum_uint8 = SumUint8{ .reader = &reader };
    var sum_stats = SumStats{ .reader = &reader, .writer = &stats_writer };
    var copy = Memcpy{ .src = message, .dst = try alloc.alloc(u8, message.len) };
    var native = NativeSum{ .floats = floats };

    const capacity = writer.capacity;
    const t_memcpy = try measure("floor memcpy", &copy, budget);
    const t_native = try measure("floor float sum", &native, budget);
    const t_encode = try measure("EncodeObjectAPI", &encode, budget);
    const t_decode = try measure("DecodeObjectAPI", &decode, budget);
    const t_vec3 = try measure("DecodeSumVec3", &sum_vec3, budget);
    _ = try measure("DecodeSumUint8", &sum_uint8, budget);
    _ = try measure("DecodeSumStats", &sum_stats, budget);
    if (writer.capacity != capacity) return error.WriterGrew;
    if (!std.mem.eql(u8, writer.Bytes(), message)) return error.EncodingChanged;
    std.debug.print("ratios: encode/memcpy {d:.1}, decode/memcpy {d:.1}, sumvec3/native-sum {d:.1}\n", .{
        t_encode / t_memcpy, t_decode / t_memcpy, t_vec3 / t_native,
    });
}
