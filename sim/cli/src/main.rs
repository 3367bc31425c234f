//! `hkic-sim`: see `hkic-sim --help` and README.md.

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = hkic_cli::main_with(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    ExitCode::from(code)
}
