//! Upstream's benchmark operations (`codegen/benchmark.md`) allocate nothing in steady
//! state: checked with a counting global allocator, on the generated `game.km` code of
//! the benchmark. Also checks the operations' results.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

#[allow(dead_code)]
#[path = "../benches/game/game_generated.rs"]
mod game;
#[path = "../benches/game/workload.rs"]
mod workload;

use karmem_runtime::{Reader, Writer};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (result, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn benchmark_operations_allocate_nothing_in_steady_state() {
    let monsters = workload::monsters();
    let message = monsters.encode().unwrap();
    // The size BENCHMARKS.md states for this workload.
    assert_eq!(message.len(), 1_550_012);

    // EncodeObjectAPI: after the first message, the writer has its capacity.
    let mut w = Writer::new(0);
    workload::encode(&monsters, &mut w).unwrap();
    assert_eq!(w.bytes(), &message[..]);
    let (_, n) = allocations(|| workload::encode(&monsters, &mut w).unwrap());
    assert_eq!(n, 0, "EncodeObjectAPI allocated");
    assert_eq!(w.bytes(), &message[..]);

    // DecodeObjectAPI into a value that already holds the message's shape.
    let mut decoded = game::Monsters::new();
    workload::decode(&message, &mut decoded);
    assert_eq!(decoded, monsters);
    let (_, n) = allocations(|| workload::decode(&message, &mut decoded));
    assert_eq!(n, 0, "DecodeObjectAPI allocated");
    assert_eq!(decoded, monsters);

    // The zero-copy operations allocate nothing at all.
    let (sum, n) = allocations(|| workload::sum_vec3(&message));
    assert_eq!(n, 0, "DecodeSumVec3 allocated");
    let native: Vec<game::Vec3> = monsters
        .monsters
        .iter()
        .flat_map(|m| m.data.path.iter().cloned())
        .collect();
    assert_eq!(sum, workload::sum_native(&native));
    let (sum, n) = allocations(|| workload::sum_inventory(&message));
    assert_eq!(n, 0, "DecodeSumUint8 allocated");
    assert_eq!(sum, (0..1000u32).map(|i| (i % 256) * 100).sum::<u32>());
    let mut w = Writer::new(0);
    workload::sum_stats(&message, &mut w).unwrap();
    let (_, n) = allocations(|| workload::sum_stats(&message, &mut w).unwrap());
    assert_eq!(n, 0, "DecodeSumStats allocated");
    let stats = game::WeaponData::decode(w.bytes());
    assert_eq!(stats.ammo, 1000 * (1 + 2 + 3));
    assert_eq!(stats.damage, (0..1000).map(|i| 4 * (100 + i)).sum::<i32>());

    // The message is the benchmark's: 1000 monsters of 100 points, names of 16 characters.
    let r = Reader::new(&message);
    let v = game::MonstersViewer::new(&r, 0);
    assert_eq!(v.monsters().len(), 1000);
    let first = v.monsters().get(0).unwrap().data();
    assert_eq!(first.name().to_str().unwrap().chars().count(), 16);
    assert_eq!(first.path().len(), 100);
    assert_eq!(first.status().len(), 8);
}
