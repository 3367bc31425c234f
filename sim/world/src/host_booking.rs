//! The booking service on the central node: what its events mean to observers and checkers.

use hkic_base::SimTime;
use hkic_kernel::{FaultInjector, Kernel, NodeId};
use hkic_services::booking::{BookingConfig, BookingEvent, BookingService, JOURNAL_FILE};
use hkic_services::io::{FileNumber, Input, Output};

use crate::checkers::Violation;
use crate::config::{CrashTarget, DiskTimes};
use crate::event::{Event, Observation};
use crate::host::{Hosted, ServiceHost};
use crate::wiring::CENTRAL;
use crate::world::World;

impl Hosted for BookingService {
    type Config = BookingConfig;
    type Event = BookingEvent;
    const TARGET: CrashTarget = CrashTarget::Booking;
    const JOURNAL: FileNumber = JOURNAL_FILE;
    const NAME: &'static str = "booking";

    fn node() -> NodeId {
        CENTRAL
    }

    fn start(config: BookingConfig) -> BookingService {
        BookingService::new(config)
    }

    fn recover(config: BookingConfig, media: &[u8]) -> Result<BookingService, String> {
        BookingService::recover(config, media).map_err(|error| error.to_string())
    }

    fn handle_input(&mut self, now: SimTime, input: Input) {
        BookingService::handle_input(self, now, input);
    }

    fn poll_output(&mut self) -> Option<Output<BookingEvent>> {
        BookingService::poll_output(self)
    }

    fn parts(world: &mut World) -> (&mut ServiceHost<BookingService>, &mut FaultInjector) {
        (&mut world.booking, &mut world.faults)
    }

    fn disk_times(world: &World) -> &DiskTimes {
        &world.config.booking_disk
    }

    fn on_event(
        world: &mut World,
        kernel: &mut Kernel<Event>,
        event: BookingEvent,
    ) -> Result<(), Violation> {
        let observation = match event {
            BookingEvent::Booked {
                resident,
                slot,
                slot_start,
                ..
            } => Observation::new("booking.booked", "slot")
                .resident(resident.0)
                .number(u64::from(slot.0))
                .time(slot_start),
            BookingEvent::CheckedIn {
                resident, ticket, ..
            } => Observation::new("booking.checked_in", "ticket")
                .resident(resident.0)
                .number(u64::from(ticket)),
            BookingEvent::WalkInIssued {
                resident, ticket, ..
            } => Observation::new("booking.walk_in", "ticket")
                .resident(resident.0)
                .number(u64::from(ticket)),
            BookingEvent::EFormStored {
                resident,
                reference,
                ..
            } => Observation::new("booking.eform", "reference")
                .resident(resident.0)
                .number(reference.0),
            BookingEvent::Recovered { records, .. } => {
                Observation::new("booking.recovered", "records").number(records)
            }
            BookingEvent::Cancelled {
                resident, booking, ..
            } => Observation::new("booking.cancelled", "booking")
                .resident(resident.0)
                .number(u64::from(booking.0)),
            BookingEvent::Rescheduled {
                resident,
                to,
                slot_start,
                ..
            } => Observation::new("booking.rescheduled", "slot")
                .resident(resident.0)
                .number(u64::from(to.0))
                .time(slot_start),
        };
        kernel.observe(&observation);
        world.checkers.on_booking_event(&event)
    }
}
