//! `hkic-sim card read --pcsc READER`: read a card in a real PC/SC reader with the reader
//! procedure the simulator's kiosks and gates use, and print the holder and one verdict.

use std::io::{Read, Write};

use hkic_base::seed_stream;
use hkic_protocol::lds::yymmdd;
use hkic_protocol::mrz::MrzKeyMaterial;
use hkic_terminals::card_read::{
    CardAccessKey, CardReadConfig, CardReadInput, CardReadOutput, CardReadReport, CardReader,
};

use super::trust;
use crate::args::ReadArgs;
use crate::exit::{CARD_NOT_GENUINE, CliError, OK};

/// Largest response APDU: 65,536 data bytes and the status word.
const RESPONSE_BUFFER_BYTES: usize = 65_538;
/// A bound on the exchanges of one read (a full read is about 40 commands).
const EXCHANGES_MAX: u32 = 10_000;

fn access_key(args: &ReadArgs) -> Result<CardAccessKey, CliError> {
    match (&args.can, &args.bac) {
        (Some(can), None) => Ok(CardAccessKey::Can(can.clone())),
        (None, Some(bac)) => {
            let parts: Vec<&str> = bac.split(',').collect();
            let [document, birth, expiry] = parts[..] else {
                return Err(CliError::BadInput(format!(
                    "--bac expects DOCNO,YYMMDD,YYMMDD, got {bac:?}"
                )));
            };
            MrzKeyMaterial::new(document, birth, expiry)
                .map(CardAccessKey::Mrz)
                .map_err(|error| CliError::BadInput(format!("--bac {bac:?}: {error}")))
        }
        _ => Err(CliError::BadInput("give either --can or --bac".to_string())),
    }
}

/// The reader's ephemeral keys: from `--seed` for a reproducible transcript, otherwise from
/// the operating system (this is the one command that may talk to a real card).
fn seed(args: &ReadArgs) -> Result<u64, CliError> {
    if let Some(seed) = args.seed {
        return Ok(seed);
    }
    let mut bytes = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .map_err(|error| {
            CliError::Internal(format!("no entropy for the reader's keys: {error}"))
        })?;
    Ok(u64::from_le_bytes(bytes))
}

fn config(args: &ReadArgs) -> Result<CardReadConfig, CliError> {
    let mut config = CardReadConfig::new(
        access_key(args)?,
        vec![trust::read_certificate(&args.csca)?],
    );
    config.revocation_list = args
        .revocation_list
        .as_deref()
        .map(trust::read_revocation_list)
        .transpose()?;
    config.terminal = args
        .terminal
        .as_deref()
        .map(trust::read_terminal)
        .transpose()?;
    config.read_facial_image = true;
    Ok(config)
}

/// Drives the reader procedure over PC/SC until it finishes.
fn drive(reader_name: &str, mut reader: CardReader) -> Result<CardReadReport, CliError> {
    let context = pcsc::Context::establish(pcsc::Scope::User)
        .map_err(|error| CliError::Internal(format!("pcscd is not reachable: {error}")))?;
    let name = std::ffi::CString::new(reader_name)
        .map_err(|_| CliError::BadInput("--pcsc: bad reader name".to_string()))?;
    let mut card: Option<pcsc::Card> = None;
    let mut buffer = vec![0u8; RESPONSE_BUFFER_BYTES];
    for _ in 0..EXCHANGES_MAX {
        let input = match reader.poll_output() {
            Some(CardReadOutput::Finished(report)) => return Ok(*report),
            Some(CardReadOutput::Activate) => {
                drop(card.take());
                match context.connect(&name, pcsc::ShareMode::Shared, pcsc::Protocols::ANY) {
                    Ok(connected) => {
                        card = Some(connected);
                        CardReadInput::Activated
                    }
                    Err(pcsc::Error::UnknownReader) => {
                        return Err(CliError::BadInput(format!(
                            "--pcsc: no reader {reader_name:?}"
                        )));
                    }
                    Err(_) => CardReadInput::TransmissionFailed,
                }
            }
            Some(CardReadOutput::Transmit(command)) => {
                match card.as_ref().map(|c| c.transmit(&command, &mut buffer)) {
                    Some(Ok(response)) => CardReadInput::Response(response.to_vec()),
                    _ => CardReadInput::TransmissionFailed,
                }
            }
            None => {
                return Err(CliError::Internal(
                    "the reader procedure stalled".to_string(),
                ));
            }
        };
        reader.handle_input(input);
    }
    Err(CliError::Internal(format!(
        "the read did not finish in {EXCHANGES_MAX} exchanges"
    )))
}

fn print(report: &CardReadReport, out: &mut dyn Write) {
    if let Some(holder) = &report.holder {
        let data = &holder.personal_data;
        let _ = writeln!(out, "holder: {} {}", data.surname, data.given_names);
        let _ = writeln!(
            out,
            "document number: {}",
            data.document_number.trim_end_matches('<')
        );
        let _ = writeln!(
            out,
            "sex: {:?}, born {} ({})",
            data.sex,
            data.date_of_birth,
            yymmdd(data.date_of_birth)
        );
        let _ = writeln!(
            out,
            "issued {}, valid until {}",
            data.date_of_issue,
            data.date_of_expiry()
        );
        if let Some(image) = &holder.facial_image {
            let _ = writeln!(out, "facial image: {} bytes", image.len());
        }
        match &holder.thumb_templates {
            Some(templates) => {
                let sizes: Vec<String> = templates
                    .iter()
                    .map(|t| format!("{} bytes", t.len()))
                    .collect();
                let _ = writeln!(out, "thumbprint templates (DG3): {}", sizes.join(", "));
            }
            None => {
                let refused = report
                    .dg3_refused
                    .map(|status| format!(" (refused: {status:?})"))
                    .unwrap_or_default();
                let _ = writeln!(out, "thumbprint templates (DG3): not read{refused}");
            }
        }
    }
    let _ = writeln!(
        out,
        "attempts: {}, commands: {}",
        report.attempts, report.commands_sent
    );
    let _ = writeln!(out, "verdict: {}", super::verdict_name(&report.verdict));
}

pub fn read(args: &ReadArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let reader = CardReader::new(config(args)?, seed_stream(seed(args)?));
    let report = drive(&args.pcsc, reader)?;
    print(&report, out);
    Ok(if report.verdict.is_genuine() {
        OK
    } else {
        CARD_NOT_GENUINE
    })
}
