//! Analysis throughput on generated schemas of 1k, 4k and 16k declarations (the 16k one is
//! about 2.2 MB). Run with `cargo bench -p karmem-tests --bench analysis`; criterion
//! reports the time per analysis and the throughput in MB/s (decimal megabytes, `Throughput::BytesDecimal`).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use karmem_syntax::{analyze, AnalysisOptions};
use karmem_tests::gen::large_schema;

fn analysis(c: &mut Criterion) {
    let mut group = c.benchmark_group("analyze");
    group.sample_size(20);
    for decls in [1_000usize, 4_000, 16_000] {
        let text = large_schema(decls, 1);
        group.throughput(Throughput::BytesDecimal(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(decls), &text, |b, text| {
            b.iter(|| analyze(black_box(text), &AnalysisOptions::default()))
        });
    }
    group.finish();
}

criterion_group!(benches, analysis);
criterion_main!(benches);
