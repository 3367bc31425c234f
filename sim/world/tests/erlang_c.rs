//! Queueing theory check of the kernel, the streams and the server pool together: an M/M/c
//! queue (Poisson arrivals, exponential service, c servers, one FIFO queue) simulated with the
//! same `ServerPool` the centre uses. The mean wait in queue, estimated by batch means after
//! a warm-up, must contain the Erlang C value in its 99% confidence interval.

use hkic_base::{DurationDist, SimDuration, SimTime};
use hkic_kernel::{Fields, Flow, Kernel, Limits, StreamLabel, Streams, Trace, TraceRecord};
use hkic_world::ServerPool;

#[derive(Debug)]
enum Event {
    Arrival,
    Done { server: u16 },
}

impl TraceRecord for Event {
    fn kind(&self) -> &'static str {
        match self {
            Event::Arrival => "arrival",
            Event::Done { .. } => "done",
        }
    }
    fn write_fields(&self, fields: &mut Fields<'_>) {
        if let Event::Done { server } = self {
            fields.u64("server", u64::from(*server));
        }
    }
}

/// Erlang C: the mean wait in queue of M/M/c with arrival rate `lambda` and service rate `mu`.
fn erlang_c_mean_wait(servers: u32, lambda: f64, mu: f64) -> f64 {
    let offered = lambda / mu;
    let utilisation = offered / f64::from(servers);
    assert!(utilisation < 1.0);
    // sum_{k<c} a^k / k!, and a^c / c!, computed iteratively.
    let mut term = 1.0;
    let mut sum = 0.0;
    for k in 0..servers {
        sum += term;
        term *= offered / f64::from(k + 1);
    }
    let top = term / (1.0 - utilisation);
    let probability_of_waiting = top / (sum + top);
    probability_of_waiting / (f64::from(servers) * mu - lambda)
}

/// Student's t at 99% two-sided for 29 degrees of freedom.
const T_99_29: f64 = 2.756;
const BATCHES: usize = 30;

/// Simulates `warm_up + BATCHES * batch` customers; returns the batch means of the wait in
/// queue (seconds), in order of service start.
fn batch_means(
    servers: u16,
    utilisation: f64,
    warm_up: usize,
    batch: usize,
    seed: u64,
) -> Vec<f64> {
    let service_mean = SimDuration::from_secs(60);
    let lambda = utilisation * f64::from(servers) / service_mean.as_secs_f64();
    let interarrival = DurationDist::exponential(SimDuration::from_secs_f64(1.0 / lambda)).unwrap();
    let service = DurationDist::exponential(service_mean).unwrap();
    let streams = Streams::new(seed);
    let mut arrivals = streams.stream(StreamLabel::new(1, 0, 1));
    let mut services = streams.stream(StreamLabel::new(1, 0, 2));
    let mut pool = ServerPool::new(servers, vec![(SimTime::EPOCH, SimTime::MAX)]);
    let mut kernel = Kernel::new(SimTime::EPOCH, Trace::new());
    let customers = warm_up + BATCHES * batch;
    let mut waits: Vec<f64> = Vec::with_capacity(customers);
    let mut arrived = 0usize;
    kernel.schedule(
        SimTime::EPOCH + interarrival.sample(&mut arrivals),
        Event::Arrival,
    );
    kernel.run(Limits::default(), |kernel, now, event| {
        match event {
            Event::Arrival => {
                pool.enqueue(arrived as u32, now);
                arrived += 1;
                if arrived < customers {
                    kernel.schedule(now + interarrival.sample(&mut arrivals), Event::Arrival);
                }
            }
            Event::Done { server } => {
                pool.finish(server, now);
            }
        }
        while let Some((server, _, queued_at)) = pool.assign(now) {
            waits.push(now.saturating_since(queued_at).as_secs_f64());
            kernel.schedule(now + service.sample(&mut services), Event::Done { server });
        }
        if waits.len() >= customers {
            Flow::Stop
        } else {
            Flow::Continue
        }
    });
    waits[warm_up..]
        .chunks(batch)
        .map(|chunk| chunk.iter().sum::<f64>() / chunk.len() as f64)
        .collect()
}

fn check(servers: u16, utilisation: f64, batch: usize) {
    let means = batch_means(servers, utilisation, batch, batch, 1);
    assert_eq!(means.len(), BATCHES);
    let estimate = means.iter().sum::<f64>() / BATCHES as f64;
    let variance =
        means.iter().map(|m| (m - estimate).powi(2)).sum::<f64>() / (BATCHES as f64 - 1.0);
    let half_width = T_99_29 * (variance / BATCHES as f64).sqrt();
    let lambda = utilisation * f64::from(servers) / 60.0;
    let expected = erlang_c_mean_wait(u32::from(servers), lambda, 1.0 / 60.0);
    assert!(
        (estimate - expected).abs() <= half_width,
        "c={servers}, rho={utilisation}: mean wait {estimate:.2} s ± {half_width:.2} does not contain Erlang C {expected:.2} s"
    );
    // The interval must be informative, not wide enough to contain anything.
    assert!(
        half_width < expected * 0.25,
        "c={servers}: interval ±{half_width:.2} s is too wide for {expected:.2} s"
    );
}

#[test]
fn erlang_c_formula_matches_known_values() {
    // M/M/1: Wq = rho / (mu - lambda) = 0.9 / 0.1 = 9 service times.
    assert!((erlang_c_mean_wait(1, 0.9, 1.0) - 9.0).abs() < 1e-9);
    // M/M/2 at a = 1 (rho 0.5): C = 1/3, Wq = C / (2 - 1) = 1/3.
    assert!((erlang_c_mean_wait(2, 1.0, 1.0) - 1.0 / 3.0).abs() < 1e-9);
}

#[test]
fn one_server_at_ninety_percent() {
    check(1, 0.9, 40_000);
}

#[test]
fn five_servers_at_eighty_percent() {
    check(5, 0.8, 20_000);
}

#[test]
fn ten_servers_at_ninety_five_percent() {
    check(10, 0.95, 40_000);
}
