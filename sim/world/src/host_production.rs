//! The production service on its central node, and the personalisation line it drives: what
//! production's events mean to observers, and the line's answers (from the run's device
//! model, once per card: see [`crate::line`]).

use hkic_base::{SimDuration, SimTime};
use hkic_kernel::{FaultInjector, Kernel, NodeId};
use hkic_services::io::{Address, FileNumber, Input, Output};
use hkic_services::messages::Message;
use hkic_services::production::{
    JOURNAL_FILE, ProductionConfig, ProductionEvent, ProductionService,
};

use crate::checkers::Violation;
use crate::config::{CrashTarget, DiskTimes};
use crate::event::{Event, Observation};
use crate::host::{Hosted, ServiceHost};
use crate::line::Request;
use crate::wiring::{LINE, PRODUCTION};
use crate::world::World;

impl Hosted for ProductionService {
    type Config = ProductionConfig;
    type Event = ProductionEvent;
    const TARGET: CrashTarget = CrashTarget::Production;
    const JOURNAL: FileNumber = JOURNAL_FILE;
    const NAME: &'static str = "production";

    fn node() -> NodeId {
        PRODUCTION
    }

    fn start(config: ProductionConfig) -> ProductionService {
        ProductionService::new(config)
    }

    fn recover(config: ProductionConfig, media: &[u8]) -> Result<ProductionService, String> {
        ProductionService::recover(config, media).map_err(|error| error.to_string())
    }

    fn handle_input(&mut self, now: SimTime, input: Input) {
        ProductionService::handle_input(self, now, input);
    }

    fn poll_output(&mut self) -> Option<Output<ProductionEvent>> {
        ProductionService::poll_output(self)
    }

    fn parts(world: &mut World) -> (&mut ServiceHost<ProductionService>, &mut FaultInjector) {
        (&mut world.production, &mut world.faults)
    }

    fn disk_times(world: &World) -> &DiskTimes {
        &world.config.production_disk
    }

    fn on_event(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        event: ProductionEvent,
    ) -> Result<(), Violation> {
        let cards = &mut world.metrics.cards;
        let observation = match event {
            ProductionEvent::OrderReceived {
                application,
                resident,
                ..
            } => {
                cards.ordered += 1;
                Observation::new("production.order", "application")
                    .resident(resident.0)
                    .number(application.0)
            }
            ProductionEvent::CardAllocated { card, .. } => {
                Observation::new("production.card", "allocated").number(card.0)
            }
            ProductionEvent::Personalised { card, verified, .. } => {
                if verified {
                    cards.produced += 1;
                } else {
                    cards.remade += 1;
                }
                let detail = if verified { "verified" } else { "failed" };
                Observation::new("production.personalised", detail).number(card.0)
            }
            ProductionEvent::Dispatched { card, .. } => {
                cards.dispatched += 1;
                Observation::new("production.dispatched", "card").number(card.0)
            }
            ProductionEvent::Recovered { records, .. } => {
                Observation::new("production.recovered", "records").number(records)
            }
        };
        kernel.observe(&observation);
        Ok(())
    }
}

impl World {
    /// The personalisation line got a request: it answers after personalising the card, or
    /// from its work in hand if the card is already there. A card it issued is shown to the
    /// checkers as its chip holds it.
    pub(crate) fn personalise(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        from: Address,
        message: Message,
    ) -> Result<(), Violation> {
        let Message::PersonaliseRequest { card, order } = message else {
            return Ok(());
        };
        let cards = &mut self.metrics.cards;
        let (after, outcome) = match self.line.request(now, card) {
            Request::InHand => {
                cards.line_repeats += 1;
                return Ok(());
            }
            Request::Done(outcome) => {
                cards.line_repeats += 1;
                (SimDuration::ZERO, outcome)
            }
            Request::New => {
                cards.personalised += 1;
                let answer = self.devices.personalise(now, card, &order);
                if let Some(issued) = self.devices.take_issued_card() {
                    self.checkers.on_card_issued(&issued)?;
                }
                self.line.taken(card, now + answer.after, answer.outcome);
                (answer.after, answer.outcome)
            }
        };
        let reply = Message::PersonaliseReply {
            card,
            application: order.application,
            outcome,
        };
        let to = NodeId(from.0);
        kernel.schedule(
            now + after,
            Event::Deliver {
                from: LINE,
                to,
                message: reply,
            },
        );
        Ok(())
    }
}
