//! Who talks to whom: the nodes, the links between them, and the routing of messages and
//! wake-ups to the components that live on each node.

use hkic_base::SimTime;
use hkic_kernel::{DropCause, Kernel, Network, NodeId, Streams, Verdict};
use hkic_services::io::{Address, Output};
use hkic_services::messages::{CentreId, Message};
use hkic_terminals::{BookingAppInput, TagKioskInput};

use crate::checkers::Violation;
use crate::config::{Config, LinkName};
use crate::event::{Event, Observation};
use crate::world::World;

/// The central services (the booking service today).
pub const CENTRAL: NodeId = NodeId(0);
/// Residents' phones and browsers: the booking app.
pub const PUBLIC: NodeId = NodeId(1);
/// The one centre of this scenario.
pub const CENTRE: CentreId = CentreId(0);
const FIRST_KIOSK: u16 = 2;

pub fn kiosk_node(kiosk: u16) -> NodeId {
    NodeId(FIRST_KIOSK + kiosk)
}

pub fn address(node: NodeId) -> Address {
    Address(node.0)
}

fn node(address: Address) -> NodeId {
    NodeId(address.0)
}

pub fn network(config: &Config, streams: &Streams) -> Network {
    let kiosks = config.centre.tag_kiosks;
    let mut network = Network::new(usize::from(FIRST_KIOSK + kiosks));
    network.connect(PUBLIC, CENTRAL, config.public_latency.clone(), streams);
    for kiosk in 0..kiosks {
        network.connect(
            kiosk_node(kiosk),
            CENTRAL,
            config.centre_latency.clone(),
            streams,
        );
    }
    network
}

/// The two sides of a named link.
pub fn link_sides(config: &Config, link: LinkName) -> (Vec<NodeId>, Vec<NodeId>) {
    match link {
        LinkName::PublicCentral => (vec![PUBLIC], vec![CENTRAL]),
        LinkName::CentreCentral => (
            (0..config.centre.tag_kiosks).map(kiosk_node).collect(),
            vec![CENTRAL],
        ),
    }
}

impl World {
    /// Hands a message to the network, which decides if and when it arrives.
    pub(crate) fn send(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        message: Message,
    ) {
        let plan = self.network.send(now, from, to, &mut self.faults);
        let resident = message.resident().map(|resident| resident.0);
        let fate = match (
            plan.dropped,
            plan.duplicate.is_some(),
            plan.delayed,
            plan.held,
        ) {
            (Some(DropCause::Loss), ..) => "lost",
            (Some(DropCause::Partition), ..) => "partitioned",
            (None, true, _, _) => "duplicated",
            (None, _, true, _) => "delayed",
            (None, _, _, true) => "held",
            (None, false, false, false) => "sent",
        };
        let mut observation = Observation::new("net.send", fate).number(u64::from(to.0));
        observation.resident = resident;
        kernel.observe(&observation);
        for at in [plan.arrival, plan.duplicate].into_iter().flatten() {
            kernel.schedule(
                at,
                Event::Deliver {
                    from,
                    to,
                    message: message.clone(),
                },
            );
        }
    }

    pub(crate) fn deliver(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        from: NodeId,
        to: NodeId,
        message: Message,
    ) -> Result<(), Violation> {
        match self.network.verdict(now, from, to) {
            Verdict::Deliver => {}
            Verdict::Drop => {
                let mut observation = Observation::new("net.drop", "partitioned");
                observation.resident = message.resident().map(|resident| resident.0);
                kernel.observe(&observation);
                return Ok(());
            }
            Verdict::HoldUntil(until) => {
                kernel.schedule(until, Event::Deliver { from, to, message });
                return Ok(());
            }
        }
        let from = address(from);
        match to {
            CENTRAL => self.booking_message(kernel, now, from, message),
            PUBLIC => {
                self.app
                    .handle_input(now, BookingAppInput::Message { from, message });
                self.drain_app(kernel, now)
            }
            kiosk => {
                let index = kiosk.0 - FIRST_KIOSK;
                self.kiosks[usize::from(index)]
                    .handle_input(now, TagKioskInput::Message { from, message });
                self.drain_kiosk(kernel, now, index)
            }
        }
    }

    pub(crate) fn wake(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        node: NodeId,
    ) -> Result<(), Violation> {
        match node {
            PUBLIC => {
                self.app.handle_input(now, BookingAppInput::Wake);
                self.drain_app(kernel, now)
            }
            CENTRAL => Ok(()),
            kiosk => {
                let index = kiosk.0 - FIRST_KIOSK;
                self.kiosks[usize::from(index)].handle_input(now, TagKioskInput::Wake);
                self.drain_kiosk(kernel, now, index)
            }
        }
    }

    pub(crate) fn drain_app(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
    ) -> Result<(), Violation> {
        while let Some(output) = self.app.poll_output() {
            match output {
                Output::Send { to, message } => self.send(kernel, now, PUBLIC, node(to), message),
                Output::WakeAt(at) => kernel.schedule(at.max(now), Event::Wake { node: PUBLIC }),
                Output::Event(event) => self.on_app_event(kernel, now, event)?,
                Output::Disk(_) | Output::Halt(_) => unreachable!("the booking app has no disk"),
            }
        }
        Ok(())
    }

    pub(crate) fn drain_kiosk(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        index: u16,
    ) -> Result<(), Violation> {
        while let Some(output) = self.kiosks[usize::from(index)].poll_output() {
            match output {
                Output::Send { to, message } => {
                    self.send(kernel, now, kiosk_node(index), node(to), message)
                }
                Output::WakeAt(at) => kernel.schedule(
                    at.max(now),
                    Event::Wake {
                        node: kiosk_node(index),
                    },
                ),
                Output::Event(event) => self.on_kiosk_event(kernel, now, index, event)?,
                Output::Disk(_) | Output::Halt(_) => unreachable!("kiosks have no disk"),
            }
        }
        Ok(())
    }
}
