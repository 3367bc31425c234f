//! The messages services and their clients exchange over the network.
//!
//! A closed enum: the simulator's network carries `Message`s, and every request carries what
//! makes a retry idempotent (the resident, the booking, the e-form reference, the
//! application, the card) so that a duplicated or retried request has no second effect.
//! Every message but the revocation list's reply is fixed-size: no per-resident strings or
//! captures travel, only numbers and digests (the list travels behind an `Arc`, see
//! `revocation`). One module per service holds its outcomes and identifiers.

mod booking;
mod collection;
mod eform;
mod production;
mod qr;
mod registration;
mod revocation;

use hkic_base::{Date, TimeOfDay};

pub use booking::{BookOutcome, CancelOutcome, CheckInOutcome, WalkInOutcome};
pub use collection::{
    ActivationOutcome, ActivationRefusal, CardActivation, CollectionLookupOutcome,
};
pub use eform::{EFormDigest, EFormLookupOutcome, EFormQr, EFormReference, EFormSubmitOutcome};
pub use production::{CardDispatch, CardOrder, PersonalisationOutcome};
pub use qr::QrPayloadError;
pub use registration::{
    AcknowledgementReference, ApplicationId, ApplicationOpening, BiometricDigest, CardId,
    CompleteApplicationOutcome, IdentityEvidence, ManualIdentityBasis, OfficerId,
    OpenApplicationOutcome, OpenRefusal,
};
pub use revocation::RevocationListFetch;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResidentId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BookingId(pub u32);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CentreId(pub u16);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Book an appointment at `centre` on `day`, as close as possible to `preferred`.
    /// Idempotent per resident: a resident holds at most one booking. `born` is the year of
    /// birth the resident gives with their card number: it decides their call-up group.
    BookRequest {
        resident: ResidentId,
        born: u16,
        centre: CentreId,
        day: Date,
        preferred: TimeOfDay,
    },
    BookReply {
        resident: ResidentId,
        outcome: BookOutcome,
    },
    /// At the tag-issuing kiosk: admit the holder of `booking` to today's queue.
    CheckInRequest {
        resident: ResidentId,
        booking: BookingId,
        centre: CentreId,
    },
    CheckInReply {
        resident: ResidentId,
        booking: BookingId,
        outcome: CheckInOutcome,
    },
    /// At the tag-issuing kiosk: a same-day ticket from the walk-in quota.
    /// Idempotent per (resident, centre, day).
    WalkInRequest {
        resident: ResidentId,
        centre: CentreId,
    },
    WalkInReply {
        resident: ResidentId,
        outcome: WalkInOutcome,
    },
    /// To the booking service: store the resident's pre-filled e-form. Idempotent per
    /// resident (the first form stored stays).
    EFormSubmitRequest {
        resident: ResidentId,
        digest: EFormDigest,
    },
    EFormSubmitReply {
        resident: ResidentId,
        outcome: EFormSubmitOutcome,
    },
    /// To the booking service, from a registration kiosk or counter: the e-form with this
    /// reference. Read-only.
    EFormLookupRequest {
        reference: EFormReference,
    },
    EFormLookupReply {
        reference: EFormReference,
        outcome: EFormLookupOutcome,
    },
    /// To the registration service: open the resident's application. Idempotent per
    /// resident.
    OpenApplicationRequest {
        opening: ApplicationOpening,
    },
    OpenApplicationReply {
        resident: ResidentId,
        outcome: OpenApplicationOutcome,
    },
    /// To the registration service, from the photo counter: the photo is taken; commit the
    /// application. Idempotent per application.
    CompleteApplicationRequest {
        resident: ResidentId,
        application: ApplicationId,
        photo: BiometricDigest,
        officer: OfficerId,
    },
    CompleteApplicationReply {
        resident: ResidentId,
        application: ApplicationId,
        outcome: CompleteApplicationOutcome,
    },
    /// To the collection service, from a collection kiosk: which card does this
    /// acknowledgement collect? Read-only.
    CollectionLookupRequest {
        acknowledgement: AcknowledgementReference,
        centre: CentreId,
    },
    CollectionLookupReply {
        acknowledgement: AcknowledgementReference,
        outcome: CollectionLookupOutcome,
    },
    /// To the collection service: activate the card (and cancel the old one, atomically).
    /// Idempotent per card.
    ActivationRequest {
        activation: CardActivation,
    },
    ActivationReply {
        resident: ResidentId,
        card: CardId,
        outcome: ActivationOutcome,
    },
    /// To the booking service: give up the resident's booking (its slot is free again).
    /// Idempotent: cancelling a cancelled booking answers the same.
    CancelBookingRequest {
        resident: ResidentId,
        booking: BookingId,
    },
    CancelBookingReply {
        resident: ResidentId,
        booking: BookingId,
        outcome: CancelOutcome,
    },
    /// To the booking service: move the resident's booking to `day`, as close as possible to
    /// `preferred`; the old slot is freed only if the new one is taken (one atomic step).
    /// Idempotent: a booking already on `day` answers with its slot.
    RescheduleRequest {
        resident: ResidentId,
        booking: BookingId,
        day: Date,
        preferred: TimeOfDay,
    },
    RescheduleReply {
        resident: ResidentId,
        booking: BookingId,
        outcome: BookOutcome,
    },
    /// From the registration service to production: make this card. Idempotent per
    /// application.
    ProduceCardRequest {
        order: CardOrder,
    },
    ProduceCardReply {
        application: ApplicationId,
    },
    /// From production to the personalisation line: personalise and read back this card.
    /// Idempotent per card.
    PersonaliseRequest {
        card: CardId,
        order: CardOrder,
    },
    PersonaliseReply {
        card: CardId,
        application: ApplicationId,
        outcome: PersonalisationOutcome,
    },
    /// From production to the card registry: this card is on its way to the order's centre.
    /// Idempotent per card.
    CardDispatchRequest {
        dispatch: CardDispatch,
    },
    CardDispatchReply {
        card: CardId,
    },
    /// To the card registry, from a gate or verifier: the revocation list, if the registry's
    /// is newer than `held_version`. Read-only.
    RevocationListRequest {
        held_version: u64,
    },
    RevocationListReply {
        outcome: RevocationListFetch,
    },
}

impl Message {
    /// A short stable name, for traces.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::BookRequest { .. } => "book",
            Message::BookReply { .. } => "book.reply",
            Message::CheckInRequest { .. } => "check_in",
            Message::CheckInReply { .. } => "check_in.reply",
            Message::WalkInRequest { .. } => "walk_in",
            Message::WalkInReply { .. } => "walk_in.reply",
            Message::EFormSubmitRequest { .. } => "eform_submit",
            Message::EFormSubmitReply { .. } => "eform_submit.reply",
            Message::EFormLookupRequest { .. } => "eform_lookup",
            Message::EFormLookupReply { .. } => "eform_lookup.reply",
            Message::OpenApplicationRequest { .. } => "application_open",
            Message::OpenApplicationReply { .. } => "application_open.reply",
            Message::CompleteApplicationRequest { .. } => "application_complete",
            Message::CompleteApplicationReply { .. } => "application_complete.reply",
            Message::CollectionLookupRequest { .. } => "collection_lookup",
            Message::CollectionLookupReply { .. } => "collection_lookup.reply",
            Message::ActivationRequest { .. } => "activation",
            Message::ActivationReply { .. } => "activation.reply",
            Message::CancelBookingRequest { .. } => "cancel_booking",
            Message::CancelBookingReply { .. } => "cancel_booking.reply",
            Message::RescheduleRequest { .. } => "reschedule",
            Message::RescheduleReply { .. } => "reschedule.reply",
            Message::ProduceCardRequest { .. } => "produce_card",
            Message::ProduceCardReply { .. } => "produce_card.reply",
            Message::PersonaliseRequest { .. } => "personalise",
            Message::PersonaliseReply { .. } => "personalise.reply",
            Message::CardDispatchRequest { .. } => "card_dispatch",
            Message::CardDispatchReply { .. } => "card_dispatch.reply",
            Message::RevocationListRequest { .. } => "revocation_list",
            Message::RevocationListReply { .. } => "revocation_list.reply",
        }
    }

    /// The resident the message is about, when it names one: lookups by reference name
    /// nobody (their replies do when they found somebody).
    pub fn resident(&self) -> Option<ResidentId> {
        match self {
            Message::BookRequest { resident, .. }
            | Message::BookReply { resident, .. }
            | Message::CheckInRequest { resident, .. }
            | Message::CheckInReply { resident, .. }
            | Message::WalkInRequest { resident, .. }
            | Message::WalkInReply { resident, .. }
            | Message::EFormSubmitRequest { resident, .. }
            | Message::EFormSubmitReply { resident, .. }
            | Message::OpenApplicationReply { resident, .. }
            | Message::CompleteApplicationRequest { resident, .. }
            | Message::CompleteApplicationReply { resident, .. }
            | Message::ActivationReply { resident, .. }
            | Message::CancelBookingRequest { resident, .. }
            | Message::CancelBookingReply { resident, .. }
            | Message::RescheduleRequest { resident, .. }
            | Message::RescheduleReply { resident, .. } => Some(*resident),
            Message::ProduceCardRequest { order } | Message::PersonaliseRequest { order, .. } => {
                Some(order.resident)
            }
            Message::CardDispatchRequest { dispatch } => Some(dispatch.order.resident),
            Message::OpenApplicationRequest { opening } => Some(opening.resident),
            Message::ActivationRequest { activation } => Some(activation.resident),
            Message::EFormLookupReply {
                outcome: EFormLookupOutcome::Found { resident, .. },
                ..
            }
            | Message::CollectionLookupReply {
                outcome: CollectionLookupOutcome::Ready { resident, .. },
                ..
            } => Some(*resident),
            Message::EFormLookupRequest { .. }
            | Message::EFormLookupReply { .. }
            | Message::CollectionLookupRequest { .. }
            | Message::CollectionLookupReply { .. }
            | Message::ProduceCardReply { .. }
            | Message::PersonaliseReply { .. }
            | Message::CardDispatchReply { .. }
            | Message::RevocationListRequest { .. }
            | Message::RevocationListReply { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_by_reference_name_a_resident_only_when_they_found_one() {
        let reference = EFormReference(4);
        assert_eq!(Message::EFormLookupRequest { reference }.resident(), None);
        let found = Message::EFormLookupReply {
            reference,
            outcome: EFormLookupOutcome::Found {
                resident: ResidentId(8),
                digest: EFormDigest(1),
            },
        };
        assert_eq!(found.resident(), Some(ResidentId(8)));
        let missing = Message::EFormLookupReply {
            reference,
            outcome: EFormLookupOutcome::NotFound,
        };
        assert_eq!(missing.resident(), None);
        let acknowledgement = AcknowledgementReference(3);
        let ready = Message::CollectionLookupReply {
            acknowledgement,
            outcome: CollectionLookupOutcome::Ready {
                resident: ResidentId(5),
                card: CardId(9),
            },
        };
        assert_eq!(ready.resident(), Some(ResidentId(5)));
        let not_ready = Message::CollectionLookupReply {
            acknowledgement,
            outcome: CollectionLookupOutcome::NotReady,
        };
        assert_eq!(not_ready.resident(), None);
    }
}
