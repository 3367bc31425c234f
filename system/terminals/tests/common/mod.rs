//! What the workflow tests share: the real booking service on an in-memory disk, test
//! doubles of the registration and collection services (the real ones arrive with the
//! services issue), and a driver that runs a terminal against them.
#![allow(dead_code)]

mod doubles;
mod driver;
pub mod fuzz;

#[allow(unused_imports)]
pub use doubles::{BookingHost, Collectable, CollectionDouble, RegistrationDouble, Services};
#[allow(unused_imports)]
pub use driver::{Run, Terminal};

use hkic_base::{SimDuration, SimTime, TimeOfDay};
use hkic_services::booking::{BookingConfig, CallUpGroup, CallUpSchedule, CentreTimetable};
use hkic_services::io::Address;
use hkic_services::rpc::RetryPolicy;

pub const BOOKING: Address = Address(1);
pub const REGISTRATION: Address = Address(2);
pub const COLLECTION: Address = Address(3);

pub fn retry() -> RetryPolicy {
    RetryPolicy {
        timeout: SimDuration::from_secs(2),
        backoff_initial: SimDuration::from_secs(1),
        backoff_max: SimDuration::from_secs(4),
        give_up_after: SimDuration::from_secs(30),
    }
}

pub fn start() -> SimTime {
    "2019-01-21T09:00".parse().unwrap()
}

pub fn booking_config() -> BookingConfig {
    let date = |text: &str| text.parse().unwrap();
    let calendar = hkic_base::Calendar::new(date("2019-01-01"), date("2019-12-31"), []).unwrap();
    BookingConfig {
        calendar,
        centres: vec![CentreTimetable {
            opening: TimeOfDay::from_hm(8, 0).unwrap(),
            closing: TimeOfDay::from_hm(22, 0).unwrap(),
            slot_length: SimDuration::from_minutes(30),
            slot_quota: 10,
            walk_in_quota: 10,
        }],
        first_day: date("2019-01-21"),
        last_day: date("2019-02-28"),
        horizon_working_days: 24,
        // The tests' residents give 1985 as their year of birth: called up, booking open.
        call_up: CallUpSchedule::new(
            vec![CallUpGroup {
                born_from: 1985,
                born_until: 1986,
                window_from: date("2019-01-21"),
                window_until: date("2019-02-28"),
                booking_opens: "2019-01-01T08:00".parse().unwrap(),
            }],
            true,
        )
        .unwrap(),
        check_in_early: SimDuration::from_minutes(30),
        check_in_late: SimDuration::from_minutes(15),
    }
}

/// The address the driver sends from.
pub fn driver_address() -> Address {
    driver::TERMINAL
}
