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
//! client side of request/reply with retries and idempotency ([`rpc`]), with the durable
//! hand-offs built on it (`outbox`: calls released once their records are durable, retried
//! until acknowledged). Every service is built on one core (`durable`: its journal, the
//! replies and events it holds until their records are durable, its outputs) and reads its
//! records with the same helpers (`records`).
//!
//! The services so far: [`booking`] (appointments, check-in, walk-ins, e-forms),
//! [`registration`] (applications, the duplicate check on the thumbs, acknowledgements, the
//! hand-off to production), [`production`] (daily personalisation batches, re-makes,
//! dispatch to the registry after the lead time) and [`registry`] (each person's cards,
//! collection and activation, lost cards and the revocation list).

pub mod booking;
mod durable;
pub mod io;
pub mod journal;
pub mod messages;
mod outbox;
pub mod production;
mod records;
pub mod registration;
pub mod registry;
pub mod rpc;
#[cfg(test)]
mod test_disk;
