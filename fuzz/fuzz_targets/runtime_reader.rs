//! Fuzz target: any bytes → the generated zero-copy viewers (Rust target + `karmem-runtime`)
//! must not panic, whatever the bytes.
//!
//! The first byte picks a root type of three schemas (`game.km`, the non-packed example
//! schema of `codegen/common.md` §8, the edge cases of `tests/tests/rust_target.rs`); the
//! rest is the message. Each root is walked completely through its viewer: `km_charge`
//! (every slice and nested struct), and, when the message decodes to less than 1 MiB,
//! `Debug` (every accessor, recursively), plus random-index `get`s on slices.

#![no_main]

use karmem_runtime::{Budget, Reader};
use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "generated/demo_generated.rs"]
mod demo;
#[allow(dead_code)]
#[path = "generated/edge_generated.rs"]
mod edge;
#[allow(dead_code)]
#[path = "../../codegen/runtime/rust/benches/game/game_generated.rs"]
mod game;

macro_rules! walk {
    ($viewer:ty, $r:expr) => {{
        let v = <$viewer>::new($r, 0);
        let _ = (v.km_size(), v.km_bytes().len());
        let mut budget = Budget::new(1 << 20);
        if v.km_charge(&mut budget).is_ok() {
            let text = format!("{v:?}");
            std::hint::black_box(text);
        }
        v
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, message)) = data.split_first() else {
        return;
    };
    let r = Reader::new(message);
    match selector % 16 {
        0 => {
            let v = walk!(game::MonstersViewer, &r);
            // The benchmark's zero-copy walk.
            let mut sum = 0f32;
            for m in v.monsters() {
                for p in m.data().path() {
                    sum += p.x() + p.y() + p.z();
                }
                let _ = m.data().name().to_str();
                let _ = m.data().inventory().as_bytes();
            }
            std::hint::black_box(sum);
            let n = usize::from(selector);
            let _ = v.monsters().get(n).map(|m| m.data().weapons().get(n % 5));
        }
        1 => {
            walk!(game::MonsterDataViewer, &r);
        }
        2 => {
            walk!(game::WeaponViewer, &r);
        }
        3 => {
            walk!(game::Vec3Viewer, &r);
        }
        4 => {
            let v = walk!(demo::ItemViewer, &r);
            let _ = v.name().to_string_lossy();
            let _ = v
                .refs()
                .iter()
                .rev()
                .map(|x| x.r#ref().label().len())
                .sum::<usize>();
            let _ = v.path().get(usize::MAX);
        }
        5 => {
            walk!(demo::MetaRefViewer, &r);
        }
        6 => {
            walk!(demo::PointViewer, &r);
        }
        7 => {
            walk!(edge::PrimsViewer, &r);
        }
        8 => {
            walk!(edge::PackedPrimsViewer, &r);
        }
        9 => {
            walk!(edge::ZeroUserViewer, &r);
        }
        10 => {
            walk!(edge::KeywordsViewer, &r);
        }
        11 => {
            walk!(edge::RootInlineViewer, &r);
        }
        12 => {
            walk!(edge::SmallViewer, &r);
        }
        13 => {
            walk!(edge::ByteEnumViewer, &r);
        }
        14 => {
            walk!(demo::MetaViewer, &r);
        }
        _ => {
            walk!(game::MonsterViewer, &r);
        }
    }
});
