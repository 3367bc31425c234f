//! 1:1 comparison time (issue 4: under 50 microseconds), on synthetic thumbs: genuine pairs
//! (the same thumb captured twice) and impostor pairs, normal and poor.
//!
//! Run with `cargo bench -p hkic-biometrics --bench compare`.

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use hkic_biometrics::{Matcher, Scratch, Template};
use hkic_devices::biometric::{FingerQuality, SyntheticPopulation};
use std::hint::black_box;

/// Right-thumb pairs (probe, reference) of 64 residents of the wanted quality.
fn pairs(quality: FingerQuality, genuine: bool) -> Vec<(Template, Template)> {
    let population = SyntheticPopulation::new(1);
    let residents: Vec<u64> = (0..20_000)
        .filter(|&r| population.resident(r).quality == quality)
        .take(65)
        .collect();
    residents
        .windows(2)
        .filter_map(|window| {
            let owner = if genuine { window[0] } else { window[1] };
            let [probe, _] = common::templates(&population, window[0], 1);
            let [reference, _] = common::templates(&population, owner, 0);
            Some((probe?, reference?))
        })
        .collect()
}

fn comparisons(criterion: &mut Criterion) {
    let matcher = Matcher::default();
    let mut scratch = Scratch::default();
    for (name, quality, genuine) in [
        ("compare/genuine normal", FingerQuality::Normal, true),
        ("compare/impostor normal", FingerQuality::Normal, false),
        ("compare/genuine poor", FingerQuality::Poor, true),
        ("compare/impostor poor", FingerQuality::Poor, false),
    ] {
        let pairs = pairs(quality, genuine);
        let mut next = 0;
        criterion.bench_function(name, |bencher| {
            bencher.iter(|| {
                let (probe, reference) = &pairs[next % pairs.len()];
                next += 1;
                black_box(matcher.compare(black_box(probe), black_box(reference), &mut scratch))
            })
        });
    }
}

criterion_group!(benches, comparisons);
criterion_main!(benches);
