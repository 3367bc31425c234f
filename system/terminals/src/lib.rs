//! The software on kiosks, counters, apps and gates: sans-IO workflows that drive devices
//! and talk to the services.
//!
//! Like the services, each terminal takes `handle_input(now, input)` and hands back
//! `poll_output()`: messages to send, device requests, the next wake-up, and events for
//! observers. The simulator decides what the resident does next (routing them by the
//! events); a terminal only knows its protocol with the services and its devices, and how
//! to retry.
//!
//! - [`TagKiosk`] and [`BookingApp`]: queue tickets, bookings and e-forms with the booking
//!   service.
//! - [`RegistrationKiosk`], [`PhotoCounter`] and [`CollectionKiosk`]: registration and
//!   collection at a replacement centre, their hardware seen through [`devices`].
//! - [`card_read`]: the reader procedures every kiosk, gate and verifier uses.
//! - [`revocation_list_cache`]: the registry's signed revocation list as gates and verifiers
//!   hold it (only newer, verified lists replace it).

mod booking_app;
pub mod card_read;
mod channel;
pub mod collection_kiosk;
pub mod devices;
pub mod photo_counter;
pub mod registration;
pub mod registration_kiosk;
pub mod revocation_list_cache;
mod tag_kiosk;
mod workflow;

pub use booking_app::{BookingApp, BookingAppEvent, BookingAppInput};
pub use collection_kiosk::CollectionKiosk;
pub use photo_counter::PhotoCounter;
pub use registration_kiosk::RegistrationKiosk;
pub use tag_kiosk::{TagKiosk, TagKioskEvent, TagKioskInput, TagRequest, Ticket, TicketKind};
pub use workflow::TerminalOutput;
