//! Upstream's benchmark workload (`codegen/benchmark.md`) on the Rust target: the message,
//! and the five operations, shared by `benches/game.rs` and `tests/game_alloc.rs`.

use super::game::{Monster, MonsterData, Monsters, MonstersViewer, Team, Vec3, WeaponData};
use karmem_runtime::{Reader, WriteError, Writer};

/// 16 characters mixing ASCII with 2- and 3-byte UTF-8 (`benchmark.md`: "any fixed string of
/// that shape").
pub const NAME: &str = "Orc-é€ß日本Zz9αβγ!";

/// The `Monsters` value of `benchmark.md`: 1000 monsters, each with 100 path points.
pub fn monsters() -> Monsters {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut random = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 40) as f32 / (1u64 << 24) as f32
    };
    let mut monsters = Monsters::new();
    for i in 0..1000u32 {
        let mut data = MonsterData {
            pos: Vec3 {
                x: 1.0,
                y: 2.0,
                z: 3.0,
            },
            mana: i as i16,
            health: (2 * i) as i16,
            name: NAME.to_string(),
            team: Team::ALIENS,
            inventory: vec![(i % 256) as u8; 100],
            hitbox: [4.2, 313.12, 4.02, 90.0, -2942.123],
            status: vec![23123, 83859, 30123123, 34123, -23111, -923, 93123, 11123],
            is_alive: i % 2 == 0,
            ..MonsterData::new()
        };
        for (j, weapon) in data.weapons.iter_mut().enumerate() {
            weapon.data = WeaponData {
                damage: 100 + i as i32,
                ammo: j as u16,
                clip_size: (i % 256) as u8,
                reload_time: 1.4232242,
                range: i as i32,
            };
        }
        data.path = (0..100u32)
            .map(|j| Vec3 {
                x: random(),
                y: i as f32,
                z: (i * j) as f32 * 0.33,
            })
            .collect();
        monsters.monsters.push(Monster { data });
    }
    monsters
}

/// EncodeObjectAPI: the whole value into a re-used writer.
pub fn encode(monsters: &Monsters, w: &mut Writer) -> Result<u32, WriteError> {
    w.reset();
    monsters.write_as_root(w)
}

/// DecodeObjectAPI: the whole message into a re-used value.
pub fn decode(message: &[u8], into: &mut Monsters) {
    into.read_as_root(&Reader::new(message));
}

/// DecodeSumVec3: `Monsters[*].Data.Path[*]` summed through the viewers (as upstream: one
/// float32 accumulator per coordinate).
pub fn sum_vec3(message: &[u8]) -> Vec3 {
    let r = Reader::new(message);
    let mut sum = Vec3::new();
    for monster in MonstersViewer::new(&r, 0).monsters() {
        for p in monster.data().path() {
            sum.x += p.x();
            sum.y += p.y();
            sum.z += p.z();
        }
    }
    sum
}

/// DecodeSumUint8: every `Inventory` byte through the viewers, as u32.
pub fn sum_inventory(message: &[u8]) -> u32 {
    let r = Reader::new(message);
    let mut sum = 0u32;
    for monster in MonstersViewer::new(&r, 0).monsters() {
        for b in monster.data().inventory().as_bytes() {
            sum = sum.wrapping_add(u32::from(*b));
        }
    }
    sum
}

/// DecodeSumStats: the five `WeaponData` fields summed over every weapon of every monster,
/// then written as a new root message.
pub fn sum_stats(message: &[u8], w: &mut Writer) -> Result<u32, WriteError> {
    let r = Reader::new(message);
    let mut sum = WeaponData::new();
    for monster in MonstersViewer::new(&r, 0).monsters() {
        for weapon in monster.data().weapons() {
            let d = weapon.data();
            sum.damage = sum.damage.wrapping_add(d.damage());
            sum.ammo = sum.ammo.wrapping_add(d.ammo());
            sum.clip_size = sum.clip_size.wrapping_add(d.clip_size());
            sum.reload_time += d.reload_time();
            sum.range = sum.range.wrapping_add(d.range());
        }
    }
    w.reset();
    sum.write_as_root(w)
}

/// The floor of DecodeSumVec3: the same floats summed from a native array.
pub fn sum_native(points: &[Vec3]) -> Vec3 {
    let mut sum = Vec3::new();
    for p in points {
        sum.x += p.x;
        sum.y += p.y;
        sum.z += p.z;
    }
    sum
}
