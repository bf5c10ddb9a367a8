//! Upstream's benchmark (`codegen/benchmark.md`) ported to the Rust target: `game.km`, a
//! `Monsters` message of 1000 monsters, five operations, and two floors measured in the same
//! run (a `memcpy` of the message, and the Vec3 sum over a native array).
//!
//! `game/game_generated.rs` is `karmem build --rust` output for `game.km` (kept current by
//! `tests/tests/rust_target.rs`). Run: `cargo bench -p karmem-runtime --bench game`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

#[allow(dead_code)]
#[path = "game/game_generated.rs"]
mod game;
#[path = "game/workload.rs"]
mod workload;

use karmem_runtime::Writer;

fn bench(c: &mut Criterion) {
    let monsters = workload::monsters();
    let message = monsters.encode().expect("encode");
    let points: Vec<game::Vec3> = monsters
        .monsters
        .iter()
        .flat_map(|m| m.data.path.iter().cloned())
        .collect();

    let mut g = c.benchmark_group("game");
    g.throughput(Throughput::Bytes(message.len() as u64));
    let mut w = Writer::new(message.len());
    g.bench_function("EncodeObjectAPI", |b| {
        b.iter(|| workload::encode(black_box(&monsters), &mut w))
    });
    let mut decoded = game::Monsters::new();
    workload::decode(&message, &mut decoded);
    g.bench_function("DecodeObjectAPI", |b| {
        b.iter(|| workload::decode(black_box(&message), &mut decoded))
    });
    g.bench_function("DecodeSumVec3", |b| {
        b.iter(|| workload::sum_vec3(black_box(&message)))
    });
    g.bench_function("DecodeSumUint8", |b| {
        b.iter(|| workload::sum_inventory(black_box(&message)))
    });
    let mut w = Writer::new(64);
    g.bench_function("DecodeSumStats", |b| {
        b.iter(|| workload::sum_stats(black_box(&message), &mut w))
    });
    // Floors.
    let mut copy = vec![0u8; message.len()];
    g.bench_function("floor: memcpy of the message", |b| {
        b.iter(|| copy.copy_from_slice(black_box(&message)))
    });
    g.bench_function("floor: Vec3 sum over a native array", |b| {
        b.iter(|| workload::sum_native(black_box(&points)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
