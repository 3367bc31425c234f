//! The registration service on its central node: what its events mean to observers and
//! checkers.

use hkic_base::SimTime;
use hkic_kernel::{FaultInjector, Kernel, NodeId};
use hkic_services::io::{FileNumber, Input, Output};
use hkic_services::registration::{
    JOURNAL_FILE, RegistrationConfig, RegistrationEvent, RegistrationService,
};

use crate::checkers::Violation;
use crate::config::{CrashTarget, DiskTimes};
use crate::event::{Event, Observation};
use crate::host::{Hosted, ServiceHost};
use crate::wiring::REGISTRATION;
use crate::world::World;

impl Hosted for RegistrationService {
    type Config = RegistrationConfig;
    type Event = RegistrationEvent;
    const TARGET: CrashTarget = CrashTarget::Registration;
    const JOURNAL: FileNumber = JOURNAL_FILE;
    const NAME: &'static str = "registration";

    fn node() -> NodeId {
        REGISTRATION
    }

    fn start(config: RegistrationConfig) -> RegistrationService {
        RegistrationService::new(config)
    }

    fn recover(config: RegistrationConfig, media: &[u8]) -> Result<RegistrationService, String> {
        RegistrationService::recover(config, media).map_err(|error| error.to_string())
    }

    fn handle_input(&mut self, now: SimTime, input: Input) {
        RegistrationService::handle_input(self, now, input);
    }

    fn poll_output(&mut self) -> Option<Output<RegistrationEvent>> {
        RegistrationService::poll_output(self)
    }

    fn parts(world: &mut World) -> (&mut ServiceHost<RegistrationService>, &mut FaultInjector) {
        (&mut world.registration, &mut world.faults)
    }

    fn disk_times(world: &World) -> &DiskTimes {
        &world.config.registration_disk
    }

    fn on_event(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        event: RegistrationEvent,
    ) -> Result<(), Violation> {
        let observation = match event {
            RegistrationEvent::Opened {
                application,
                resident,
                ..
            } => Observation::new("registration.opened", "application")
                .resident(resident.0)
                .number(application.0),
            RegistrationEvent::Accepted {
                application,
                resident,
                ..
            } => Observation::new("registration.accepted", "application")
                .resident(resident.0)
                .number(application.0),
            RegistrationEvent::DuplicateHeld {
                application,
                resident,
                ..
            } => Observation::new("registration.duplicate_held", "application")
                .resident(resident.0)
                .number(application.0),
            RegistrationEvent::Recovered { records, .. } => {
                Observation::new("registration.recovered", "records").number(records)
            }
        };
        kernel.observe(&observation);
        world.checkers.on_registration_event(&event)
    }

    fn after_recovery(world: &mut World) -> Result<(), Violation> {
        match world.registration.service() {
            Some(service) => world.checkers.after_registration_recovery(service),
            None => Ok(()),
        }
    }
}
