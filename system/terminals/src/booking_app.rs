//! The public booking channel (the mobile app, the website, the phone line): residents book
//! an appointment, cancel or reschedule it, and submit their pre-filled e-form; the app
//! talks to the booking service and retries until it has an answer.
//!
//! Inputs: booking requests and e-form submissions from residents, replies, wake-ups.
//! Outputs: requests to the booking service, wake-up times, and [`BookingAppEvent`]s.
//! Persists nothing: a resident whose request was abandoned simply tries again (the service
//! keys bookings and e-forms by resident, so a retry has no second effect).
//!
//! A resident may submit the e-form with the booking (the world sends both inputs at once:
//! they are separate calls, so a booking refused for a full day does not lose the form) or
//! on its own, before or after booking. Each call is answered or given up exactly once.

use hkic_base::{Date, SimTime, Stream, TimeOfDay};
use hkic_services::io::{Address, Output};
use hkic_services::messages::{
    BookOutcome, BookingId, CancelOutcome, CentreId, EFormDigest, EFormSubmitOutcome, Message,
    ResidentId,
};
use hkic_services::rpc::RetryPolicy;

use crate::channel::Channel;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BookingAppInput {
    Book {
        resident: ResidentId,
        /// Year of birth, given with the card number: the service finds the call-up group.
        born: u16,
        centre: CentreId,
        day: Date,
        preferred: TimeOfDay,
    },
    /// The resident cancels their booking.
    Cancel {
        resident: ResidentId,
        booking: BookingId,
    },
    /// The resident moves their booking to another day.
    Reschedule {
        resident: ResidentId,
        booking: BookingId,
        day: Date,
        preferred: TimeOfDay,
    },
    /// The resident submits the e-form whose content has this digest.
    SubmitEForm {
        resident: ResidentId,
        digest: EFormDigest,
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
    /// The e-form is stored: the app shows its QR code (`outcome.qr()`).
    EFormAnswered {
        resident: ResidentId,
        outcome: EFormSubmitOutcome,
    },
    /// No answer to the e-form submission in time.
    EFormGaveUp { resident: ResidentId },
    /// The service answered a cancellation.
    CancelAnswered {
        resident: ResidentId,
        booking: BookingId,
        outcome: CancelOutcome,
    },
    /// The service answered a reschedule (moved, or refused: the booking stays as it was).
    RescheduleAnswered {
        resident: ResidentId,
        booking: BookingId,
        outcome: BookOutcome,
    },
    /// No answer to a cancellation or reschedule in time: the booking may or may not have
    /// changed (asking again is safe).
    ChangeGaveUp {
        resident: ResidentId,
        booking: BookingId,
    },
}

/// One call in flight: what it is for, and whose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Call {
    Book(ResidentId),
    EForm(ResidentId),
    Change(ResidentId, BookingId),
}

#[derive(Debug)]
pub struct BookingApp {
    booking_service: Address,
    channel: Channel<Call, BookingAppEvent>,
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
                born,
                centre,
                day,
                preferred,
            } => {
                let message = Message::BookRequest {
                    resident,
                    born,
                    centre,
                    day,
                    preferred,
                };
                let call = Call::Book(resident);
                self.channel.call(now, call, self.booking_service, message);
            }
            BookingAppInput::Cancel { resident, booking } => {
                let message = Message::CancelBookingRequest { resident, booking };
                let call = Call::Change(resident, booking);
                self.channel.call(now, call, self.booking_service, message);
            }
            BookingAppInput::Reschedule {
                resident,
                booking,
                day,
                preferred,
            } => {
                let message = Message::RescheduleRequest {
                    resident,
                    booking,
                    day,
                    preferred,
                };
                let call = Call::Change(resident, booking);
                self.channel.call(now, call, self.booking_service, message);
            }
            BookingAppInput::SubmitEForm { resident, digest } => {
                let message = Message::EFormSubmitRequest { resident, digest };
                let call = Call::EForm(resident);
                self.channel.call(now, call, self.booking_service, message);
            }
            BookingAppInput::Message { message, .. } => self.handle_reply(message),
            BookingAppInput::Wake => {
                for call in self.channel.expire(now) {
                    let event = match call {
                        Call::Book(resident) => BookingAppEvent::GaveUp { resident },
                        Call::EForm(resident) => BookingAppEvent::EFormGaveUp { resident },
                        Call::Change(resident, booking) => {
                            BookingAppEvent::ChangeGaveUp { resident, booking }
                        }
                    };
                    self.channel.emit(event);
                }
            }
        }
        self.channel.schedule_wake();
    }

    fn handle_reply(&mut self, message: Message) {
        let (call, event) = match message {
            Message::BookReply { resident, outcome } => (
                Call::Book(resident),
                BookingAppEvent::Answered { resident, outcome },
            ),
            Message::EFormSubmitReply { resident, outcome } => (
                Call::EForm(resident),
                BookingAppEvent::EFormAnswered { resident, outcome },
            ),
            Message::CancelBookingReply {
                resident,
                booking,
                outcome,
            } => (
                Call::Change(resident, booking),
                BookingAppEvent::CancelAnswered {
                    resident,
                    booking,
                    outcome,
                },
            ),
            Message::RescheduleReply {
                resident,
                booking,
                outcome,
            } => (
                Call::Change(resident, booking),
                BookingAppEvent::RescheduleAnswered {
                    resident,
                    booking,
                    outcome,
                },
            ),
            _ => return,
        };
        // Only the first reply to a call counts; duplicates and late replies are ignored.
        if self.channel.complete(call) {
            self.channel.emit(event);
        }
    }

    pub fn poll_output(&mut self) -> Option<Output<BookingAppEvent>> {
        self.channel.poll()
    }
}
