//! Where vpcd is and how patiently to reach it.
//!
//! Every wait the bridge makes is bounded here: the connection attempt, the completion of a
//! frame once it has started, and the reconnection backoff (doubling from `backoff_initial`
//! up to `backoff_max`). Only the number of attempts is unbounded by default, because pcscd
//! may be restarted at any time; the shutdown future is then what ends the bridge.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::num::NonZeroU32;
use std::time::Duration;

use crate::error::BridgeError;

/// vpcd's first slot (reader `Virtual PCD 00 00`): 127.0.0.1:35963 (0x8C7B).
pub const DEFAULT_ADDRESS: SocketAddr =
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 35963));

/// How the bridge reaches vpcd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeConfig {
    /// vpcd's listening address.
    pub address: SocketAddr,
    /// The first wait after a failed attempt or a dropped connection.
    pub backoff_initial: Duration,
    /// The longest wait between attempts.
    pub backoff_max: Duration,
    /// The longest a connection attempt may take.
    pub connect_timeout: Duration,
    /// The longest a started frame may take to arrive in full, and a reply to be written.
    pub frame_timeout: Duration,
    /// Stop with [`BridgeError::Unreachable`] after this many failed attempts in a row;
    /// `None` retries until the shutdown future completes.
    pub connect_failures_max: Option<NonZeroU32>,
}

impl BridgeConfig {
    /// Defaults for a local pcscd: retries from 50 ms doubling to 2 s, forever.
    pub fn new(address: SocketAddr) -> Self {
        Self {
            address,
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(2),
            frame_timeout: Duration::from_secs(5),
            connect_failures_max: None,
        }
    }

    /// Checks every duration is usable: none is zero, and the backoff can grow to its cap.
    pub fn validate(&self) -> Result<(), BridgeError> {
        let positive = "more than zero";
        check(
            self.backoff_initial > Duration::ZERO,
            "backoff_initial",
            self.backoff_initial,
            positive,
        )?;
        check(
            self.backoff_max >= self.backoff_initial,
            "backoff_max",
            self.backoff_max,
            "at least backoff_initial",
        )?;
        check(
            self.connect_timeout > Duration::ZERO,
            "connect_timeout",
            self.connect_timeout,
            positive,
        )?;
        check(
            self.frame_timeout > Duration::ZERO,
            "frame_timeout",
            self.frame_timeout,
            positive,
        )?;
        Ok(())
    }
}

impl Default for BridgeConfig {
    fn default() -> Self {
        Self::new(DEFAULT_ADDRESS)
    }
}

fn check(
    ok: bool,
    field: &'static str,
    value: Duration,
    expected: &'static str,
) -> Result<(), BridgeError> {
    if ok {
        Ok(())
    } else {
        Err(BridgeError::InvalidConfig {
            field,
            value,
            expected,
        })
    }
}

/// Exponential backoff between connection attempts, capped.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(config: &BridgeConfig) -> Self {
        Self {
            initial: config.backoff_initial,
            max: config.backoff_max,
            next: config.backoff_initial,
        }
    }

    /// The wait before the next attempt; the one after doubles, up to the cap.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        debug_assert!(delay <= self.max);
        delay
    }

    /// Back to the initial wait (after a connection succeeded).
    pub(crate) fn reset(&mut self) {
        self.next = self.initial;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_and_resets() {
        let config = BridgeConfig {
            backoff_initial: Duration::from_millis(50),
            backoff_max: Duration::from_millis(300),
            ..BridgeConfig::default()
        };
        let mut backoff = Backoff::new(&config);
        let delays: Vec<u128> = (0..6).map(|_| backoff.next_delay().as_millis()).collect();
        assert_eq!(delays, [50, 100, 200, 300, 300, 300]);
        backoff.reset();
        assert_eq!(backoff.next_delay(), Duration::from_millis(50));
    }

    #[test]
    fn the_default_config_is_valid_and_points_at_the_first_slot() {
        let config = BridgeConfig::default();
        assert!(config.validate().is_ok());
        assert_eq!(config.address.to_string(), "127.0.0.1:35963");
    }

    #[test]
    fn zero_or_inverted_durations_are_refused_with_the_field_named() {
        let zero_backoff = BridgeConfig {
            backoff_initial: Duration::ZERO,
            ..BridgeConfig::default()
        };
        let inverted = BridgeConfig {
            backoff_max: Duration::from_millis(10),
            ..BridgeConfig::default()
        };
        let zero_frame = BridgeConfig {
            frame_timeout: Duration::ZERO,
            ..BridgeConfig::default()
        };
        let field = |config: &BridgeConfig| match config.validate() {
            Err(BridgeError::InvalidConfig { field, .. }) => Some(field),
            _ => None,
        };
        assert_eq!(field(&zero_backoff), Some("backoff_initial"));
        assert_eq!(field(&inverted), Some("backoff_max"));
        assert_eq!(field(&zero_frame), Some("frame_timeout"));
    }
}
