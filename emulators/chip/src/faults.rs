//! Link faults: what goes wrong between a reader and a working chip, configured per chip and
//! drawn from a stream the caller seeds (so a faulty run replays exactly).
//!
//! - **Field loss** (contactless): the card leaves the field, or the field drops, while the
//!   chip works on a command. The chip loses power, and with it every session; the reader
//!   sees no response.
//! - **Collision** (contactless): another card answers at the same time; the command never
//!   reaches the chip and the reader sees a collision.
//! - **Slow responses**: extra processing time on every command (an ageing chip, a weak
//!   field); the link model turns long processing into waiting-time extensions.
//! - **Worn contacts** (contact): a block arrives garbled; the T=1 link layer sends it again,
//!   up to [`T1_RETRANSMISSIONS_MAX`] times, before the reader sees an error.
//!
//! The forgeries (a cloned chip, an altered data group, an unknown signer) are cards, not
//! link conditions: see [`crate::forgery`].

use crate::card::{Interface, TransmissionError};
use hkic_base::{SimDuration, Stream, bernoulli, seed_stream};

/// Times the T=1 link layer repeats a garbled block before giving up (ISO/IEC 7816-3 allows
/// the receiver to ask for a block again; readers try twice more).
pub const T1_RETRANSMISSIONS_MAX: u8 = 2;

/// The link faults of one chip.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LinkFaults {
    /// Per contactless command: the field drops while the chip works.
    pub field_loss_probability: f64,
    /// Per contactless command: another card collides.
    pub collision_probability: f64,
    /// Added to the chip's processing time of every command.
    pub extra_processing_time: SimDuration,
    /// Per contact block transmission: the block is garbled.
    pub contact_error_probability: f64,
}

/// How a command fares on the link before the chip sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    Delivered { retransmissions: u8 },
    Failed(TransmissionError),
}

/// The faults and the stream their draws come from.
#[derive(Debug, Clone)]
pub(crate) struct LinkFaultState {
    pub faults: LinkFaults,
    random: Stream,
}

impl Default for LinkFaultState {
    fn default() -> LinkFaultState {
        // No faults: the stream is never drawn from.
        LinkFaultState {
            faults: LinkFaults::default(),
            random: seed_stream(0),
        }
    }
}

impl LinkFaultState {
    pub fn new(faults: LinkFaults, random: Stream) -> LinkFaultState {
        LinkFaultState { faults, random }
    }

    /// Whether the command reaches the chip.
    pub fn deliver(&mut self, interface: Interface) -> Delivery {
        match interface {
            Interface::Contactless => {
                if bernoulli(&mut self.random, self.faults.collision_probability) {
                    return Delivery::Failed(TransmissionError::Collision);
                }
                Delivery::Delivered { retransmissions: 0 }
            }
            Interface::Contact => {
                let mut retransmissions = 0;
                while bernoulli(&mut self.random, self.faults.contact_error_probability) {
                    if retransmissions == T1_RETRANSMISSIONS_MAX {
                        return Delivery::Failed(TransmissionError::ContactError);
                    }
                    retransmissions += 1;
                }
                Delivery::Delivered { retransmissions }
            }
        }
    }

    /// Whether the field drops while the chip works on a delivered command.
    pub fn field_lost(&mut self, interface: Interface) -> bool {
        interface == Interface::Contactless
            && bernoulli(&mut self.random, self.faults.field_loss_probability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_faults_always_deliver() {
        let mut state = LinkFaultState::default();
        for interface in [Interface::Contact, Interface::Contactless] {
            assert_eq!(
                state.deliver(interface),
                Delivery::Delivered { retransmissions: 0 }
            );
            assert!(!state.field_lost(interface));
        }
    }

    #[test]
    fn certain_faults_fail_on_their_interface_only() {
        let faults = LinkFaults {
            field_loss_probability: 1.0,
            collision_probability: 1.0,
            extra_processing_time: SimDuration::ZERO,
            contact_error_probability: 1.0,
        };
        let mut state = LinkFaultState::new(faults, seed_stream(1));
        assert_eq!(
            state.deliver(Interface::Contactless),
            Delivery::Failed(TransmissionError::Collision)
        );
        assert_eq!(
            state.deliver(Interface::Contact),
            Delivery::Failed(TransmissionError::ContactError)
        );
        assert!(state.field_lost(Interface::Contactless));
        assert!(!state.field_lost(Interface::Contact));
    }

    #[test]
    fn worn_contacts_mostly_recover_by_retransmission() {
        let faults = LinkFaults {
            contact_error_probability: 0.3,
            ..LinkFaults::default()
        };
        let mut state = LinkFaultState::new(faults, seed_stream(2));
        let outcomes: Vec<Delivery> = (0..1_000)
            .map(|_| state.deliver(Interface::Contact))
            .collect();
        let failed = outcomes
            .iter()
            .filter(|outcome| matches!(outcome, Delivery::Failed(_)))
            .count();
        let repeated = outcomes
            .iter()
            .filter(|outcome| {
                matches!(outcome, Delivery::Delivered { retransmissions } if *retransmissions > 0)
            })
            .count();
        // P(fail) = 0.3³ = 2.7 %; P(repeated and delivered) = 0.3 - 0.027.
        assert!((10..50).contains(&failed), "{failed}");
        assert!((220..330).contains(&repeated), "{repeated}");
    }
}
