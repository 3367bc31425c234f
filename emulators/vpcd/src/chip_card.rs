//! An emulated chip in vpcd's reader: the adapter from [`hkic_chip::CardChip`] to
//! [`VirtualCard`].
//!
//! vpcd polls for the answer to reset about every 400 ms, also while the card is switched
//! off, and takes an empty answer for "card removed"; so the adapter learns the chip's ATR
//! once, at construction, and answers every poll with it.

use hkic_chip::{CardChip, Interface};

use crate::VirtualCard;

/// The status word sent when the chip gives no response (a link fault): "no precise
/// diagnosis", which PC/SC applications report as a failed command.
const NO_RESPONSE: [u8; 2] = [0x6F, 0x00];

#[derive(Debug)]
pub struct ChipCard<C> {
    chip: C,
    interface: Interface,
    atr: Vec<u8>,
}

impl<C: CardChip> ChipCard<C> {
    /// A chip seen through `interface` (contact or contactless: it decides the ATR's form).
    pub fn new(mut chip: C, interface: Interface) -> ChipCard<C> {
        let atr = chip.power_on(interface).unwrap_or_default();
        chip.power_off();
        ChipCard {
            chip,
            interface,
            atr,
        }
    }

    pub fn chip(&self) -> &C {
        &self.chip
    }

    pub fn into_chip(self) -> C {
        self.chip
    }
}

impl<C: CardChip> VirtualCard for ChipCard<C> {
    fn atr(&self) -> Vec<u8> {
        self.atr.clone()
    }

    fn power_on(&mut self) {
        // A chip that cannot be powered answers every command with NO_RESPONSE.
        let _ = self.chip.power_on(self.interface);
    }

    fn power_off(&mut self) {
        self.chip.power_off();
    }

    fn reset(&mut self) {
        let _ = self.chip.reset();
    }

    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        self.chip
            .transmit(self.interface, command)
            .response
            .unwrap_or_else(|_| NO_RESPONSE.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hkic_base::seed_stream;
    use hkic_chip::specimen::{SpecimenPki, specimen_holder};

    fn card(interface: Interface) -> ChipCard<hkic_chip::NewGenerationChip> {
        let pki = SpecimenPki::new(1).expect("the specimen PKI builds");
        let (chip, _) =
            hkic_chip::personalise(&specimen_holder(1, 2_000), pki.issuer(), seed_stream(2))
                .expect("the specimen personalises");
        ChipCard::new(chip, interface)
    }

    #[test]
    fn answers_polls_with_the_atr_while_off_and_selects_the_application_when_on() {
        for interface in [Interface::Contact, Interface::Contactless] {
            let mut card = card(interface);
            assert!(
                !card.atr().is_empty(),
                "{interface:?}: an ATR while switched off"
            );
            card.power_on();
            let select = [
                0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01,
            ];
            assert_eq!(card.transmit(&select), vec![0x90, 0x00]);
            card.power_off();
            assert_eq!(
                card.transmit(&select),
                NO_RESPONSE.to_vec(),
                "off: no response"
            );
        }
    }
}
