//! The public booking channel (the mobile app, the website, the phone line): residents book
//! an appointment; the app talks to the booking service and retries until it has an answer.
//!
//! Inputs: booking requests from residents, replies, wake-ups. Outputs: requests to the
//! booking service, wake-up times, and [`BookingAppEvent`]s. Persists nothing: a resident
//! whose request was abandoned simply tries again (the service keys bookings by resident).

use hkic_base::{Date, SimTime, Stream, TimeOfDay};
use hkic_services::io::{Address, Output};
use hkic_services::messages::{BookOutcome, CentreId, Message, ResidentId};
use hkic_services::rpc::RetryPolicy;

use crate::channel::Channel;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BookingAppInput {
    Book {
        resident: ResidentId,
        centre: CentreId,
        day: Date,
        preferred: TimeOfDay,
    },
    Message {
        from: Address,
        message: Message,
    },
    Wake,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookingAppEvent {
    /// The service answered (booked or refused).
    Answered {
        resident: ResidentId,
        outcome: BookOutcome,
    },
    /// No answer in time: the resident was told to try later.
    GaveUp { resident: ResidentId },
}

#[derive(Debug)]
pub struct BookingApp {
    booking_service: Address,
    channel: Channel<ResidentId, BookingAppEvent>,
}

impl BookingApp {
    pub fn new(booking_service: Address, retry: RetryPolicy, jitter: Stream) -> BookingApp {
        BookingApp {
            booking_service,
            channel: Channel::new(retry, jitter),
        }
    }

    pub fn handle_input(&mut self, now: SimTime, input: BookingAppInput) {
        match input {
            BookingAppInput::Book {
                resident,
                centre,
                day,
                preferred,
            } => {
                let message = Message::BookRequest {
                    resident,
                    centre,
                    day,
                    preferred,
                };
                self.channel
                    .call(now, resident, self.booking_service, message);
            }
            BookingAppInput::Message {
                message: Message::BookReply { resident, outcome },
                ..
            } => {
                if self.channel.complete(resident) {
                    self.channel
                        .emit(BookingAppEvent::Answered { resident, outcome });
                }
            }
            BookingAppInput::Message { .. } => {}
            BookingAppInput::Wake => {
                for resident in self.channel.expire(now) {
                    self.channel.emit(BookingAppEvent::GaveUp { resident });
                }
            }
        }
        self.channel.schedule_wake();
    }

    pub fn poll_output(&mut self) -> Option<Output<BookingAppEvent>> {
        self.channel.poll()
    }
}
