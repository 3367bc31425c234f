//! The card as the bridge sees it.
//!
//! Deliberately tiny and synchronous: a card is a state machine that turns one command APDU
//! into one response APDU, and reacts to power events. It never sees a socket or a clock, so
//! the same card runs under the simulator and behind vpcd.

/// A card that the bridge can put into vpcd's reader.
///
/// Contract, relied on by the bridge:
/// - [`VirtualCard::atr`] returns at most [`crate::frame::ATR_LENGTH_MAX`] bytes; a longer ATR
///   stops the bridge with [`crate::BridgeError`] (it is a fault of the card, not of the input).
/// - [`VirtualCard::transmit`] returns a full response APDU (data followed by SW1 SW2) for
///   every command, including malformed ones; it must not panic on any byte string.
/// - Session state (secure messaging keys, authentication) is dropped on power off, power on
///   and reset: pcscd powers the card off and on around every `SCardConnect`.
pub trait VirtualCard {
    /// The answer to reset, sent when vpcd asks for it (about every 400 ms as a presence poll).
    fn atr(&self) -> Vec<u8>;
    /// The reader switched the card on (cold reset).
    fn power_on(&mut self);
    /// The reader switched the card off; also called when the card leaves the reader (the
    /// connection to vpcd ends or the bridge stops).
    fn power_off(&mut self);
    /// The reader asked for a warm reset.
    fn reset(&mut self);
    /// Processes one command APDU and returns the response APDU (data || SW1 SW2).
    fn transmit(&mut self, command: &[u8]) -> Vec<u8>;
}

impl<C: VirtualCard + ?Sized> VirtualCard for &mut C {
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }

    fn power_on(&mut self) {
        (**self).power_on();
    }

    fn power_off(&mut self) {
        (**self).power_off();
    }

    fn reset(&mut self) {
        (**self).reset();
    }

    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        (**self).transmit(command)
    }
}

impl<C: VirtualCard + ?Sized> VirtualCard for Box<C> {
    fn atr(&self) -> Vec<u8> {
        (**self).atr()
    }

    fn power_on(&mut self) {
        (**self).power_on();
    }

    fn power_off(&mut self) {
        (**self).power_off();
    }

    fn reset(&mut self) {
        (**self).reset();
    }

    fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
        (**self).transmit(command)
    }
}
