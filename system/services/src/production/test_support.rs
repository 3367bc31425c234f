//! What the production service's tests share: the harness, a calendar, orders, and the fake
//! personalisation line and card registry.

use hkic_base::{SimDuration, seed_stream};

use super::*;
use crate::messages::{AcknowledgementReference, BiometricDigest};
use crate::test_disk::test_service;

test_service!(ProductionService, ProductionConfig, ProductionEvent);

pub(super) type Harness = crate::test_disk::Harness<ProductionService>;

pub(super) const LINE: Address = Address(20);
pub(super) const REGISTRY: Address = Address(21);
pub(super) const FIRST_CARD: CardId = FIRST_CARD_DEFAULT;

pub(super) fn date(text: &str) -> Date {
    text.parse().unwrap()
}

/// A time of a day, "2024-03-05", "09:30".
pub(super) fn at(day: &str, time: &str) -> SimTime {
    SimTime::at(date(day), time.parse().unwrap())
}

/// 2024 and 2025, with Easter 2024 (Friday 29 March to Monday 1 April) as holidays.
pub(super) fn calendar() -> Calendar {
    let holidays = ["2024-03-29", "2024-03-30", "2024-04-01"].map(date);
    Calendar::new(date("2024-01-01"), date("2025-12-31"), holidays).unwrap()
}

pub(super) fn retry() -> RetryPolicy {
    RetryPolicy {
        timeout: SimDuration::from_secs(30),
        backoff_initial: SimDuration::from_secs(10),
        backoff_max: SimDuration::from_minutes(10),
        give_up_after: SimDuration::from_minutes(5),
    }
}

/// Cut-off at 17:00, a lead time of `lead` working days.
pub(super) fn config_with_lead(lead: u32) -> ProductionConfig {
    ProductionConfig {
        calendar: calendar(),
        lead_time_working_days: lead,
        batch_cut_off: "17:00".parse().unwrap(),
        personalisation_line: LINE,
        registry: REGISTRY,
        retry: retry(),
        jitter: seed_stream(9),
        first_card: FIRST_CARD,
    }
}

pub(super) fn config() -> ProductionConfig {
    config_with_lead(10)
}

pub(super) fn order(number: u64) -> CardOrder {
    CardOrder {
        application: ApplicationId(number),
        resident: ResidentId(1_000 + number as u32),
        centre: CentreId(2),
        acknowledgement: AcknowledgementReference(0xAC00 + number),
        old_card: CardId(500 + number),
        thumbs: BiometricDigest(0x7400 + number),
        photo: BiometricDigest(0x9100 + number),
    }
}

pub(super) fn produce(number: u64) -> Message {
    Message::ProduceCardRequest {
        order: order(number),
    }
}

/// The personalisation line's answer for a card.
pub(super) fn line_reply(card: CardId, application: ApplicationId, verified: bool) -> Input {
    let outcome = if verified {
        PersonalisationOutcome::Verified
    } else {
        PersonalisationOutcome::Failed
    };
    let message = Message::PersonaliseReply {
        card,
        application,
        outcome,
    };
    Input::Message {
        from: LINE,
        message,
    }
}

pub(super) fn registry_reply(card: CardId) -> Input {
    let message = Message::CardDispatchReply { card };
    Input::Message {
        from: REGISTRY,
        message,
    }
}

/// The personalisation requests sent so far: (card, application).
pub(super) fn personalise_requests(harness: &Harness) -> Vec<(CardId, ApplicationId)> {
    let requests = harness
        .outgoing
        .iter()
        .filter_map(|(to, message)| match message {
            Message::PersonaliseRequest { card, order } => {
                assert_eq!(*to, LINE);
                Some((*card, order.application))
            }
            _ => None,
        });
    requests.collect()
}

/// The dispatch requests sent so far: (card, application).
pub(super) fn dispatch_requests(harness: &Harness) -> Vec<(CardId, ApplicationId)> {
    let requests = harness
        .outgoing
        .iter()
        .filter_map(|(to, message)| match message {
            Message::CardDispatchRequest { dispatch } => {
                assert_eq!(*to, REGISTRY);
                Some((dispatch.card, dispatch.order.application))
            }
            _ => None,
        });
    requests.collect()
}

/// Feeds an input and lets the disk settle.
pub(super) fn settled(harness: &mut Harness, now: SimTime, input: Input) {
    harness.input(now, input);
    harness.settle(now);
}
