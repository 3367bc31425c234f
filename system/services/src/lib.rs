//! The real services of the identity-card system, written as production code and sans-IO.
//!
//! Every service is a state machine with one way in and one way out:
//! `handle_input(now, Input)` and `poll_output() -> Option<Output>`. An output is a message
//! to send, a disk request, a wake-up time, or an event for observers. Services never read a
//! clock, draw their own random numbers, spawn threads or touch sockets and files: the
//! simulator drives them on virtual time, and a thin adapter could drive the same code over
//! real sockets and files.
//!
//! This crate also holds what the services and their clients share: the message types
//! ([`messages`]), the sans-IO plumbing ([`io`]), the durable journal ([`journal`]) and the
//! client side of request/reply with retries and idempotency ([`rpc`]).
//!
//! The services so far: [`booking`] (appointments, check-in, walk-ins, e-forms) and
//! [`registration`] (applications, the duplicate check on the thumbs, acknowledgements).

pub mod booking;
pub mod io;
pub mod journal;
pub mod messages;
pub mod registration;
pub mod rpc;
#[cfg(test)]
mod test_disk;
