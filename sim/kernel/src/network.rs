//! The simulated network: per-link latency, and the network faults (loss, duplication,
//! delay, which reorders, and partitions).
//!
//! The network decides *when* (and whether) a message arrives; it does not hold payloads.
//! The world keeps payloads and schedules one delivery event per planned arrival, then asks
//! [`Network::verdict`] at delivery time, because a partition may have begun while the
//! message was in flight.

use std::fmt;

use hkic_base::{DurationDist, SimDuration, SimTime, Stream};

use crate::faults::{FaultInjector, FaultKind};
use crate::streams::{StreamLabel, Streams};

/// Stream domain for link latencies.
pub const NETWORK_DOMAIN: u16 = 0xF001;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u16);

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "node{}", self.0)
    }
}

/// What a partition does to messages that meet it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionMode {
    /// Messages are lost, as on a cut cable.
    Drop,
    /// Messages wait and are delivered once it heals, as TCP retransmission would.
    Hold,
}

#[derive(Clone, Debug)]
struct Partition {
    /// Membership flags indexed by node id.
    side_a: Vec<bool>,
    side_b: Vec<bool>,
    mode: PartitionMode,
    until: SimTime,
}

impl Partition {
    fn separates(&self, from: NodeId, to: NodeId) -> bool {
        let (from, to) = (usize::from(from.0), usize::from(to.0));
        (self.side_a[from] && self.side_b[to]) || (self.side_b[from] && self.side_a[to])
    }
}

/// Why a message will not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropCause {
    Loss,
    Partition,
}

/// The network's plan for one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendPlan {
    /// When the message arrives, unless dropped.
    pub arrival: Option<SimTime>,
    /// When a duplicate arrives, if the message was duplicated.
    pub duplicate: Option<SimTime>,
    pub dropped: Option<DropCause>,
    /// True when the message took an extra delay (and may overtake or be overtaken).
    pub delayed: bool,
    /// True when a holding partition postponed it.
    pub held: bool,
}

/// What to do with a message whose delivery time has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Deliver,
    Drop,
    HoldUntil(SimTime),
}

pub struct Network {
    nodes: usize,
    /// Row-major `nodes × nodes`; `None` where two nodes cannot talk.
    links: Vec<Option<(DurationDist, Stream)>>,
    partitions: Vec<Partition>,
}

impl fmt::Debug for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Network")
            .field("nodes", &self.nodes)
            .field("partitions", &self.partitions.len())
            .finish()
    }
}

impl Network {
    pub fn new(nodes: usize) -> Network {
        Network {
            nodes,
            links: (0..nodes * nodes).map(|_| None).collect(),
            partitions: Vec::new(),
        }
    }

    pub fn node_count(&self) -> usize {
        self.nodes
    }

    /// Connects `a` and `b` both ways; each direction draws latencies from its own stream.
    pub fn connect(&mut self, a: NodeId, b: NodeId, latency: DurationDist, streams: &Streams) {
        for (from, to) in [(a, b), (b, a)] {
            let label =
                StreamLabel::new(NETWORK_DOMAIN, u64::from(from.0) << 16 | u64::from(to.0), 0);
            let index = self.index(from, to);
            self.links[index] = Some((latency.clone(), streams.stream(label)));
        }
    }

    pub fn is_connected(&self, from: NodeId, to: NodeId) -> bool {
        self.links[self.index(from, to)].is_some()
    }

    fn index(&self, from: NodeId, to: NodeId) -> usize {
        let (from, to) = (usize::from(from.0), usize::from(to.0));
        assert!(from < self.nodes && to < self.nodes, "unknown node");
        from * self.nodes + to
    }

    /// Cuts every link between the two sides until `now + duration`.
    pub fn partition(
        &mut self,
        now: SimTime,
        side_a: &[NodeId],
        side_b: &[NodeId],
        mode: PartitionMode,
        duration: SimDuration,
    ) {
        let members = |side: &[NodeId]| {
            let mut flags = vec![false; self.nodes];
            for node in side {
                flags[usize::from(node.0)] = true;
            }
            flags
        };
        let partition = Partition {
            side_a: members(side_a),
            side_b: members(side_b),
            mode,
            until: now + duration,
        };
        self.partitions.retain(|p| p.until > now);
        self.partitions.push(partition);
    }

    /// The partition in force between two nodes at `now`, the one lasting longest if several.
    fn blocking(&self, now: SimTime, from: NodeId, to: NodeId) -> Option<&Partition> {
        self.partitions
            .iter()
            .filter(|p| p.until > now && p.separates(from, to))
            .max_by_key(|p| (p.mode == PartitionMode::Drop, p.until))
    }

    /// Plans one message from `from` to `to` sent at `now`, drawing network faults.
    pub fn send(
        &mut self,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        faults: &mut FaultInjector,
    ) -> SendPlan {
        let mut plan = SendPlan {
            arrival: None,
            duplicate: None,
            dropped: None,
            delayed: false,
            held: false,
        };
        let mut departure = now;
        match self.blocking(now, from, to).map(|p| (p.mode, p.until)) {
            Some((PartitionMode::Drop, _)) => {
                plan.dropped = Some(DropCause::Partition);
                return plan;
            }
            Some((PartitionMode::Hold, until)) => {
                plan.held = true;
                departure = until;
            }
            None => {}
        }
        if faults.inject(FaultKind::Loss, now) {
            plan.dropped = Some(DropCause::Loss);
            return plan;
        }
        let index = self.index(from, to);
        let (latency, stream) = self.links[index].as_mut().expect("nodes are not connected");
        let mut arrival = departure + latency.sample(stream);
        if faults.inject(FaultKind::Delay, now) {
            arrival += faults.extra_delay();
            plan.delayed = true;
        }
        plan.arrival = Some(arrival);
        if faults.inject(FaultKind::Duplication, now) {
            let (latency, stream) = self.links[index].as_mut().expect("checked above");
            plan.duplicate = Some(departure + latency.sample(stream));
        }
        plan
    }

    /// Whether a message whose delivery time has come may be delivered now.
    pub fn verdict(&self, now: SimTime, from: NodeId, to: NodeId) -> Verdict {
        match self.blocking(now, from, to) {
            None => Verdict::Deliver,
            Some(p) if p.mode == PartitionMode::Drop => Verdict::Drop,
            Some(p) => Verdict::HoldUntil(p.until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::{FaultProfile, FaultSpec};

    const A: NodeId = NodeId(0);
    const B: NodeId = NodeId(1);
    const C: NodeId = NodeId(2);

    fn network() -> Network {
        let streams = Streams::new(1);
        let mut network = Network::new(3);
        let latency = DurationDist::constant(SimDuration::from_millis(5));
        network.connect(A, B, latency.clone(), &streams);
        network.connect(A, C, latency, &streams);
        network
    }

    fn quiet() -> FaultInjector {
        FaultInjector::new(
            FaultProfile::none(),
            vec![(SimTime::EPOCH, SimTime::MAX)],
            &Streams::new(1),
        )
    }

    fn at(millis: u64) -> SimTime {
        SimTime::EPOCH + SimDuration::from_millis(millis)
    }

    #[test]
    fn delivers_after_the_link_latency() {
        let plan = network().send(at(0), A, B, &mut quiet());
        assert_eq!(plan.arrival, Some(at(5)));
        assert_eq!((plan.duplicate, plan.dropped), (None, None));
    }

    #[test]
    fn a_dropping_partition_drops_only_across_it_and_only_while_it_lasts() {
        let mut network = network();
        network.partition(
            at(0),
            &[A],
            &[B],
            PartitionMode::Drop,
            SimDuration::from_millis(100),
        );
        assert_eq!(
            network.send(at(10), A, B, &mut quiet()).dropped,
            Some(DropCause::Partition)
        );
        assert_eq!(
            network.send(at(10), B, A, &mut quiet()).dropped,
            Some(DropCause::Partition)
        );
        assert_eq!(
            network.send(at(10), A, C, &mut quiet()).arrival,
            Some(at(15))
        );
        assert_eq!(
            network.send(at(100), A, B, &mut quiet()).arrival,
            Some(at(105))
        );
        // A message in flight when the partition starts is dropped at delivery.
        assert_eq!(network.verdict(at(99), A, B), Verdict::Drop);
        assert_eq!(network.verdict(at(100), A, B), Verdict::Deliver);
    }

    #[test]
    fn a_holding_partition_delivers_after_it_heals() {
        let mut network = network();
        network.partition(
            at(0),
            &[A],
            &[B],
            PartitionMode::Hold,
            SimDuration::from_millis(100),
        );
        let plan = network.send(at(10), A, B, &mut quiet());
        assert_eq!((plan.arrival, plan.held), (Some(at(105)), true));
        assert_eq!(network.verdict(at(50), A, B), Verdict::HoldUntil(at(100)));
    }

    #[test]
    fn injected_faults_lose_duplicate_and_delay() {
        let mut profile = FaultProfile::none();
        profile.extra_delay = DurationDist::constant(SimDuration::from_secs(1));
        let mut network = network();
        for (kind, check) in [
            (
                FaultKind::Loss,
                (|p: SendPlan| p.dropped == Some(DropCause::Loss)) as fn(SendPlan) -> bool,
            ),
            (FaultKind::Duplication, |p: SendPlan| {
                p.duplicate == Some(at(5))
            }),
            (FaultKind::Delay, |p: SendPlan| {
                p.delayed && p.arrival == Some(at(1005))
            }),
        ] {
            let mut profile = profile.clone();
            profile.specs[kind as usize] = FaultSpec {
                rate: 1.0,
                minimum: 0,
            };
            let mut faults = FaultInjector::new(
                profile,
                vec![(SimTime::EPOCH, SimTime::MAX)],
                &Streams::new(1),
            );
            let plan = network.send(at(0), A, B, &mut faults);
            assert!(check(plan), "{kind}: {plan:?}");
            assert_eq!(faults.counts().get(kind), 1);
        }
    }
}
