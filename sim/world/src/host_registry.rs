//! The card registry on its central node: what its events mean to observers and checkers.

use hkic_base::SimTime;
use hkic_kernel::{FaultInjector, Kernel, NodeId};
use hkic_services::io::{FileNumber, Input, Output};
use hkic_services::registry::{JOURNAL_FILE, RegistryConfig, RegistryEvent, RegistryService};

use crate::checkers::Violation;
use crate::config::{CrashTarget, DiskTimes};
use crate::event::{Event, Observation};
use crate::host::{Hosted, ServiceHost};
use crate::wiring::REGISTRY;
use crate::world::World;

impl Hosted for RegistryService {
    type Config = RegistryConfig;
    type Event = RegistryEvent;
    const TARGET: CrashTarget = CrashTarget::Registry;
    const JOURNAL: FileNumber = JOURNAL_FILE;
    const NAME: &'static str = "registry";

    fn node() -> NodeId {
        REGISTRY
    }

    fn start(config: RegistryConfig) -> RegistryService {
        RegistryService::new(config)
    }

    fn recover(config: RegistryConfig, media: &[u8]) -> Result<RegistryService, String> {
        RegistryService::recover(config, media).map_err(|error| error.to_string())
    }

    fn handle_input(&mut self, now: SimTime, input: Input) {
        RegistryService::handle_input(self, now, input);
    }

    fn poll_output(&mut self) -> Option<Output<RegistryEvent>> {
        RegistryService::poll_output(self)
    }

    fn parts(world: &mut World) -> (&mut ServiceHost<RegistryService>, &mut FaultInjector) {
        (&mut world.registry, &mut world.faults)
    }

    fn disk_times(world: &World) -> &DiskTimes {
        &world.config.registry_disk
    }

    fn on_event(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        event: RegistryEvent,
    ) -> Result<(), Violation> {
        let observation = match event {
            RegistryEvent::CardReady { card, resident, .. } => {
                world.metrics.cards.ready += 1;
                Observation::new("registry.ready", "card")
                    .resident(resident.0)
                    .number(card.0)
            }
            RegistryEvent::CardWithdrawn { card, resident, .. } => {
                Observation::new("registry.withdrawn", "card")
                    .resident(resident.0)
                    .number(card.0)
            }
            RegistryEvent::Activated { card, resident, .. } => {
                world.metrics.cards.activated += 1;
                Observation::new("registry.activated", "card")
                    .resident(resident.0)
                    .number(card.0)
            }
            RegistryEvent::Refused { card, resident, .. } => {
                Observation::new("registry.refused", "card")
                    .resident(resident.0)
                    .number(card.0)
            }
            RegistryEvent::CardLost { card, resident } => Observation::new("registry.lost", "card")
                .resident(resident.0)
                .number(card.0),
            RegistryEvent::CardRevoked { card, resident } => {
                Observation::new("registry.revoked", "card")
                    .resident(resident.0)
                    .number(card.0)
            }
            RegistryEvent::RevocationListUpdated { version } => {
                Observation::new("registry.revocation_list", "version").number(version)
            }
            RegistryEvent::DispatchRefused { card, problem, .. } => {
                Observation::new("registry.dispatch_refused", problem).number(card.0)
            }
            RegistryEvent::Recovered { records, .. } => {
                Observation::new("registry.recovered", "records").number(records)
            }
        };
        kernel.observe(&observation);
        world.checkers.on_registry_event(&event)?;
        if let RegistryEvent::Activated { resident, .. } = event {
            // The registry's own state, not its event, says who holds what (invariant 1).
            if let Some(registry) = world.registry.service() {
                let active = registry.active_cards_of(resident);
                world.checkers.on_active_cards(resident, &active)?;
            }
        }
        Ok(())
    }
}
