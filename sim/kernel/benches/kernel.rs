//! The classic "hold" benchmark: N pending timers; each, when it fires, re-arms itself with a
//! random delay. Trace hashing is on, as in every real run. Throughput is events per second.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hkic_base::{DurationDist, SimDuration, SimTime, Stream};
use hkic_kernel::{Fields, Flow, Kernel, Limits, StreamLabel, Streams, Trace, TraceRecord};

struct Timer(u32);

impl TraceRecord for Timer {
    fn kind(&self) -> &'static str {
        "timer"
    }
    fn write_fields(&self, fields: &mut Fields<'_>) {
        fields.u64("timer", u64::from(self.0));
    }
}

struct Hold {
    kernel: Kernel<Timer>,
    stream: Stream,
    delay: DurationDist,
}

/// `pending` timers armed with exponential delays (mean 100 ms), then warmed up with as many
/// events again so the queue's buckets are in their steady state.
fn armed(pending: u32) -> Hold {
    let streams = Streams::new(1);
    let mut stream = streams.stream(StreamLabel::new(1, 0, 0));
    let delay = DurationDist::exponential(SimDuration::from_millis(100)).expect("valid");
    let mut kernel = Kernel::new(SimTime::EPOCH, Trace::new());
    for timer in 0..pending {
        kernel.schedule(SimTime::EPOCH + delay.sample(&mut stream), Timer(timer));
    }
    let mut hold = Hold {
        kernel,
        stream,
        delay,
    };
    run(&mut hold, u64::from(pending));
    hold
}

/// Runs `events` more steps of the hold model; returns the trace hash.
fn run(hold: &mut Hold, events: u64) -> u64 {
    let Hold {
        kernel,
        stream,
        delay,
    } = hold;
    let limits = Limits {
        until: SimTime::MAX,
        max_steps: kernel.steps() + events,
    };
    kernel.run(limits, |kernel, now, timer| {
        kernel.schedule(now + delay.sample(stream), timer);
        Flow::Continue
    });
    kernel.trace().hash().0
}

/// The same model on `std::collections::BinaryHeap`, for comparison: the reason the kernel
/// uses a radix heap.
fn run_binary_heap(pending: u32, events: u64) -> u64 {
    let streams = Streams::new(1);
    let mut stream = streams.stream(StreamLabel::new(1, 0, 0));
    let delay = DurationDist::exponential(SimDuration::from_millis(100)).expect("valid");
    let mut heap = BinaryHeap::new();
    let mut trace = Trace::new();
    let mut sequence = 0u64;
    for timer in 0..pending {
        heap.push(Reverse((
            delay.sample(&mut stream).as_nanos(),
            sequence,
            timer,
        )));
        sequence += 1;
    }
    for _ in 0..events + u64::from(pending) {
        let Some(Reverse((time, _, timer))) = heap.pop() else {
            break;
        };
        trace.record(SimTime::from_nanos(time), &Timer(timer));
        heap.push(Reverse((
            time + delay.sample(&mut stream).as_nanos(),
            sequence,
            timer,
        )));
        sequence += 1;
    }
    trace.hash().0
}

fn bench_hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("hold");
    group.sample_size(10);
    for pending in [1_000u32, 1_000_000] {
        let events = 2_000_000u64;
        group.throughput(Throughput::Elements(events));
        group.bench_with_input(
            BenchmarkId::from_parameter(pending),
            &pending,
            |b, &pending| {
                b.iter_batched_ref(
                    || armed(pending),
                    |hold| black_box(run(hold, events)),
                    BatchSize::LargeInput,
                );
            },
        );
    }
    group.finish();
    let mut group = c.benchmark_group("hold_binary_heap");
    group.sample_size(10);
    for pending in [1_000u32, 1_000_000] {
        let events = 2_000_000u64;
        // Arming is included in the time; throughput counts the events run.
        group.throughput(Throughput::Elements(events + u64::from(pending)));
        group.bench_with_input(
            BenchmarkId::from_parameter(pending),
            &pending,
            |b, &pending| {
                b.iter(|| black_box(run_binary_heap(pending, events)));
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_hold);
criterion_main!(benches);
