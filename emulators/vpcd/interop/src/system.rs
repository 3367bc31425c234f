//! The machine around the tests: pcscd's process and the command-line PC/SC tools.
//!
//! Only one pcscd can run per machine (it owns `/run/pcscd/pcscd.comm`), so the restart test
//! stops the running one by the pid in its pid file and starts a daemonised one in its place;
//! the tests leave a pcscd running, as they found it.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::Duration;

use crate::error::InteropError;

/// Where pcscd writes its process id (also in foreground mode).
pub const PCSCD_PID_FILE: &str = "/run/pcscd/pcscd.pid";
/// pcscd's client socket; a new pcscd refuses to start while it exists.
pub const PCSCD_SOCKET: &str = "/run/pcscd/pcscd.comm";
/// How often the process checks poll.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Reads the pid of the running pcscd from `PCSCD_PID_FILE` and checks it is alive.
pub fn pcscd_pid() -> Result<u32, InteropError> {
    let text = fs::read_to_string(PCSCD_PID_FILE).map_err(|error| {
        InteropError::Pcscd(format!(
            "cannot read {PCSCD_PID_FILE}: {error}; is pcscd running?"
        ))
    })?;
    let pid = parse_pid(&text).ok_or_else(|| {
        InteropError::Pcscd(format!(
            "{PCSCD_PID_FILE} holds {text:?}, expected a process id"
        ))
    })?;
    if !is_running(pid) {
        return Err(InteropError::Pcscd(format!(
            "{PCSCD_PID_FILE} names process {pid}, which is not running"
        )));
    }
    Ok(pid)
}

/// The process id in a pid file's text (pcscd 1.9.9 writes it with a newline and a NUL).
pub fn parse_pid(text: &str) -> Option<u32> {
    let digits =
        text.trim_matches(|character: char| character.is_whitespace() || character == '\0');
    digits.parse().ok().filter(|pid| *pid > 1)
}

/// Whether process `pid` exists and has not exited (a zombie waiting for its parent to reap it
/// counts as exited).
pub fn is_running(pid: u32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // The state follows the parenthesised command name, which may itself contain spaces.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, Some("Z" | "X") | None)
}

/// Stops pcscd with SIGTERM (it then removes its socket) and waits at most `limit`.
pub fn stop_pcscd(pid: u32, limit: Duration) -> Result<(), InteropError> {
    run("kill", &["-TERM", &pid.to_string()])?;
    let gone = wait_until(limit, || {
        !is_running(pid) && !Path::new(PCSCD_SOCKET).exists()
    });
    if !gone {
        return Err(InteropError::Pcscd(format!(
            "pcscd (pid {pid}) still running or {PCSCD_SOCKET} still present {limit:?} after SIGTERM"
        )));
    }
    Ok(())
}

/// Starts a daemonised pcscd (it writes `PCSCD_PID_FILE`) and waits at most `limit` for it.
pub fn start_pcscd(limit: Duration) -> Result<u32, InteropError> {
    run("pcscd", &[])?;
    if !wait_until(limit, || {
        pcscd_pid().is_ok() && Path::new(PCSCD_SOCKET).exists()
    }) {
        return Err(InteropError::Pcscd(format!(
            "pcscd started but not ready within {limit:?}"
        )));
    }
    pcscd_pid()
}

/// Runs `program` with `arguments`; its standard output and error when it succeeds.
pub fn run(program: &str, arguments: &[&str]) -> Result<String, InteropError> {
    let output = Command::new(program)
        .args(arguments)
        .output()
        .map_err(|source| InteropError::ProgramMissing {
            program: program.to_owned(),
            source,
        })?;
    let text = [output.stdout, output.stderr]
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .concat();
    if !output.status.success() {
        let command = [program]
            .iter()
            .chain(arguments)
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        return Err(InteropError::ProgramFailed {
            command,
            status: output.status.to_string(),
            output: text,
        });
    }
    Ok(text)
}

/// Polls `condition` every `POLL_INTERVAL` for at most `limit`; whether it became true.
fn wait_until(limit: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let polls = limit.as_millis().div_ceil(POLL_INTERVAL.as_millis()).max(1);
    for _ in 0..polls {
        if condition() {
            return true;
        }
        thread::sleep(POLL_INTERVAL);
    }
    condition()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_files_parse_with_or_without_a_newline() {
        assert_eq!(parse_pid("12007\n"), Some(12007));
        assert_eq!(parse_pid(" 42 "), Some(42));
        assert_eq!(
            parse_pid("12007\n\0"),
            Some(12007),
            "as pcscd 1.9.9 writes it"
        );
        assert_eq!(parse_pid(""), None);
        assert_eq!(parse_pid("pcscd"), None);
        assert_eq!(parse_pid("1"), None, "never signal init");
    }

    #[test]
    fn this_process_is_running_and_a_free_pid_is_not() {
        assert!(is_running(std::process::id()));
        assert!(!is_running(u32::MAX));
    }

    #[test]
    fn a_missing_program_is_named_in_the_error() {
        let error = run("hkic-no-such-program", &[]).expect_err("the program does not exist");
        assert!(
            error.to_string().contains("hkic-no-such-program"),
            "{error}"
        );
    }

    #[test]
    fn a_failing_program_reports_its_output() {
        let error = run("sh", &["-c", "echo broken >&2; exit 3"]).expect_err("exit 3");
        let message = error.to_string();
        assert!(
            message.contains("broken") && message.contains('3'),
            "{message}"
        );
    }
}
