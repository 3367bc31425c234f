//! The command line against real pcscd: `hkic-sim card serve` puts resident 42's card in
//! vsmartcard's reader as a child process, and `hkic-sim card read --pcsc` (built with the
//! `pcsc` feature) reads it through pcscd, as a user would.
//!
//! What the tests prove:
//! - with the CAN and the terminal credentials `serve` wrote, `card read` runs PACE, passive,
//!   chip and terminal authentication, reads DG3's two thumbprint templates, says `genuine`
//!   and exits 0;
//! - with the BAC key material `serve` printed and no terminal credentials, it is `genuine`
//!   without DG3;
//! - a wrong CAN gives the verdict `wrong CAN` and exit code 5;
//! - `serve` stops on SIGINT (Ctrl-C) with exit code 0;
//! - pcscd restarted under a served card: `serve` reconnects by itself and the card reads
//!   again, DG3 included.
//!
//! The binary is built by `hkic_interop::hkic_sim::build_with_pcsc` (a no-op after
//! `ci/interop.sh`'s build). Needs pcscd with the vpcd driver; without it every test fails
//! with the reason. One card per vpcd slot: run with `--test-threads=1`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hkic_interop::process::{BackgroundProcess, Completed, OutputStream, run_within};
use hkic_interop::{Failure, InteropError, hkic_sim, reader, system};

/// Bound on each wait for the CLI, pcscd or the reader.
const WAIT_LIMIT: Duration = Duration::from_secs(15);
/// Bound on one `card read` (a full read takes well under a second).
const READ_LIMIT: Duration = Duration::from_secs(30);
const PERSON: &str = "42";
const SEED: &str = "42";
/// vpcd's first slot, and the reader pcscd names after it.
const VPCD: &str = "127.0.0.1:35963";
const READER: &str = "Virtual PCD 00 00";
/// The reader's own seed: its ephemeral keys, so a failing read can be replayed.
const READER_SEED: &str = "7";
/// Exit code of `card read` for a verdict other than genuine.
const CARD_NOT_GENUINE: i32 = 5;

const CAN_PREFIX: &str = "card access number (PACE): ";
const BAC_PREFIX: &str = "BAC key material: --bac ";
const HOLDER_PREFIX: &str = "card of ";
const DG3_PREFIX: &str = "thumbprint templates (DG3): ";

/// `hkic-sim card serve` running, its card present in the reader.
struct Served {
    program: PathBuf,
    process: BackgroundProcess,
    directory: PathBuf,
    can: String,
    bac: String,
    /// "SURNAME GIVEN NAMES", as `serve` describes the holder.
    holder: String,
}

/// The value after `prefix` on a line `serve` printed.
fn value_after(process: &mut BackgroundProcess, prefix: &'static str) -> Result<String, Failure> {
    let line = process.wait_for_line(prefix, OutputStream::Stdout, WAIT_LIMIT, |line| {
        line.starts_with(prefix)
    })?;
    Ok(line[prefix.len()..].to_owned())
}

/// An empty directory of this test's own for the trust material `serve` writes.
fn scratch_directory(name: &str) -> Result<PathBuf, Failure> {
    let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}"));
    if directory.exists() {
        std::fs::remove_dir_all(&directory).map_err(InteropError::Runtime)?;
    }
    Ok(directory)
}

fn serve(name: &str, context: &pcsc::Context) -> Result<Served, Failure> {
    let program = hkic_sim::build_with_pcsc()?;
    // pcscd has noticed the previous test's card leave, and no other card is in the slot.
    reader::wait_for_empty_reader(context, WAIT_LIMIT)?;
    let directory = scratch_directory(name)?;
    let out = directory.to_string_lossy().into_owned();
    let arguments = [
        "card",
        "serve",
        "--person",
        PERSON,
        "--seed",
        SEED,
        "--out",
        &out,
        "--vpcd",
        VPCD,
        "--interface",
        "contactless",
    ];
    let mut process = BackgroundProcess::spawn(&program, &arguments)?;
    let description = value_after(&mut process, HOLDER_PREFIX)?;
    let holder = description
        .split_once(", card number")
        .map(|(name, _)| name.to_owned())
        .unwrap_or(description);
    let can = value_after(&mut process, CAN_PREFIX)?;
    let bac = value_after(&mut process, BAC_PREFIX)?;
    wait_until_in_reader(&mut process, context)?;
    Ok(Served {
        program,
        process,
        directory,
        can,
        bac,
        holder,
    })
}

/// `serve` reports its connection to vpcd, and pcscd sees the card.
fn wait_until_in_reader(
    process: &mut BackgroundProcess,
    context: &pcsc::Context,
) -> Result<(), Failure> {
    process.wait_for_line(
        "the connection to vpcd",
        OutputStream::Stderr,
        WAIT_LIMIT,
        |line| line.starts_with("connected to vpcd"),
    )?;
    reader::wait_for_card(context, WAIT_LIMIT)?;
    Ok(())
}

impl Served {
    fn path(&self, name: &str) -> String {
        self.directory.join(name).to_string_lossy().into_owned()
    }

    /// `hkic-sim card read` with `access` (and other) arguments and the CSCA `serve` wrote.
    fn read(&self, access: &[&str]) -> Result<Completed, Failure> {
        let csca = self.path("csca.pem");
        let common = [
            "card",
            "read",
            "--pcsc",
            READER,
            "--csca",
            &csca,
            "--seed",
            READER_SEED,
        ];
        let arguments: Vec<&str> = common.iter().chain(access).copied().collect();
        Ok(run_within(&self.program, &arguments, READ_LIMIT)?)
    }

    /// A read with the CAN, the revocation list and the terminal credentials.
    fn read_everything(&self) -> Result<Completed, Failure> {
        let revocation_list = self.path("revocation-list.json");
        let terminal = self.path("terminal");
        self.read(&[
            "--can",
            &self.can,
            "--revocation-list",
            &revocation_list,
            "--terminal",
            &terminal,
        ])
    }

    /// Ctrl-C: `serve` must stop by itself and exit 0.
    fn stop(self) -> Result<(), Failure> {
        let (status, output) = self.process.interrupt(WAIT_LIMIT)?;
        assert_eq!(status.code(), Some(0), "card serve after SIGINT: {output}");
        assert!(
            output.contains("[stderr] stopped"),
            "card serve reports it stopped: {output}"
        );
        Ok(())
    }
}

/// The line of `read`'s output that starts with `prefix`, without it.
fn line_after<'a>(read: &'a Completed, prefix: &str) -> &'a str {
    read.stdout
        .lines()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line {prefix:?}: {}", read.transcript()))
}

/// Exit 0, `verdict: genuine`, the holder `serve` described.
fn assert_genuine(read: &Completed, served: &Served) {
    assert_eq!(read.code(), Some(0), "{}", read.transcript());
    assert_eq!(
        line_after(read, "verdict: "),
        "genuine",
        "{}",
        read.transcript()
    );
    assert_eq!(line_after(read, "holder: "), served.holder);
}

/// DG3 was read: two templates ("N bytes, M bytes").
fn assert_two_thumbprint_templates(read: &Completed) {
    let templates: Vec<&str> = line_after(read, DG3_PREFIX).split(", ").collect();
    assert_eq!(templates.len(), 2, "{}", read.transcript());
    for template in templates {
        let bytes = template
            .strip_suffix(" bytes")
            .and_then(|count| count.parse::<usize>().ok());
        assert!(
            bytes.is_some_and(|bytes| bytes > 0),
            "{template:?}: {}",
            read.transcript()
        );
    }
}

#[test]
fn card_read_with_the_can_and_terminal_credentials_reads_dg3_and_says_genuine()
-> Result<(), Failure> {
    let context = reader::establish()?;
    let served = serve("can", &context)?;
    let read = served.read_everything()?;
    assert_genuine(&read, &served);
    assert_two_thumbprint_templates(&read);
    served.stop()
}

#[test]
fn card_read_over_bac_without_terminal_credentials_is_genuine_without_dg3() -> Result<(), Failure> {
    let context = reader::establish()?;
    let served = serve("bac", &context)?;
    let revocation_list = served.path("revocation-list.json");
    let read = served.read(&["--bac", &served.bac, "--revocation-list", &revocation_list])?;
    assert_genuine(&read, &served);
    assert!(
        line_after(&read, DG3_PREFIX).starts_with("not read"),
        "{}",
        read.transcript()
    );
    served.stop()
}

#[test]
fn card_read_with_a_wrong_can_exits_5_with_wrong_can() -> Result<(), Failure> {
    let context = reader::establish()?;
    let served = serve("wrong-can", &context)?;
    let mut wrong = served.can.clone().into_bytes();
    if let Some(last) = wrong.last_mut() {
        *last = b'0' + (*last - b'0' + 1) % 10;
    }
    let wrong = String::from_utf8_lossy(&wrong).into_owned();
    let read = served.read(&["--can", &wrong])?;
    assert_eq!(read.code(), Some(CARD_NOT_GENUINE), "{}", read.transcript());
    assert!(
        line_after(&read, "verdict: ").starts_with("wrong CAN"),
        "{}",
        read.transcript()
    );
    served.stop()
}

/// pcscd stops and a new one starts while `serve` runs: `serve` notices, reconnects by
/// itself, and a full read with DG3 works again. The new pcscd is left running (daemonised),
/// as the test found one running.
#[test]
fn card_serve_survives_a_pcscd_restart_and_the_card_reads_again() -> Result<(), Failure> {
    let context = reader::establish()?;
    let mut served = serve("restart", &context)?;
    let before = served.read_everything()?;
    assert_genuine(&before, &served);
    drop(context);

    let old_pid = system::pcscd_pid()?;
    system::stop_pcscd(old_pid, WAIT_LIMIT)?;
    served.process.wait_for_line(
        "the notice that vpcd went away",
        OutputStream::Stderr,
        WAIT_LIMIT,
        |line| line.starts_with("vpcd went away"),
    )?;
    let new_pid = system::start_pcscd(WAIT_LIMIT)?;
    assert_ne!(new_pid, old_pid);

    let context = reader::establish_within(WAIT_LIMIT)?;
    wait_until_in_reader(&mut served.process, &context)?;
    let after = served.read_everything()?;
    assert_genuine(&after, &served);
    assert_two_thumbprint_templates(&after);
    served.stop()
}
