//! A card read at `full` fidelity: the reader procedure of the kiosks and gates
//! (`hkic_terminals::card_read`) against an emulated chip (`hkic_chip`), with no sockets, on
//! virtual time.
//!
//! The whole exchange runs at once, in memory, and says how long it took on the link: the
//! caller schedules the read's completion that much later. Nothing else can happen to one
//! reader and one card in between (a chip serves one reader, a reader one card), so folding
//! the APDUs into one event loses nothing and keeps the event count per read at one.

use hkic_base::SimDuration;
use hkic_chip::{CardChip, Link};
use hkic_terminals::card_read::{CardReadInput, CardReadOutput, CardReadReport, CardReader};

/// A bound on one read's exchanges (a full read is about 40 commands; retries triple it).
const EXCHANGES_MAX: u32 = 10_000;

/// What one read gave and cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSession {
    pub report: CardReadReport,
    /// Time on the link: framing, transmission, the chip's processing, the reader's overhead.
    pub duration: SimDuration,
    pub commands: u32,
}

/// Why a read could not run to its end (a reader that never finishes is a bug).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the card read did not finish within {EXCHANGES_MAX} exchanges")]
pub struct SessionStalled;

/// Runs `reader` against `chip` over `link`, powering the chip through the link's interface.
pub fn read_card(
    mut reader: CardReader,
    chip: &mut dyn CardChip,
    link: &Link,
) -> Result<CardSession, SessionStalled> {
    let interface = link.interface();
    let mut duration = SimDuration::ZERO;
    let mut commands = 0;
    for _ in 0..EXCHANGES_MAX {
        let input = match reader.poll_output() {
            Some(CardReadOutput::Finished(report)) => {
                return Ok(CardSession {
                    report: *report,
                    duration,
                    commands,
                });
            }
            Some(CardReadOutput::Activate) => {
                let activated = if chip.powered_interface() == Some(interface) {
                    chip.reset()
                } else {
                    chip.power_off();
                    chip.power_on(interface)
                };
                match activated {
                    Ok(_) => CardReadInput::Activated,
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            Some(CardReadOutput::Transmit(command)) => {
                commands += 1;
                let exchange = chip.transmit(interface, &command);
                duration += link.exchange_duration(command.len(), &exchange);
                match exchange.response {
                    Ok(response) => CardReadInput::Response(response),
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            None => return Err(SessionStalled),
        };
        reader.handle_input(input);
    }
    Err(SessionStalled)
}
