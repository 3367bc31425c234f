//! Driving the stations' workflows (`hkic-terminals`): a registration kiosk, photo counter or
//! collection kiosk takes an input, and every output it hands back is carried out: messages
//! to the network, wake-ups to the queue, device requests to the run's device model (the
//! outcome delivered after the operation's time), events to the flow that owns the station
//! (`stations.rs` for registration, `collection.rs` for collection).

use hkic_base::SimTime;
use hkic_kernel::Kernel;
use hkic_terminals::TerminalOutput;
use hkic_terminals::collection_kiosk::{CollectionKiosk, CollectionKioskInput};
use hkic_terminals::devices::{DeviceFault, DeviceKind};
use hkic_terminals::photo_counter::{PhotoCounter, PhotoCounterInput};
use hkic_terminals::registration_kiosk::{RegistrationKiosk, RegistrationKioskInput};

use crate::checkers::Violation;
use crate::devices::{Station, Subject};
use crate::event::{DeviceOutcome, Event, Observation, Stage};
use crate::station_names::device_name;
use crate::wiring::node;
use crate::world::World;

/// A station's workflow, as the world drives it.
pub(crate) trait Workflow: Sized {
    type Input;
    type Device;
    type Event;

    fn station(index: u16) -> Station;
    fn at(world: &mut World, index: u16) -> &mut Self;
    fn handle(&mut self, now: SimTime, input: Self::Input);
    fn next(&mut self) -> Option<TerminalOutput<Self::Device, Self::Event>>;
    fn operate(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        index: u16,
        request: Self::Device,
    );
    fn on_event(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        index: u16,
        event: Self::Event,
    ) -> Result<(), Violation>;
}

impl World {
    /// Hands `input` to station `index`'s workflow and carries out everything it answers.
    pub(crate) fn drive<W: Workflow>(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        index: u16,
        input: W::Input,
    ) -> Result<(), Violation> {
        W::at(self, index).handle(now, input);
        let here = self.layout.station(W::station(index));
        while let Some(output) = W::at(self, index).next() {
            match output {
                TerminalOutput::Send { to, message } => {
                    self.send(kernel, now, here, node(to), message)
                }
                TerminalOutput::WakeAt(at) => {
                    kernel.schedule(at.max(now), Event::Wake { node: here })
                }
                TerminalOutput::Device(request) => W::operate(self, kernel, now, index, request),
                TerminalOutput::Event(event) => W::on_event(self, kernel, now, index, event)?,
            }
        }
        Ok(())
    }

    /// The resident at a station has finished their own part; the workflow starts.
    pub(crate) fn begin_session(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        station: Station,
    ) -> Result<(), Violation> {
        match station {
            Station::RegistrationKiosk(kiosk) => self.drive::<RegistrationKiosk>(
                kernel,
                now,
                kiosk,
                RegistrationKioskInput::InsertOldCard,
            ),
            Station::PhotoCounter(counter) => {
                let resident = self.occupant(station);
                let visit = self.visits.remove(&resident).unwrap_or_default();
                self.residents[resident as usize].counter_visits += 1;
                self.drive::<PhotoCounter>(kernel, now, counter, PhotoCounterInput::Begin { visit })
            }
            Station::CollectionKiosk(kiosk) => {
                self.drive::<CollectionKiosk>(kernel, now, kiosk, CollectionKioskInput::Start)
            }
        }
    }

    pub(crate) fn occupant(&self, station: Station) -> u32 {
        let (stage, server) = place(station);
        self.pools[stage as usize]
            .occupant(server)
            .expect("a workflow only runs with a resident at its station")
    }

    /// A session is over: the station is free (or out of service); returns who was at it.
    pub(crate) fn end_session(&mut self, now: SimTime, station: Station) -> u32 {
        let (stage, server) = place(station);
        let (resident, since) = self.pool(stage).finish(server, now);
        self.metrics.served_by(stage, now.saturating_since(since));
        resident
    }

    /// A device failed: the station takes nobody until an officer has repaired it.
    pub(crate) fn out_of_service(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        station: Station,
        device: DeviceKind,
        fault: DeviceFault,
    ) {
        let (stage, server) = place(station);
        self.pool(stage).take_out_of_service(server);
        self.metrics.registration.stations_out_of_service += 1;
        kernel.observe(&Observation::new(
            "station.out_of_service",
            device_name(device),
        ));
        let repair = self.devices.repair(now, station, device, fault);
        kernel.schedule(now + repair, Event::Restored { station });
    }

    /// The station is repaired: the next resident in its queue steps up.
    pub(crate) fn back_in_service(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        station: Station,
    ) {
        let (stage, server) = place(station);
        self.pool(stage).restore(server);
        self.start_services(kernel, now, stage);
    }

    /// What the device models may know about a resident; counts the operation.
    pub(crate) fn subject(&mut self, resident: u32) -> Subject {
        let record = &mut self.residents[resident as usize];
        let subject = Subject {
            resident,
            born: record.profile.born,
            needs_assistance: record.profile.needs_assistance,
            eform: record.eform,
            acknowledgement: record.acknowledgement,
            operation: record.operations,
        };
        record.operations += 1;
        subject
    }

    /// The outcome reaches the workflow once the operation is over (longer for a resident
    /// who needs assistance).
    pub(crate) fn deliver_device_outcome(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        station: Station,
        resident: u32,
        after: hkic_base::SimDuration,
        outcome: DeviceOutcome,
    ) {
        let profile = &self.residents[resident as usize].profile;
        let after = profile.work(after, self.config.residents.assistance_service_factor);
        kernel.schedule(now + after, Event::DeviceDone { station, outcome });
    }

    pub(crate) fn device_done(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        station: Station,
        outcome: DeviceOutcome,
    ) -> Result<(), Violation> {
        match (station, outcome) {
            (Station::RegistrationKiosk(kiosk), DeviceOutcome::RegistrationKiosk(outcome)) => {
                let input = RegistrationKioskInput::Device(outcome);
                self.drive::<RegistrationKiosk>(kernel, now, kiosk, input)
            }
            (Station::PhotoCounter(counter), DeviceOutcome::PhotoCounter(outcome)) => {
                self.drive::<PhotoCounter>(kernel, now, counter, PhotoCounterInput::Device(outcome))
            }
            (Station::CollectionKiosk(kiosk), DeviceOutcome::CollectionKiosk(outcome)) => {
                let input = CollectionKioskInput::Device(outcome);
                self.drive::<CollectionKiosk>(kernel, now, kiosk, input)
            }
            _ => unreachable!("a station only receives outcomes of its own devices"),
        }
    }

    pub(crate) fn restored(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        station: Station,
    ) -> Result<(), Violation> {
        match station {
            Station::RegistrationKiosk(kiosk) => self.drive::<RegistrationKiosk>(
                kernel,
                now,
                kiosk,
                RegistrationKioskInput::Restored,
            ),
            Station::PhotoCounter(counter) => {
                self.drive::<PhotoCounter>(kernel, now, counter, PhotoCounterInput::Restored)
            }
            Station::CollectionKiosk(kiosk) => {
                self.drive::<CollectionKiosk>(kernel, now, kiosk, CollectionKioskInput::Restored)
            }
        }
    }
}

/// The stage a station serves, and its number there.
fn place(station: Station) -> (Stage, u16) {
    match station {
        Station::RegistrationKiosk(kiosk) => (Stage::Registration, kiosk),
        Station::PhotoCounter(counter) => (Stage::Photo, counter),
        Station::CollectionKiosk(kiosk) => (Stage::Collection, kiosk),
    }
}

macro_rules! workflow {
    ($type:ty, $input:ty, $device:ty, $event:ty, $variant:ident, $field:ident, $operate:ident, $on_event:ident) => {
        impl Workflow for $type {
            type Input = $input;
            type Device = $device;
            type Event = $event;

            fn station(index: u16) -> Station {
                Station::$variant(index)
            }

            fn at(world: &mut World, index: u16) -> &mut Self {
                &mut world.$field[usize::from(index)]
            }

            fn handle(&mut self, now: SimTime, input: $input) {
                self.handle_input(now, input);
            }

            fn next(&mut self) -> Option<TerminalOutput<$device, $event>> {
                self.poll_output()
            }

            fn operate(
                world: &mut World,
                kernel: &mut Kernel<Event>,
                now: SimTime,
                index: u16,
                request: $device,
            ) {
                world.$operate(kernel, now, index, request);
            }

            fn on_event(
                world: &mut World,
                kernel: &mut Kernel<Event>,
                now: SimTime,
                index: u16,
                event: $event,
            ) -> Result<(), Violation> {
                world.$on_event(kernel, now, index, event)
            }
        }
    };
}

workflow!(
    RegistrationKiosk,
    RegistrationKioskInput,
    hkic_terminals::registration_kiosk::RegistrationKioskDevice,
    hkic_terminals::registration_kiosk::RegistrationKioskEvent,
    RegistrationKiosk,
    registration_kiosks,
    operate_kiosk,
    on_kiosk_session
);
workflow!(
    PhotoCounter,
    PhotoCounterInput,
    hkic_terminals::photo_counter::PhotoCounterDevice,
    hkic_terminals::photo_counter::PhotoCounterEvent,
    PhotoCounter,
    counters,
    operate_counter,
    on_counter_session
);
workflow!(
    CollectionKiosk,
    CollectionKioskInput,
    hkic_terminals::collection_kiosk::CollectionKioskDevice,
    hkic_terminals::collection_kiosk::CollectionKioskEvent,
    CollectionKiosk,
    collection_kiosks,
    operate_collection_kiosk,
    on_collection_session
);
