//! The vpcd wire format and who answers what, without IO.
//!
//! Every message in both directions is `u16 length (big-endian) || payload` (INTEROP.md
//! section 2). From vpcd, a one-byte payload is a control code and anything longer a command
//! APDU. The rules kept here, because breaking any of them desynchronises the stream:
//! - power off (0), power on (1) and reset (2) get **no** reply;
//! - get ATR (4) gets the ATR;
//! - every command APDU gets exactly one reply, even when the card's response cannot be
//!   framed (then the reply is SW 6F00);
//! - unknown control codes and empty payloads get no reply (vpcd never sends them; answering
//!   would desynchronise it if it ever did).
//!
//! Input: one payload from vpcd. Output: [`Answer`], the framed reply to write (if any) and
//! the event for observers. Nothing is persisted here; the card keeps its own state.

use crate::card::VirtualCard;
use crate::error::FrameError;
use crate::event::BridgeEvent;

/// Bytes in a frame header (the big-endian payload length).
pub const HEADER_LENGTH: usize = 2;
/// The largest payload a frame can carry.
pub const PAYLOAD_LENGTH_MAX: usize = u16::MAX as usize;
/// The longest ATR ISO 7816-3 allows (TS plus 32 bytes).
pub const ATR_LENGTH_MAX: usize = 33;
/// The reply to an APDU whose response the card made too long to frame: "no precise
/// diagnosis".
pub const STATUS_NO_PRECISE_DIAGNOSIS: [u8; 2] = [0x6F, 0x00];

/// A one-byte control payload from vpcd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlCode {
    /// 0: switch the card off.
    PowerOff,
    /// 1: switch the card on.
    PowerOn,
    /// 2: warm reset.
    Reset,
    /// 4: send the ATR (also vpcd's presence poll).
    GetAtr,
}

impl ControlCode {
    /// The control code carried by `byte`, if it is one vpcd defines.
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0 => Some(Self::PowerOff),
            1 => Some(Self::PowerOn),
            2 => Some(Self::Reset),
            4 => Some(Self::GetAtr),
            _ => None,
        }
    }

    /// The byte on the wire.
    pub const fn byte(self) -> u8 {
        match self {
            Self::PowerOff => 0,
            Self::PowerOn => 1,
            Self::Reset => 2,
            Self::GetAtr => 4,
        }
    }
}

/// One payload from vpcd, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'payload> {
    /// A known control code.
    Control(ControlCode),
    /// A one-byte payload that is no known control code.
    UnknownControl(u8),
    /// A command APDU (two bytes or more; the card judges whether it is well formed).
    Apdu(&'payload [u8]),
    /// A zero-length payload.
    Empty,
}

impl<'payload> Request<'payload> {
    /// Classifies a payload received from vpcd.
    pub fn parse(payload: &'payload [u8]) -> Self {
        match payload {
            [] => Self::Empty,
            [byte] => {
                ControlCode::from_byte(*byte).map_or(Self::UnknownControl(*byte), Self::Control)
            }
            command => Self::Apdu(command),
        }
    }
}

/// What the bridge does with one payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The framed reply (header and payload) to write back, if the payload gets one.
    pub reply: Option<Vec<u8>>,
    /// What happened, for observers.
    pub event: BridgeEvent,
}

/// The payload length announced by a frame header.
pub fn payload_length(header: [u8; HEADER_LENGTH]) -> usize {
    usize::from(u16::from_be_bytes(header))
}

/// Frames `payload` for the wire: its length as a big-endian u16, then the payload, in one
/// buffer (so it leaves in one segment).
pub fn encode_frame(payload: &[u8]) -> Result<Vec<u8>, FrameError> {
    let length = u16::try_from(payload.len()).map_err(|_| FrameError::PayloadTooLong {
        length: payload.len(),
    })?;
    let mut frame = Vec::with_capacity(HEADER_LENGTH + payload.len());
    frame.extend_from_slice(&length.to_be_bytes());
    frame.extend_from_slice(payload);
    debug_assert_eq!(frame.len(), HEADER_LENGTH + payload.len());
    Ok(frame)
}

/// Checks that `atr` fits the card contract ([`ATR_LENGTH_MAX`]).
pub fn check_atr(atr: &[u8]) -> Result<(), FrameError> {
    if atr.len() > ATR_LENGTH_MAX {
        return Err(FrameError::AtrTooLong { length: atr.len() });
    }
    Ok(())
}

/// Hands one payload from vpcd to `card` and says what to send back.
///
/// Fails only when the card breaks its contract with an over-long ATR; any payload is
/// otherwise answered or deliberately ignored.
pub fn answer<C: VirtualCard + ?Sized>(card: &mut C, payload: &[u8]) -> Result<Answer, FrameError> {
    let silent = |event| Answer { reply: None, event };
    let answer = match Request::parse(payload) {
        Request::Control(ControlCode::PowerOff) => {
            card.power_off();
            silent(BridgeEvent::PoweredOff)
        }
        Request::Control(ControlCode::PowerOn) => {
            card.power_on();
            silent(BridgeEvent::PoweredOn)
        }
        Request::Control(ControlCode::Reset) => {
            card.reset();
            silent(BridgeEvent::Reset)
        }
        Request::Control(ControlCode::GetAtr) => {
            let atr = card.atr();
            check_atr(&atr)?;
            Answer {
                reply: Some(encode_frame(&atr)?),
                event: BridgeEvent::AtrSent { length: atr.len() },
            }
        }
        Request::UnknownControl(code) => silent(BridgeEvent::UnknownControl { code }),
        Request::Empty => silent(BridgeEvent::EmptyFrame),
        Request::Apdu(command) => answer_apdu(card, command)?,
    };
    Ok(answer)
}

/// Exactly one reply per command APDU, whatever the card returns.
fn answer_apdu<C: VirtualCard + ?Sized>(
    card: &mut C,
    command: &[u8],
) -> Result<Answer, FrameError> {
    let response = card.transmit(command);
    let command_length = command.len();
    let response_length = response.len();
    if response_length > PAYLOAD_LENGTH_MAX {
        return Ok(Answer {
            reply: Some(encode_frame(&STATUS_NO_PRECISE_DIAGNOSIS)?),
            event: BridgeEvent::ResponseTooLong {
                command_length,
                response_length,
            },
        });
    }
    Ok(Answer {
        reply: Some(encode_frame(&response)?),
        event: BridgeEvent::ApduAnswered {
            command_length,
            response_length,
        },
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Records what reached it; answers a command with the command itself followed by 9000,
    /// so a response's length follows the command's.
    #[derive(Debug, Default)]
    struct EchoCard {
        calls: Vec<&'static str>,
        atr: Vec<u8>,
    }

    impl VirtualCard for EchoCard {
        fn atr(&self) -> Vec<u8> {
            self.atr.clone()
        }
        fn power_on(&mut self) {
            self.calls.push("on");
        }
        fn power_off(&mut self) {
            self.calls.push("off");
        }
        fn reset(&mut self) {
            self.calls.push("reset");
        }
        fn transmit(&mut self, command: &[u8]) -> Vec<u8> {
            self.calls.push("transmit");
            [command, &[0x90, 0x00]].concat()
        }
    }

    fn card_with_atr(atr: &[u8]) -> EchoCard {
        EchoCard {
            calls: Vec::new(),
            atr: atr.to_vec(),
        }
    }

    #[test]
    fn control_codes_round_trip_through_their_byte() {
        for code in [
            ControlCode::PowerOff,
            ControlCode::PowerOn,
            ControlCode::Reset,
            ControlCode::GetAtr,
        ] {
            assert_eq!(ControlCode::from_byte(code.byte()), Some(code));
        }
        assert_eq!(ControlCode::from_byte(3), None);
        assert_eq!(ControlCode::from_byte(0xFF), None);
    }

    #[test]
    fn payloads_are_classified_by_length_then_code() {
        assert_eq!(Request::parse(&[]), Request::Empty);
        assert_eq!(
            Request::parse(&[0]),
            Request::Control(ControlCode::PowerOff)
        );
        assert_eq!(Request::parse(&[4]), Request::Control(ControlCode::GetAtr));
        assert_eq!(Request::parse(&[3]), Request::UnknownControl(3));
        assert_eq!(Request::parse(&[0, 0]), Request::Apdu(&[0, 0]));
        assert_eq!(
            Request::parse(&[0x00, 0x84, 0x00, 0x00, 0x08]),
            Request::Apdu(&[0x00, 0x84, 0x00, 0x00, 0x08])
        );
    }

    #[test]
    fn power_controls_reach_the_card_and_get_no_reply() {
        let mut card = card_with_atr(&[0x3B, 0x00]);
        for (byte, event) in [
            (0, BridgeEvent::PoweredOff),
            (1, BridgeEvent::PoweredOn),
            (2, BridgeEvent::Reset),
        ] {
            assert_eq!(
                answer(&mut card, &[byte]),
                Ok(Answer { reply: None, event })
            );
        }
        assert_eq!(card.calls, ["off", "on", "reset"]);
    }

    #[test]
    fn get_atr_is_answered_with_the_framed_atr() {
        let mut card = card_with_atr(&[0x3B, 0x88, 0x80, 0x01]);
        let answer = answer(&mut card, &[4]);
        let expected = Answer {
            reply: Some(vec![0x00, 0x04, 0x3B, 0x88, 0x80, 0x01]),
            event: BridgeEvent::AtrSent { length: 4 },
        };
        assert_eq!(answer, Ok(expected));
    }

    #[test]
    fn an_atr_longer_than_iso_allows_is_an_error() {
        let mut card = card_with_atr(&[0x3B; ATR_LENGTH_MAX + 1]);
        assert_eq!(
            answer(&mut card, &[4]),
            Err(FrameError::AtrTooLong {
                length: ATR_LENGTH_MAX + 1
            })
        );
        assert_eq!(check_atr(&[0x3B; ATR_LENGTH_MAX]), Ok(()));
    }

    #[test]
    fn a_response_too_long_to_frame_becomes_6f00() {
        let mut card = card_with_atr(&[0x3B]);
        let command = vec![0xAB; PAYLOAD_LENGTH_MAX - 1];
        let expected = Answer {
            reply: Some(vec![0x00, 0x02, 0x6F, 0x00]),
            event: BridgeEvent::ResponseTooLong {
                command_length: PAYLOAD_LENGTH_MAX - 1,
                response_length: PAYLOAD_LENGTH_MAX + 1,
            },
        };
        assert_eq!(answer(&mut card, &command), Ok(expected));
    }

    #[test]
    fn the_largest_response_still_fits() {
        let mut card = card_with_atr(&[0x3B]);
        let command = vec![0xAB; PAYLOAD_LENGTH_MAX - 2];
        let reply = answer(&mut card, &command).map(|answer| answer.reply.map(|reply| reply.len()));
        assert_eq!(reply, Ok(Some(HEADER_LENGTH + PAYLOAD_LENGTH_MAX)));
    }

    #[test]
    fn encode_frame_refuses_what_a_u16_cannot_describe() {
        assert_eq!(encode_frame(&[]), Ok(vec![0, 0]));
        assert_eq!(
            encode_frame(&vec![0; PAYLOAD_LENGTH_MAX + 1]),
            Err(FrameError::PayloadTooLong {
                length: PAYLOAD_LENGTH_MAX + 1
            })
        );
        assert_eq!(payload_length([0x01, 0x02]), 0x0102);
    }

    proptest! {
        /// Any payload: no panic; a reply exactly for APDUs and GET ATR; the reply's header
        /// matches its payload.
        #[test]
        fn any_payload_gets_the_reply_its_kind_calls_for(payload in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut card = card_with_atr(&[0x3B, 0x00]);
            let answer = answer(&mut card, &payload).map_err(|error| TestCaseError::fail(error.to_string()))?;
            let expects_reply = payload.len() >= 2 || payload == [4];
            prop_assert_eq!(answer.reply.is_some(), expects_reply);
            if let Some(reply) = answer.reply {
                prop_assert!(reply.len() >= HEADER_LENGTH);
                prop_assert_eq!(payload_length([reply[0], reply[1]]), reply.len() - HEADER_LENGTH);
            }
        }

        /// Encoding then reading the header gives back the payload.
        #[test]
        fn frames_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let frame = encode_frame(&payload).map_err(|error| TestCaseError::fail(error.to_string()))?;
            prop_assert_eq!(payload_length([frame[0], frame[1]]), payload.len());
            prop_assert_eq!(&frame[HEADER_LENGTH..], payload.as_slice());
        }
    }
}
