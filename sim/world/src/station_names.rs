//! Stable names for the stations' outcomes, for the trace and the report.

use hkic_terminals::photo_counter::{NotRegisteredReason, UnfinishedReason};
use hkic_terminals::registration::RegistrationReferral;

pub(crate) fn referral_name(reason: RegistrationReferral) -> &'static str {
    match reason {
        RegistrationReferral::OldCardUnreadable => "old_card_unreadable",
        RegistrationReferral::FingerprintsNotVerified => "fingerprints_not_verified",
        RegistrationReferral::EFormUnavailable => "eform_unavailable",
        RegistrationReferral::EFormNotFound => "eform_not_found",
        RegistrationReferral::EFormNotTheHolders => "eform_not_the_holders",
        RegistrationReferral::EFormContentMismatch => "eform_content_mismatch",
        RegistrationReferral::AlreadyAccepted { .. } => "already_accepted",
        RegistrationReferral::ApplicationRefused { .. } => "application_refused",
        RegistrationReferral::ServiceUnreachable => "service_unreachable",
        RegistrationReferral::KioskOutOfService => "kiosk_out_of_service",
    }
}

pub(crate) fn not_registered_name(reason: NotRegisteredReason) -> &'static str {
    match reason {
        NotRegisteredReason::IdentityNotEstablished => "identity_not_established",
        NotRegisteredReason::ApplicationRefused { .. } => "application_refused",
        NotRegisteredReason::DuplicateSuspected => "duplicate_suspected",
    }
}

pub(crate) fn unfinished_name(reason: UnfinishedReason) -> &'static str {
    match reason {
        UnfinishedReason::PhotoNotObtained => "photo_not_obtained",
        UnfinishedReason::ServiceUnreachable => "service_unreachable",
        UnfinishedReason::ApplicationNotOpen => "application_not_open",
        UnfinishedReason::CounterOutOfService => "counter_out_of_service",
    }
}

pub(crate) fn device_name(device: hkic_terminals::devices::DeviceKind) -> &'static str {
    use hkic_terminals::devices::DeviceKind;
    match device {
        DeviceKind::OldCardReader => "old_card_reader",
        DeviceKind::FingerprintModule => "fingerprint_module",
        DeviceKind::Scanner => "scanner",
        DeviceKind::Printer => "printer",
        DeviceKind::Camera => "camera",
        DeviceKind::Tablet => "tablet",
        DeviceKind::CardStore => "card_store",
        DeviceKind::CardReader => "card_reader",
        DeviceKind::Dispenser => "dispenser",
    }
}
