//! Which centre a resident books at. The scenario's residents are those whose nearest centre
//! is the simulated one: they ask there first. When it has no slot within the lead time they
//! accept (their preferred day and `booking.next_day_tries` later days of their window), they
//! fall back to another centre, chosen by `booking.other_centres`' shares, and ask there for
//! their preferred day onwards. Those booked elsewhere register there, outside this
//! simulation: they are accounted for as a distinct outcome, never dropped.
//!
//! The choice is drawn from the resident's own stream for this purpose only, so adding a
//! centre changes no other draw of anybody; nothing is stored until a resident falls back.

use hkic_kernel::Streams;
use rand::RngExt;

use crate::config::Config;
use crate::labels;

/// The centre (index into `CentreId`s: 1 onwards) `resident` falls back to; `None` without
/// other centres.
pub(crate) fn fallback_centre(config: &Config, streams: &Streams, resident: u32) -> Option<u8> {
    let others = &config.booking.other_centres;
    let total: f64 = others.iter().map(|centre| centre.share).sum();
    if others.is_empty() || total <= 0.0 {
        return None;
    }
    let mut stream = streams.stream(labels::resident_centre_choice(resident));
    let mut point = stream.random::<f64>() * total;
    for (index, centre) in others.iter().enumerate() {
        if point < centre.share {
            return u8::try_from(index + 1).ok();
        }
        point -= centre.share;
    }
    u8::try_from(others.len()).ok()
}
