//! The Self-service Registration Kiosk against the real booking service (e-forms) and a
//! double of the registration service: the happy path, every failure path, retries and
//! give-up, and duplicated and late replies.

mod common;

use std::num::NonZeroU8;

use common::{BOOKING, REGISTRATION, Run, Services};
use hkic_base::seed_stream;
use hkic_services::messages::{
    AcknowledgementReference, BiometricDigest, CardId, EFormDigest, EFormQr, EFormReference,
    IdentityEvidence, Message, OpenRefusal, ResidentId,
};
use hkic_terminals::RegistrationKiosk;
use hkic_terminals::devices::{
    DeviceFault, DeviceKind, Handling, OldCardIdentity, OldCardReading, QrScan, ThumbVerification,
};
use hkic_terminals::registration::RegistrationReferral;
use hkic_terminals::registration_kiosk::{
    RegistrationKioskConfig, RegistrationKioskDevice as Device, RegistrationKioskEvent as Event,
    RegistrationKioskInput as Input, RegistrationKioskOutcome as Outcome, RegistrationResult,
};

const THUMB_ATTEMPTS: u8 = 3;
const QR_ATTEMPTS: u8 = 2;
const THUMBS: BiometricDigest = BiometricDigest(0x7417);

fn kiosk() -> Run<RegistrationKiosk> {
    let config = RegistrationKioskConfig {
        centre: hkic_services::messages::CentreId(0),
        booking_service: BOOKING,
        registration_service: REGISTRATION,
        retry: common::retry(),
        thumb_attempts_max: NonZeroU8::new(THUMB_ATTEMPTS).unwrap(),
        qr_attempts_max: NonZeroU8::new(QR_ATTEMPTS).unwrap(),
    };
    Run::new(
        RegistrationKiosk::new(config, seed_stream(3)),
        common::start(),
    )
}

fn holder(resident: u32) -> OldCardIdentity {
    OldCardIdentity {
        resident: ResidentId(resident),
        card: CardId(10_000 + u64::from(resident)),
    }
}

/// Stores the resident's e-form through the real booking service.
fn submit_eform(services: &mut Services, resident: u32, digest: u64) -> EFormQr {
    let message = Message::EFormSubmitRequest {
        resident: ResidentId(resident),
        digest: EFormDigest(digest),
    };
    match &services.booking.deliver(common::start(), BOOKING, message)[..] {
        [Message::EFormSubmitReply { outcome, .. }] => outcome.qr(),
        other => panic!("{other:?}"),
    }
}

/// Answers the pending device request, which must be `expected`.
fn answer(run: &mut Run<RegistrationKiosk>, expected: Device, outcome: Outcome) {
    assert_eq!(run.device(), expected);
    run.input(Input::Device(outcome));
}

/// Inserts the card of `holder`, reads it and verifies the thumbs at the first attempt.
fn verified(run: &mut Run<RegistrationKiosk>, holder: OldCardIdentity) {
    run.input(Input::InsertOldCard);
    answer(
        run,
        Device::ReadOldCard,
        Outcome::OldCardRead(OldCardReading::Read(holder)),
    );
    let matched = ThumbVerification::Matched { capture: THUMBS };
    answer(run, Device::VerifyThumbs, Outcome::ThumbsVerified(matched));
}

fn scan(run: &mut Run<RegistrationKiosk>, scan: QrScan) {
    answer(run, Device::ScanEFormQr, Outcome::QrScanned(scan));
}

fn ended(run: &Run<RegistrationKiosk>) -> Vec<RegistrationResult> {
    run.events
        .iter()
        .filter_map(|event| match event {
            Event::SessionEnded { result } => Some(*result),
            _ => None,
        })
        .collect()
}

fn referral(run: &Run<RegistrationKiosk>) -> RegistrationReferral {
    match ended(run)[..] {
        [RegistrationResult::Referred { reason, .. }] => reason,
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn reads_verifies_retrieves_opens_prints_and_sends_to_the_photo_counter() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 7, 0xF0F0);
    let mut run = kiosk();
    verified(&mut run, holder(7));
    scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
    run.exchange(&mut services);
    let application = services.registration.applications[&ResidentId(7)];
    assert_eq!(application.opening.old_card, holder(7).card);
    assert_eq!(application.opening.eform, qr.reference);
    assert_eq!(application.opening.thumbs, THUMBS);
    assert_eq!(application.opening.identity, IdentityEvidence::KioskThumbs);
    let print = Device::PrintForm {
        application: application.id,
    };
    answer(&mut run, print, Outcome::FormPrinted(Handling::Done));
    let [RegistrationResult::ToPhotoCounter { progress }] = ended(&run)[..] else {
        panic!("{:?}", run.events)
    };
    assert_eq!(progress.holder, Some(holder(7)));
    assert_eq!(progress.eform, Some(qr.reference));
    assert_eq!(progress.application, Some(application.id));
    assert_eq!(
        progress.identity.map(|identity| identity.thumbs),
        Some(THUMBS)
    );
    assert!(run.terminal.is_free());
    assert!(run.devices.is_empty());
}

#[test]
fn an_unreadable_old_card_is_referred_without_asking_any_service() {
    let mut run = kiosk();
    run.input(Input::InsertOldCard);
    answer(
        &mut run,
        Device::ReadOldCard,
        Outcome::OldCardRead(OldCardReading::Unreadable),
    );
    assert_eq!(referral(&run), RegistrationReferral::OldCardUnreadable);
    assert!(run.sent.is_empty());
}

#[test]
fn thumbs_are_retried_up_to_the_limit_then_referred() {
    let mut run = kiosk();
    run.input(Input::InsertOldCard);
    answer(
        &mut run,
        Device::ReadOldCard,
        Outcome::OldCardRead(OldCardReading::Read(holder(1))),
    );
    let failures = [
        ThumbVerification::NotMatched,
        ThumbVerification::CaptureFailed,
    ];
    for attempt in 0..THUMB_ATTEMPTS {
        let failure = failures[usize::from(attempt) % 2];
        answer(
            &mut run,
            Device::VerifyThumbs,
            Outcome::ThumbsVerified(failure),
        );
    }
    assert_eq!(
        referral(&run),
        RegistrationReferral::FingerprintsNotVerified
    );
    let verifications = run
        .device_log
        .iter()
        .filter(|request| **request == Device::VerifyThumbs)
        .count();
    assert_eq!(verifications, usize::from(THUMB_ATTEMPTS));
    let RegistrationResult::Referred { progress, .. } = ended(&run)[0] else {
        unreachable!()
    };
    assert_eq!(progress.holder, Some(holder(1)));
    assert_eq!(progress.identity, None);
}

#[test]
fn a_match_within_the_limit_goes_on() {
    let mut run = kiosk();
    run.input(Input::InsertOldCard);
    answer(
        &mut run,
        Device::ReadOldCard,
        Outcome::OldCardRead(OldCardReading::Read(holder(1))),
    );
    for _ in 1..THUMB_ATTEMPTS {
        let failure = ThumbVerification::NotMatched;
        answer(
            &mut run,
            Device::VerifyThumbs,
            Outcome::ThumbsVerified(failure),
        );
    }
    let matched = ThumbVerification::Matched { capture: THUMBS };
    answer(
        &mut run,
        Device::VerifyThumbs,
        Outcome::ThumbsVerified(matched),
    );
    assert_eq!(run.devices.front(), Some(&Device::ScanEFormQr));
    assert!(ended(&run).is_empty());
}

#[test]
fn unreadable_and_misread_codes_call_an_officer_who_keys_the_reference() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 4, 99);
    let mut run = kiosk();
    verified(&mut run, holder(4));
    let mut misread = qr.encode();
    misread[3] ^= 0x40;
    scan(&mut run, QrScan::Decoded(misread.to_vec()));
    scan(&mut run, QrScan::NoRead);
    assert_eq!(run.events, vec![Event::OfficerCalled]);
    assert!(run.sent.is_empty());
    run.input(Input::OfficerKeyedReference {
        reference: qr.reference,
    });
    run.exchange(&mut services);
    assert!(
        services
            .registration
            .applications
            .contains_key(&ResidentId(4))
    );
    assert!(matches!(
        run.devices.front(),
        Some(Device::PrintForm { .. })
    ));
}

#[test]
fn an_officer_who_cannot_key_a_reference_refers_the_resident() {
    let mut run = kiosk();
    verified(&mut run, holder(4));
    for _ in 0..QR_ATTEMPTS {
        scan(&mut run, QrScan::NoRead);
    }
    run.input(Input::OfficerDeclined);
    assert_eq!(referral(&run), RegistrationReferral::EFormUnavailable);
}

#[test]
fn an_eform_that_is_missing_another_residents_or_stale_is_referred() {
    let mut services = Services::new();
    let theirs = submit_eform(&mut services, 5, 1);
    let mine = submit_eform(&mut services, 6, 2);
    let missing = EFormQr {
        reference: EFormReference(77),
        digest: EFormDigest(2),
    };
    let stale = EFormQr {
        digest: EFormDigest(3),
        ..mine
    };
    let cases = [
        (missing, RegistrationReferral::EFormNotFound),
        (theirs, RegistrationReferral::EFormNotTheHolders),
        (stale, RegistrationReferral::EFormContentMismatch),
    ];
    for (qr, expected) in cases {
        let mut run = kiosk();
        verified(&mut run, holder(6));
        scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
        run.exchange(&mut services);
        assert_eq!(referral(&run), expected);
        assert!(run.sent_to(REGISTRATION).is_empty());
    }
}

#[test]
fn a_refused_or_already_accepted_application_is_referred() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 8, 1);
    services.registration.refuse_open = Some(OpenRefusal::OldCardNotCurrent);
    let mut run = kiosk();
    verified(&mut run, holder(8));
    scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
    run.exchange(&mut services);
    assert_eq!(
        referral(&run),
        RegistrationReferral::ApplicationRefused {
            reason: OpenRefusal::OldCardNotCurrent
        }
    );

    services.registration.refuse_open = None;
    let mut first = kiosk();
    verified(&mut first, holder(8));
    scan(&mut first, QrScan::Decoded(qr.encode().to_vec()));
    first.exchange(&mut services);
    let id = services.registration.applications[&ResidentId(8)].id;
    let acknowledgement = AcknowledgementReference(1);
    services
        .registration
        .applications
        .get_mut(&ResidentId(8))
        .unwrap()
        .acknowledgement = Some(acknowledgement);
    let mut again = kiosk();
    verified(&mut again, holder(8));
    scan(&mut again, QrScan::Decoded(qr.encode().to_vec()));
    again.exchange(&mut services);
    assert_eq!(
        referral(&again),
        RegistrationReferral::AlreadyAccepted { acknowledgement }
    );
    assert_eq!(services.registration.applications.len(), 1);
    assert_eq!(services.registration.applications[&ResidentId(8)].id, id);
}

#[test]
fn a_printer_jam_takes_the_kiosk_out_of_service_until_an_officer_restores_it() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 2, 1);
    let mut run = kiosk();
    verified(&mut run, holder(2));
    scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
    run.exchange(&mut services);
    let jam = DeviceFault::Jammed {
        this_operation: true,
    };
    let Device::PrintForm { application } = run.device() else {
        panic!("printing")
    };
    run.input(Input::Device(Outcome::FormPrinted(Handling::Fault(jam))));
    assert_eq!(
        run.events[0],
        Event::OutOfService {
            device: DeviceKind::Printer,
            fault: jam
        }
    );
    let [RegistrationResult::Referred { reason, progress }] = ended(&run)[..] else {
        panic!("{:?}", run.events)
    };
    assert_eq!(reason, RegistrationReferral::KioskOutOfService);
    assert_eq!(progress.application, Some(application));
    assert!(run.terminal.is_out_of_service());
    run.input(Input::InsertOldCard);
    assert_eq!(run.events.last(), Some(&Event::InsertRefused));
    assert!(run.devices.is_empty());
    run.input(Input::Restored);
    assert_eq!(run.events.last(), Some(&Event::BackInService));
    run.input(Input::InsertOldCard);
    assert_eq!(run.device(), Device::ReadOldCard);
}

#[test]
fn every_device_fault_refers_the_resident_and_takes_the_kiosk_out_of_service() {
    let offline = DeviceFault::Offline;
    let cases: [(u8, DeviceKind); 3] = [
        (0, DeviceKind::OldCardReader),
        (1, DeviceKind::FingerprintModule),
        (2, DeviceKind::Scanner),
    ];
    for (stage, device) in cases {
        let mut run = kiosk();
        run.input(Input::InsertOldCard);
        let read = match stage {
            0 => OldCardReading::Fault(offline),
            _ => OldCardReading::Read(holder(3)),
        };
        answer(&mut run, Device::ReadOldCard, Outcome::OldCardRead(read));
        if stage >= 1 {
            let verification = match stage {
                1 => ThumbVerification::Fault(offline),
                _ => ThumbVerification::Matched { capture: THUMBS },
            };
            answer(
                &mut run,
                Device::VerifyThumbs,
                Outcome::ThumbsVerified(verification),
            );
        }
        if stage == 2 {
            scan(&mut run, QrScan::Fault(offline));
        }
        assert!(run.events.contains(&Event::OutOfService {
            device,
            fault: offline
        }));
        assert_eq!(referral(&run), RegistrationReferral::KioskOutOfService);
        assert!(run.terminal.is_out_of_service());
    }
}

#[test]
fn an_unreachable_service_is_retried_with_the_same_request_then_referred() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 9, 1);
    services.registration.mute = true;
    let mut run = kiosk();
    verified(&mut run, holder(9));
    scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
    run.run_out_the_clock(&mut services);
    let opens = run.sent_to(REGISTRATION);
    assert!(opens.len() >= 3, "{}", opens.len());
    assert!(opens.iter().all(|message| *message == opens[0]));
    assert_eq!(referral(&run), RegistrationReferral::ServiceUnreachable);
    // The service did act on the request: a late reply changes nothing at the kiosk.
    services.registration.mute = false;
    let late = services
        .registration
        .handle(opens[0].clone())
        .expect("a reply");
    let events = run.events.len();
    run.input(Input::Message {
        from: REGISTRATION,
        message: late,
    });
    assert_eq!(run.events.len(), events);
    assert!(run.devices.is_empty());
}

#[test]
fn an_unreachable_booking_service_is_referred() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 9, 1);
    services.booking_unreachable = true;
    let mut run = kiosk();
    verified(&mut run, holder(9));
    scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
    run.run_out_the_clock(&mut services);
    assert!(run.sent_to(BOOKING).len() >= 3);
    assert_eq!(referral(&run), RegistrationReferral::ServiceUnreachable);
}

#[test]
fn a_duplicated_reply_has_one_effect() {
    let mut services = Services::new();
    let qr = submit_eform(&mut services, 3, 1);
    let mut run = kiosk();
    verified(&mut run, holder(3));
    scan(&mut run, QrScan::Decoded(qr.encode().to_vec()));
    let (to, lookup) = run.outbox.pop_front().unwrap();
    let reply = services.deliver(run.now, common::driver_address(), to, lookup);
    for _ in 0..2 {
        run.input(Input::Message {
            from: BOOKING,
            message: reply[0].clone(),
        });
    }
    assert_eq!(run.sent_to(REGISTRATION).len(), 1);
    let (to, open) = run.outbox.pop_front().unwrap();
    let reply = services.deliver(run.now, common::driver_address(), to, open);
    for _ in 0..3 {
        run.input(Input::Message {
            from: REGISTRATION,
            message: reply[0].clone(),
        });
    }
    let prints = run
        .device_log
        .iter()
        .filter(|request| matches!(request, Device::PrintForm { .. }))
        .count();
    assert_eq!(prints, 1);
}

#[test]
fn outcomes_of_another_kind_are_ignored() {
    let mut run = kiosk();
    run.input(Input::Device(Outcome::FormPrinted(Handling::Done)));
    assert!(run.events.is_empty() && run.devices.is_empty());
    run.input(Input::InsertOldCard);
    run.device();
    let matched = ThumbVerification::Matched { capture: THUMBS };
    run.input(Input::Device(Outcome::ThumbsVerified(matched)));
    run.input(Input::OfficerKeyedReference {
        reference: EFormReference(1),
    });
    assert!(run.events.is_empty() && run.devices.is_empty() && run.sent.is_empty());
    run.input(Input::Device(Outcome::OldCardRead(OldCardReading::Read(
        holder(1),
    ))));
    assert_eq!(run.device(), Device::VerifyThumbs);
}
