//! `hkic-sim card serve`: personalise an emulated new-generation card and put it in vsmartcard's
//! reader, so any PC/SC application on the machine sees it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use hkic_base::Date;
use hkic_chip::specimen::SpecimenPki;
use hkic_chip::{HolderData, Interface, personalise};
use hkic_kernel::{StreamLabel, Streams};
use hkic_protocol::lds::yymmdd;
use hkic_vpcd::{Bridge, BridgeConfig, BridgeEvent, ChipCard};

use super::{holder, trust};
use crate::args::{CardInterfaceArg, ServeArgs};
use crate::exit::{CliError, OK};

/// Stream domain of the CLI's card making (kept apart from the world's residents).
const CARD_DOMAIN: u16 = 100;
const HOLDER_PURPOSE: u16 = 1;
const CHIP_PURPOSE: u16 = 2;

/// Everything `serve` prepares before it starts serving (also what its tests check).
#[derive(Debug)]
pub struct PreparedCard {
    pub holder: HolderData,
    pub chip: hkic_chip::NewGenerationChip,
    pub directory: PathBuf,
    pub pki: SpecimenPki,
}

/// Personalises the card and writes the trust material.
pub fn prepare(args: &ServeArgs) -> Result<PreparedCard, CliError> {
    let issued: Date = args
        .issued
        .parse()
        .map_err(|error| CliError::BadInput(format!("--issued: {error}")))?;
    let streams = Streams::new(args.seed);
    let key = u64::from(args.person.unwrap_or(u32::MAX));
    let mut stream = streams.stream(StreamLabel::new(CARD_DOMAIN, key, HOLDER_PURPOSE));
    let holder = match (&args.person_file, args.person) {
        (Some(path), None) => holder::from_file(path, args.seed, issued, &mut stream)?,
        (None, Some(person)) => holder::resident(args.seed, person, issued, &mut stream),
        _ => {
            return Err(CliError::BadInput(
                "give either --person N or --person-file FILE".to_string(),
            ));
        }
    };
    let pki = SpecimenPki::new(args.seed).map_err(|error| CliError::Internal(error.to_string()))?;
    let chip_stream = streams.stream(StreamLabel::new(CARD_DOMAIN, key, CHIP_PURPOSE));
    let (chip, _files) = personalise(&holder, pki.issuer(), chip_stream).map_err(|error| {
        CliError::BadInput(format!("the holder's data cannot go on a card: {error}"))
    })?;
    let directory = match (&args.out, args.person) {
        (Some(dir), _) => dir.clone(),
        (None, Some(person)) => PathBuf::from(format!("reports/out/card-{person}")),
        (None, None) => PathBuf::from("reports/out/card-file"),
    };
    trust::write(&directory, &pki)?;
    Ok(PreparedCard {
        holder,
        chip,
        directory,
        pki,
    })
}

/// The reader name pcscd gives vpcd's slot on `port` (slots on 35963 and 35964 by default).
fn reader_name(address: SocketAddr) -> String {
    format!(
        "Virtual PCD 00 {:02}",
        address.port().saturating_sub(35963).min(99)
    )
}

pub fn describe(
    card: &PreparedCard,
    address: SocketAddr,
    out: &mut dyn Write,
) -> Result<(), CliError> {
    let holder = &card.holder;
    let data = holder
        .personal_data()
        .map_err(|error| CliError::Internal(error.to_string()))?;
    let dir = card.directory.display();
    let lines = [
        format!(
            "card of {} {}, card number {}, born {}",
            holder.surname, holder.given_names, holder.card_number, holder.date_of_birth
        ),
        format!("card access number (PACE): {}", holder.card_access_number),
        format!(
            "BAC key material: --bac {},{},{}",
            data.document_number.trim_end_matches('<'),
            yymmdd(data.date_of_birth),
            yymmdd(data.date_of_expiry())
        ),
        format!(
            "issued {}, valid until {}",
            data.date_of_issue,
            data.date_of_expiry()
        ),
        format!(
            "trust material: {dir}/csca.pem, {dir}/document-signer.pem, {dir}/revocation-list.json, {dir}/terminal/"
        ),
        format!(
            "serving to vpcd at {address} (reader \"{}\"); Ctrl-C stops",
            reader_name(address)
        ),
    ];
    for line in lines {
        writeln!(out, "{line}").map_err(|error| CliError::Internal(error.to_string()))?;
    }
    Ok(())
}

pub fn serve(args: &ServeArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let address: SocketAddr = args
        .vpcd
        .parse()
        .map_err(|error| CliError::BadInput(format!("--vpcd {:?}: {error}", args.vpcd)))?;
    let card = prepare(args)?;
    describe(&card, address, out)?;
    let _ = out.flush();
    let interface = match args.interface {
        CardInterfaceArg::Contact => Interface::Contact,
        CardInterfaceArg::Contactless => Interface::Contactless,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::Internal(format!("cannot start the IO runtime: {error}")))?;
    let card = ChipCard::new(card.chip, interface);
    let mut bridge = Bridge::new(card, BridgeConfig::new(address)).with_observer(report_connection);
    runtime
        .block_on(bridge.run(tokio::signal::ctrl_c()))
        .map_err(|error| CliError::Internal(error.to_string()))?
        .map_err(|error| CliError::Internal(format!("waiting for Ctrl-C: {error}")))?;
    Ok(OK)
}

/// Tells the user about the connection to vpcd (not every APDU): on stderr, as it happens.
fn report_connection(event: &BridgeEvent) {
    let line = match event {
        BridgeEvent::Connected { address } => {
            format!("connected to vpcd at {address}: the card is in the reader")
        }
        BridgeEvent::ConnectFailed {
            address,
            error,
            attempt: 1,
            ..
        } => format!(
            "vpcd is not reachable at {address} ({error:?}); is pcscd running with vsmartcard-vpcd? \
             (ci/interop.sh installs and starts them) Retrying until Ctrl-C"
        ),
        BridgeEvent::Disconnected { reason } => {
            format!("vpcd went away ({reason:?}); reconnecting")
        }
        BridgeEvent::ShutDown => "stopped".to_string(),
        _ => return,
    };
    let _ = writeln!(std::io::stderr(), "{line}");
}
