//! The Self-service Tag Issuing Kiosk at a replacement centre's reception: an appointment
//! holder scans the booking QR code, or a walk-in asks for a same-day ticket; the kiosk asks
//! the booking service and prints a queue ticket, or says why not.
//!
//! Inputs: a resident presenting a request, replies from the booking service, wake-ups.
//! Outputs: requests to the booking service, wake-up times, and [`TagKioskEvent`]s.
//! Persists nothing: a kiosk that restarts has nobody at it. Retries keep the resident's
//! request idempotent (the booking service keys it by resident and booking).

use hkic_base::{SimTime, Stream};
use hkic_services::io::{Address, Output};
use hkic_services::messages::{
    BookingId, CentreId, CheckInOutcome, Message, ResidentId, WalkInOutcome,
};
use hkic_services::rpc::RetryPolicy;

use crate::channel::Channel;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagRequest {
    Appointment { booking: BookingId },
    WalkIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketKind {
    Appointment,
    WalkIn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub kind: TicketKind,
    pub number: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagKioskInput {
    Present {
        resident: ResidentId,
        request: TagRequest,
    },
    Message {
        from: Address,
        message: Message,
    },
    Wake,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagKioskEvent {
    Ticket {
        resident: ResidentId,
        ticket: Ticket,
    },
    CheckInRefused {
        resident: ResidentId,
        outcome: CheckInOutcome,
    },
    WalkInRefused {
        resident: ResidentId,
        outcome: WalkInOutcome,
    },
    /// The booking service did not answer in time.
    Unavailable { resident: ResidentId },
}

#[derive(Debug)]
pub struct TagKiosk {
    centre: CentreId,
    booking_service: Address,
    channel: Channel<ResidentId, TagKioskEvent>,
}

impl TagKiosk {
    pub fn new(
        centre: CentreId,
        booking_service: Address,
        retry: RetryPolicy,
        jitter: Stream,
    ) -> TagKiosk {
        TagKiosk {
            centre,
            booking_service,
            channel: Channel::new(retry, jitter),
        }
    }

    pub fn handle_input(&mut self, now: SimTime, input: TagKioskInput) {
        match input {
            TagKioskInput::Present { resident, request } => {
                let message = match request {
                    TagRequest::Appointment { booking } => Message::CheckInRequest {
                        resident,
                        booking,
                        centre: self.centre,
                    },
                    TagRequest::WalkIn => Message::WalkInRequest {
                        resident,
                        centre: self.centre,
                    },
                };
                self.channel
                    .call(now, resident, self.booking_service, message);
            }
            TagKioskInput::Message { message, .. } => self.handle_reply(message),
            TagKioskInput::Wake => {
                for resident in self.channel.expire(now) {
                    self.channel.emit(TagKioskEvent::Unavailable { resident });
                }
            }
        }
        self.channel.schedule_wake();
    }

    fn handle_reply(&mut self, message: Message) {
        let (resident, event) = match message {
            Message::CheckInReply {
                resident,
                outcome: CheckInOutcome::Admitted { ticket },
                ..
            } => {
                let ticket = Ticket {
                    kind: TicketKind::Appointment,
                    number: ticket,
                };
                (resident, TagKioskEvent::Ticket { resident, ticket })
            }
            Message::CheckInReply {
                resident, outcome, ..
            } => (
                resident,
                TagKioskEvent::CheckInRefused { resident, outcome },
            ),
            Message::WalkInReply {
                resident,
                outcome: WalkInOutcome::Ticket { ticket },
            } => {
                let ticket = Ticket {
                    kind: TicketKind::WalkIn,
                    number: ticket,
                };
                (resident, TagKioskEvent::Ticket { resident, ticket })
            }
            Message::WalkInReply { resident, outcome } => {
                (resident, TagKioskEvent::WalkInRefused { resident, outcome })
            }
            _ => return,
        };
        // Only the first reply to a call counts; duplicates and late replies are ignored.
        if self.channel.complete(resident) {
            self.channel.emit(event);
        }
    }

    pub fn poll_output(&mut self) -> Option<Output<TagKioskEvent>> {
        self.channel.poll()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_base::{SimDuration, seed_stream};

    const SERVICE: Address = Address(1);

    fn kiosk() -> TagKiosk {
        let retry = RetryPolicy {
            timeout: SimDuration::from_secs(2),
            backoff_initial: SimDuration::from_secs(1),
            backoff_max: SimDuration::from_secs(4),
            give_up_after: SimDuration::from_secs(30),
        };
        TagKiosk::new(CentreId(3), SERVICE, retry, seed_stream(1))
    }

    fn drain(kiosk: &mut TagKiosk) -> Vec<Output<TagKioskEvent>> {
        std::iter::from_fn(|| kiosk.poll_output()).collect()
    }

    #[test]
    fn asks_the_service_and_prints_the_ticket_once() {
        let mut kiosk = kiosk();
        let resident = ResidentId(9);
        kiosk.handle_input(
            SimTime::EPOCH,
            TagKioskInput::Present {
                resident,
                request: TagRequest::WalkIn,
            },
        );
        let outputs = drain(&mut kiosk);
        let expected = Message::WalkInRequest {
            resident,
            centre: CentreId(3),
        };
        assert_eq!(
            outputs[0],
            Output::Send {
                to: SERVICE,
                message: expected
            }
        );
        let reply = Message::WalkInReply {
            resident,
            outcome: WalkInOutcome::Ticket { ticket: 4 },
        };
        for _ in 0..2 {
            kiosk.handle_input(
                SimTime::EPOCH,
                TagKioskInput::Message {
                    from: SERVICE,
                    message: reply.clone(),
                },
            );
        }
        let events: Vec<_> = drain(&mut kiosk)
            .into_iter()
            .filter(|o| matches!(o, Output::Event(_)))
            .collect();
        let ticket = Ticket {
            kind: TicketKind::WalkIn,
            number: 4,
        };
        assert_eq!(
            events,
            vec![Output::Event(TagKioskEvent::Ticket { resident, ticket })]
        );
    }

    #[test]
    fn retries_the_same_request_then_reports_the_service_unavailable() {
        let mut kiosk = kiosk();
        let resident = ResidentId(9);
        let request = TagRequest::Appointment {
            booking: BookingId(5),
        };
        kiosk.handle_input(SimTime::EPOCH, TagKioskInput::Present { resident, request });
        let mut sends = 0;
        let mut events = Vec::new();
        let mut wake = None;
        for _ in 0..100 {
            for output in drain(&mut kiosk) {
                match output {
                    Output::Send { message, .. } => {
                        assert_eq!(
                            message,
                            Message::CheckInRequest {
                                resident,
                                booking: BookingId(5),
                                centre: CentreId(3)
                            }
                        );
                        sends += 1;
                    }
                    Output::WakeAt(at) => wake = Some(at),
                    Output::Event(event) => events.push(event),
                    other => panic!("{other:?}"),
                }
            }
            let Some(at) = wake.take() else { break };
            kiosk.handle_input(at, TagKioskInput::Wake);
        }
        assert!(sends > 3, "{sends}");
        assert_eq!(events, vec![TagKioskEvent::Unavailable { resident }]);
    }
}
