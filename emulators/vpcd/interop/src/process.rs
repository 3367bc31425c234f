//! Programs a test runs as child processes: one that keeps running in the background while
//! the test waits for lines of its output (`hkic-sim card serve`), and one run to completion
//! within a time limit (`hkic-sim card read`).
//!
//! Every wait is bounded. A background process is interrupted (SIGINT, as Ctrl-C would) and,
//! if it does not stop, killed when its handle is dropped, so a failing test never leaves a
//! card in the reader for the next one.

use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use crate::error::InteropError;
use crate::system;

/// How often a wait for a process to end polls it.
const EXIT_POLL_INTERVAL: Duration = Duration::from_millis(20);
/// How long a dropped background process gets to stop after SIGINT before it is killed.
const DROP_GRACE: Duration = Duration::from_secs(3);
/// How long the last lines of an ended process may take to arrive.
const DRAIN_LIMIT: Duration = Duration::from_millis(500);
/// At most this many lines are collected after a process ended.
const DRAIN_LINES_MAX: usize = 100_000;
/// How many of the last output lines an error message quotes.
const LINES_QUOTED_MAX: usize = 40;

/// Which output a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputStream {
    Stdout,
    Stderr,
}

impl fmt::Display for OutputStream {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            OutputStream::Stdout => "stdout",
            OutputStream::Stderr => "stderr",
        })
    }
}

/// The command line of `program` with `arguments`, for messages.
pub fn command_line(program: &Path, arguments: &[&str]) -> String {
    std::iter::once(program.display().to_string())
        .chain(arguments.iter().map(|argument| (*argument).to_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn spawn(program: &Path, arguments: &[&str]) -> Result<Child, InteropError> {
    Command::new(program)
        .args(arguments)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| InteropError::ProgramMissing {
            program: program.display().to_string(),
            source,
        })
}

/// Polls `child` for at most `limit`; its status if it ended.
fn wait_within(child: &mut Child, limit: Duration) -> Result<Option<ExitStatus>, InteropError> {
    let polls = limit
        .as_millis()
        .div_ceil(EXIT_POLL_INTERVAL.as_millis())
        .max(1);
    for _ in 0..polls {
        if let Some(status) = child.try_wait().map_err(InteropError::Runtime)? {
            return Ok(Some(status));
        }
        thread::sleep(EXIT_POLL_INTERVAL);
    }
    child.try_wait().map_err(InteropError::Runtime)
}

/// A program running in the background; see the module documentation.
#[derive(Debug)]
pub struct BackgroundProcess {
    command: String,
    child: Option<Child>,
    lines: mpsc::Receiver<(OutputStream, String)>,
    seen: Vec<(OutputStream, String)>,
    /// Per stream (stdout, stderr): where the next wait starts looking in `seen`. The two
    /// pipes are read independently, so only the order within one stream means anything.
    cursors: [usize; 2],
}

impl BackgroundProcess {
    /// Starts `program`; its output is collected line by line from now on.
    pub fn spawn(program: &Path, arguments: &[&str]) -> Result<Self, InteropError> {
        let mut child = spawn(program, arguments)?;
        let (sender, lines) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            forward_lines(stdout, OutputStream::Stdout, sender.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            forward_lines(stderr, OutputStream::Stderr, sender);
        }
        Ok(Self {
            command: command_line(program, arguments),
            child: Some(child),
            lines,
            seen: Vec::new(),
            cursors: [0; 2],
        })
    }

    /// The process id.
    pub fn id(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Waits at most `limit` for a line on `stream` that `wanted` accepts, among the lines of
    /// that stream after the one the previous wait on it matched. `description` names the
    /// line in the error.
    #[allow(
        clippy::disallowed_types,
        reason = "an IO test waits on the wall clock"
    )]
    pub fn wait_for_line(
        &mut self,
        description: &'static str,
        stream: OutputStream,
        limit: Duration,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<String, InteropError> {
        let deadline = std::time::Instant::now() + limit;
        let matches = |(from, line): &(OutputStream, String)| *from == stream && wanted(line);
        let cursor = match stream {
            OutputStream::Stdout => 0,
            OutputStream::Stderr => 1,
        };
        loop {
            let start = self.cursors[cursor];
            if let Some(offset) = self.seen[start..].iter().position(matches) {
                self.cursors[cursor] = start + offset + 1;
                return Ok(self.seen[start + offset].1.clone());
            }
            self.cursors[cursor] = self.seen.len();
            let remaining = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(remaining) {
                Ok(line) => self.seen.push(line),
                Err(error) => {
                    let ended = matches!(error, mpsc::RecvTimeoutError::Disconnected);
                    return Err(self.line_missing(description, limit, ended));
                }
            }
        }
    }

    /// Every line received so far, each prefixed with its stream.
    pub fn output(&mut self) -> String {
        self.seen.extend(self.lines.try_iter());
        quote_lines(&self.seen)
    }

    /// Sends SIGINT (what Ctrl-C sends) and waits at most `limit` for the process to end;
    /// its exit status and everything it printed. Kills it if it does not end in time.
    pub fn interrupt(mut self, limit: Duration) -> Result<(ExitStatus, String), InteropError> {
        let Some(mut child) = self.child.take() else {
            return Err(InteropError::Runtime(std::io::Error::other(
                "the process was already stopped",
            )));
        };
        system::run("kill", &["-INT", &child.id().to_string()])?;
        let status = wait_within(&mut child, limit)?;
        let status = match status {
            Some(status) => status,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(InteropError::ProcessTimedOut {
                    command: format!("{} (after SIGINT)", self.command),
                    limit,
                    output: self.output(),
                });
            }
        };
        self.drain();
        Ok((status, quote_lines(&self.seen)))
    }

    /// Collects the last lines of an ended process: its pipes close when it ends, unless a
    /// child of its own still holds them, so each wait is bounded.
    fn drain(&mut self) {
        for _ in 0..DRAIN_LINES_MAX {
            let Ok(line) = self.lines.recv_timeout(DRAIN_LIMIT) else {
                return;
            };
            self.seen.push(line);
        }
    }

    fn line_missing(&mut self, wanted: &'static str, limit: Duration, ended: bool) -> InteropError {
        let status = self
            .child
            .as_mut()
            .and_then(|child| child.try_wait().ok().flatten())
            .map(|status| format!("it ended ({status})"))
            .unwrap_or_else(|| {
                if ended {
                    "it closed its output".to_owned()
                } else {
                    format!("none within {limit:?}")
                }
            });
        InteropError::ProcessOutputMissing {
            command: self.command.clone(),
            wanted,
            status,
            output: self.output(),
        }
    }
}

impl Drop for BackgroundProcess {
    fn drop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(None) = child.try_wait() {
            let _ = system::run("kill", &["-INT", &child.id().to_string()]);
            if !matches!(wait_within(&mut child, DROP_GRACE), Ok(Some(_))) {
                let _ = child.kill();
            }
        }
        let _ = child.wait();
    }
}

fn forward_lines(
    pipe: impl Read + Send + 'static,
    stream: OutputStream,
    sender: mpsc::Sender<(OutputStream, String)>,
) {
    // The thread ends when the process closes the pipe (it ended) or the handle is gone.
    let _ = thread::Builder::new()
        .name(format!("child-{stream}"))
        .spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if sender.send((stream, line)).is_err() {
                    break;
                }
            }
        });
}

fn quote_lines(lines: &[(OutputStream, String)]) -> String {
    let first = lines.len().saturating_sub(LINES_QUOTED_MAX);
    let quoted: Vec<String> = lines[first..]
        .iter()
        .map(|(stream, line)| format!("\n  [{stream}] {line}"))
        .collect();
    if quoted.is_empty() {
        " (nothing)".to_owned()
    } else {
        quoted.concat()
    }
}

/// A program that ran to completion.
#[derive(Debug, Clone)]
pub struct Completed {
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Completed {
    /// The exit code (`None` if a signal ended the program).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Everything it printed, for assertion messages.
    pub fn transcript(&self) -> String {
        format!(
            "`{}` exited with {}; stdout:\n{}\nstderr:\n{}",
            self.command, self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `program` to completion, killing it after `limit`.
pub fn run_within(
    program: &Path,
    arguments: &[&str],
    limit: Duration,
) -> Result<Completed, InteropError> {
    let mut process = BackgroundProcess::spawn(program, arguments)?;
    let Some(child) = process.child.as_mut() else {
        return Err(InteropError::Runtime(std::io::Error::other(
            "the process was not started",
        )));
    };
    let status = wait_within(child, limit)?;
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    process.drain();
    let Some(status) = status else {
        return Err(InteropError::ProcessTimedOut {
            command: process.command.clone(),
            limit,
            output: quote_lines(&process.seen),
        });
    };
    let text = |wanted: OutputStream| -> String {
        let lines = process.seen.iter().filter(|(stream, _)| *stream == wanted);
        lines.map(|(_, line)| format!("{line}\n")).collect()
    };
    Ok(Completed {
        command: process.command.clone(),
        status,
        stdout: text(OutputStream::Stdout),
        stderr: text(OutputStream::Stderr),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Duration = Duration::from_secs(5);

    fn shell() -> &'static Path {
        Path::new("sh")
    }

    #[test]
    fn a_completed_program_reports_its_status_and_both_outputs() -> Result<(), InteropError> {
        let done = run_within(shell(), &["-c", "echo out; echo err >&2; exit 5"], LIMIT)?;
        assert_eq!(done.code(), Some(5));
        assert_eq!(done.stdout, "out\n");
        assert_eq!(done.stderr, "err\n");
        assert!(
            done.transcript().contains("exit 5"),
            "{}",
            done.transcript()
        );
        Ok(())
    }

    #[test]
    fn a_program_over_its_limit_is_killed_and_reported() {
        let short = Duration::from_millis(200);
        // The killed shell's `sleep` keeps the pipes open: the output must still come back.
        let script = "echo started; sleep 3";
        let error = run_within(shell(), &["-c", script], short).expect_err("sleeps past the limit");
        let message = error.to_string();
        assert!(message.contains("did not finish within"), "{message}");
        assert!(message.contains("[stdout] started"), "{message}");
    }

    #[test]
    fn a_background_process_is_waited_on_line_by_line_and_interrupted() -> Result<(), InteropError>
    {
        let script = "trap 'echo bye >&2; exit 0' INT; echo one; echo two >&2; echo three; \
                      while :; do sleep 0.05; done";
        // A shell cannot trap a signal ignored when it started, as SIGINT is for everything
        // a non-interactive shell puts in the background (a CI runner, say): `env` restores
        // its default first.
        let arguments = ["--default-signal=INT", "sh", "-c", script];
        let mut process = BackgroundProcess::spawn(Path::new("env"), &arguments)?;
        let is_digit_word = |line: &str| line == "one" || line == "three";
        let first = process.wait_for_line("a word", OutputStream::Stdout, LIMIT, is_digit_word)?;
        let second = process.wait_for_line("a word", OutputStream::Stdout, LIMIT, is_digit_word)?;
        assert_eq!((first.as_str(), second.as_str()), ("one", "three"));
        let on_stderr =
            process.wait_for_line("two", OutputStream::Stderr, LIMIT, |l| l == "two")?;
        assert_eq!(on_stderr, "two");
        let (status, output) = process.interrupt(LIMIT)?;
        assert!(status.success(), "{status}: {output}");
        assert!(output.contains("[stderr] bye"), "{output}");
        Ok(())
    }

    #[test]
    fn a_line_that_never_comes_is_reported_with_the_output() -> Result<(), InteropError> {
        let mut process = BackgroundProcess::spawn(shell(), &["-c", "echo hello; exit 3"])?;
        let error = process
            .wait_for_line("a goodbye", OutputStream::Stdout, LIMIT, |l| l == "bye")
            .expect_err("never printed");
        let message = error.to_string();
        assert!(message.contains("a goodbye"), "{message}");
        assert!(message.contains("[stdout] hello"), "{message}");
        Ok(())
    }

    #[test]
    fn dropping_a_background_process_stops_it() -> Result<(), InteropError> {
        let process = BackgroundProcess::spawn(shell(), &["-c", "while :; do sleep 0.05; done"])?;
        let pid = process.id().expect("a running process has an id");
        assert!(system::is_running(pid));
        drop(process);
        assert!(!system::is_running(pid), "stopped and reaped");
        Ok(())
    }
}
