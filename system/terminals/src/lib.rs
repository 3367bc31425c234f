//! The software on kiosks, apps and gates: sans-IO workflows that talk to the services.
//!
//! Like the services, each terminal takes `handle_input(now, input)` and hands back
//! `poll_output()`: messages to send, the next wake-up, and events for observers. The
//! simulator decides what the resident does with a ticket; the terminal only knows its
//! protocol with the services and how to retry it.

mod booking_app;
pub mod card_read;
mod channel;
mod tag_kiosk;

pub use booking_app::{BookingApp, BookingAppEvent, BookingAppInput};
pub use tag_kiosk::{TagKiosk, TagKioskEvent, TagKioskInput, TagRequest, Ticket, TicketKind};
