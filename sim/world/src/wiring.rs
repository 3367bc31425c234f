//! Who talks to whom: the nodes, the links between them, and the routing of messages and
//! wake-ups to the components that live on each node.

use hkic_base::SimTime;
use hkic_kernel::{DropCause, Kernel, Network, NodeId, Streams, Verdict};
use hkic_services::booking::BookingService;
use hkic_services::io::{Address, Output};
use hkic_services::messages::{CentreId, Message};
use hkic_services::production::ProductionService;
use hkic_services::registration::RegistrationService;
use hkic_services::registry::RegistryService;
use hkic_terminals::collection_kiosk::CollectionKiosk;
use hkic_terminals::collection_kiosk::CollectionKioskInput;
use hkic_terminals::photo_counter::PhotoCounterInput;
use hkic_terminals::registration_kiosk::RegistrationKioskInput;
use hkic_terminals::{BookingAppInput, PhotoCounter, RegistrationKiosk, TagKioskInput};

use crate::checkers::Violation;
use crate::config::{Config, LinkName};
use crate::devices::Station;
use crate::event::{Event, Observation};
use crate::world::World;

/// The booking service's node.
pub const CENTRAL: NodeId = NodeId(0);
/// Residents' phones and browsers: the booking app.
pub const PUBLIC: NodeId = NodeId(1);
/// The registration service's node.
pub const REGISTRATION: NodeId = NodeId(2);
/// The card registry's node (the collection kiosks ask it).
pub const REGISTRY: NodeId = NodeId(3);
/// The production service's node.
pub const PRODUCTION: NodeId = NodeId(4);
/// The personalisation line: a machine the production service drives.
pub const LINE: NodeId = NodeId(5);
/// The one centre of this scenario.
pub const CENTRE: CentreId = CentreId(0);
const FIRST_TERMINAL: u16 = 6;

/// A terminal at the centre.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terminal {
    TagKiosk(u16),
    Station(Station),
}

/// The centre's terminals, numbered after the central nodes: tag kiosks, registration kiosks,
/// photo counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub tag_kiosks: u16,
    pub registration_kiosks: u16,
    pub photo_counters: u16,
    pub collection_kiosks: u16,
}

impl Layout {
    pub fn of(config: &Config) -> Layout {
        Layout {
            tag_kiosks: config.centre.tag_kiosks,
            registration_kiosks: config.centre.registration_kiosks,
            photo_counters: config.centre.photo_counters,
            collection_kiosks: config.centre.collection_kiosks,
        }
    }

    pub fn tag_kiosk(&self, kiosk: u16) -> NodeId {
        NodeId(FIRST_TERMINAL + kiosk)
    }

    pub fn station(&self, station: Station) -> NodeId {
        let first_station = FIRST_TERMINAL + self.tag_kiosks;
        match station {
            Station::RegistrationKiosk(kiosk) => NodeId(first_station + kiosk),
            Station::PhotoCounter(counter) => {
                NodeId(first_station + self.registration_kiosks + counter)
            }
            Station::CollectionKiosk(kiosk) => {
                NodeId(first_station + self.registration_kiosks + self.photo_counters + kiosk)
            }
        }
    }

    pub fn terminal(&self, node: NodeId) -> Option<Terminal> {
        let index = node.0.checked_sub(FIRST_TERMINAL)?;
        if index < self.tag_kiosks {
            return Some(Terminal::TagKiosk(index));
        }
        let index = index - self.tag_kiosks;
        if index < self.registration_kiosks {
            return Some(Terminal::Station(Station::RegistrationKiosk(index)));
        }
        let index = index - self.registration_kiosks;
        if index < self.photo_counters {
            return Some(Terminal::Station(Station::PhotoCounter(index)));
        }
        let index = index - self.photo_counters;
        (index < self.collection_kiosks)
            .then_some(Terminal::Station(Station::CollectionKiosk(index)))
    }

    /// Every terminal's node.
    pub fn terminals(&self) -> impl Iterator<Item = NodeId> {
        let count = self.tag_kiosks
            + self.registration_kiosks
            + self.photo_counters
            + self.collection_kiosks;
        (FIRST_TERMINAL..FIRST_TERMINAL + count).map(NodeId)
    }

    pub fn nodes(&self) -> usize {
        usize::from(
            FIRST_TERMINAL
                + self.tag_kiosks
                + self.registration_kiosks
                + self.photo_counters
                + self.collection_kiosks,
        )
    }
}

pub fn address(node: NodeId) -> Address {
    Address(node.0)
}

pub(crate) fn node(address: Address) -> NodeId {
    NodeId(address.0)
}

pub fn network(config: &Config, streams: &Streams) -> Network {
    let layout = Layout::of(config);
    let mut network = Network::new(layout.nodes());
    network.connect(PUBLIC, CENTRAL, config.public_latency.clone(), streams);
    for terminal in layout.terminals() {
        for service in [CENTRAL, REGISTRATION, REGISTRY] {
            network.connect(terminal, service, config.centre_latency.clone(), streams);
        }
    }
    // The central services talk among themselves over the data centre's network.
    for (from, to) in [
        (REGISTRATION, PRODUCTION),
        (PRODUCTION, LINE),
        (PRODUCTION, REGISTRY),
    ] {
        network.connect(from, to, config.centre_latency.clone(), streams);
    }
    network
}

/// The two sides of a named link.
pub fn link_sides(config: &Config, link: LinkName) -> (Vec<NodeId>, Vec<NodeId>) {
    match link {
        LinkName::PublicCentral => (vec![PUBLIC], vec![CENTRAL]),
        LinkName::CentreCentral => (
            Layout::of(config).terminals().collect(),
            vec![CENTRAL, REGISTRATION, REGISTRY],
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
            CENTRAL => self.service_message::<BookingService>(kernel, now, from, message),
            REGISTRATION => self.service_message::<RegistrationService>(kernel, now, from, message),
            REGISTRY => self.service_message::<RegistryService>(kernel, now, from, message),
            PRODUCTION => self.service_message::<ProductionService>(kernel, now, from, message),
            LINE => self.personalise(kernel, now, from, message),
            PUBLIC => {
                self.app
                    .handle_input(now, BookingAppInput::Message { from, message });
                self.drain_app(kernel, now)
            }
            terminal => match self.layout.terminal(terminal) {
                Some(Terminal::TagKiosk(index)) => {
                    self.kiosks[usize::from(index)]
                        .handle_input(now, TagKioskInput::Message { from, message });
                    self.drain_kiosk(kernel, now, index)
                }
                Some(Terminal::Station(Station::RegistrationKiosk(index))) => self
                    .drive::<RegistrationKiosk>(
                        kernel,
                        now,
                        index,
                        RegistrationKioskInput::Message { from, message },
                    ),
                Some(Terminal::Station(Station::PhotoCounter(index))) => self
                    .drive::<PhotoCounter>(
                        kernel,
                        now,
                        index,
                        PhotoCounterInput::Message { from, message },
                    ),
                Some(Terminal::Station(Station::CollectionKiosk(index))) => self
                    .drive::<CollectionKiosk>(
                        kernel,
                        now,
                        index,
                        CollectionKioskInput::Message { from, message },
                    ),
                None => Ok(()),
            },
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
            CENTRAL => self.wake_service::<BookingService>(kernel, now),
            REGISTRATION => self.wake_service::<RegistrationService>(kernel, now),
            REGISTRY => self.wake_service::<RegistryService>(kernel, now),
            PRODUCTION => self.wake_service::<ProductionService>(kernel, now),
            LINE => Ok(()),
            terminal => match self.layout.terminal(terminal) {
                Some(Terminal::TagKiosk(index)) => {
                    self.kiosks[usize::from(index)].handle_input(now, TagKioskInput::Wake);
                    self.drain_kiosk(kernel, now, index)
                }
                Some(Terminal::Station(Station::RegistrationKiosk(index))) => self
                    .drive::<RegistrationKiosk>(kernel, now, index, RegistrationKioskInput::Wake),
                Some(Terminal::Station(Station::PhotoCounter(index))) => {
                    self.drive::<PhotoCounter>(kernel, now, index, PhotoCounterInput::Wake)
                }
                Some(Terminal::Station(Station::CollectionKiosk(index))) => {
                    self.drive::<CollectionKiosk>(kernel, now, index, CollectionKioskInput::Wake)
                }
                None => Ok(()),
            },
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
                    self.send(kernel, now, self.layout.tag_kiosk(index), node(to), message)
                }
                Output::WakeAt(at) => kernel.schedule(
                    at.max(now),
                    Event::Wake {
                        node: self.layout.tag_kiosk(index),
                    },
                ),
                Output::Event(event) => self.on_kiosk_event(kernel, now, index, event)?,
                Output::Disk(_) | Output::Halt(_) => unreachable!("kiosks have no disk"),
            }
        }
        Ok(())
    }
}
