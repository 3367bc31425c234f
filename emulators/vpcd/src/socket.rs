//! The one socket option the bridge cannot do without.
//!
//! Debian's vpcd (3.3) writes each frame's length and payload with two `send()` calls. With
//! Nagle's algorithm on vpcd's socket, the payload waits for the ACK of the length; with the
//! kernel's delayed ACK on ours, that ACK waits about 40 ms. `TCP_QUICKACK` is not sticky (the
//! kernel leaves quick-ACK mode on its own), so it is re-armed before every read.

use std::io;

use tokio::net::TcpStream;

/// Asks the kernel to acknowledge the next segments at once.
#[cfg(target_os = "linux")]
pub(crate) fn arm_quickack(stream: &TcpStream) -> io::Result<()> {
    socket2::SockRef::from(stream).set_tcp_quickack(true)
}

/// Other systems have no `TCP_QUICKACK`; vpcd is packaged for Linux, so nothing is lost.
#[cfg(not(target_os = "linux"))]
pub(crate) fn arm_quickack(_stream: &TcpStream) -> io::Result<()> {
    Ok(())
}
