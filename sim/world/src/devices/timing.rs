//! The `timing` fidelity's device model: each operation's duration and outcome drawn from
//! the scenario's `devices` section. What depends on the resident (their fingers, whether a
//! photo needs a retake) comes from the resident's stream for that operation; what depends on
//! the hardware (jams, outages) from the station's own stream, so adding a kiosk changes no
//! resident's outcomes.

use hkic_base::{SimDuration, SimTime, Stream, bernoulli};
use hkic_kernel::Streams;
use hkic_services::messages::{
    BiometricDigest, CardId, CardOrder, EFormDigest, PersonalisationOutcome, ResidentId,
};
use hkic_terminals::collection_kiosk::{CollectionKioskDevice, CollectionKioskOutcome};
use hkic_terminals::devices::{
    CardReading, CardTake, DeviceFault, DeviceKind, FormEntry, Handling, ManualVerification,
    OldCardIdentity, OldCardInspection, OldCardReading, PhotoCapture, QrScan, ReadVerdict,
    ThumbVerification,
};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterOutcome};
use hkic_terminals::registration_kiosk::{RegistrationKioskDevice, RegistrationKioskOutcome};
use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::{Answer, DeviceModel, Station, Subject};
use crate::config::{CollectionParams, DeviceParams, ProductionParams};
use crate::labels;
use crate::population::age_on;

pub struct TimingDevices {
    params: DeviceParams,
    collection: CollectionParams,
    production: ProductionParams,
    streams: Streams,
    /// Per station (registration kiosks, photo counters, collection kiosks): its fault
    /// stream.
    stations: Vec<Stream>,
    registration_kiosks: u16,
    photo_counters: u16,
}

/// How many of each station there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StationCounts {
    pub registration_kiosks: u16,
    pub photo_counters: u16,
    pub collection_kiosks: u16,
}

impl TimingDevices {
    /// `station_node` names each station's node, for its stream.
    pub fn new(
        params: DeviceParams,
        collection: CollectionParams,
        production: ProductionParams,
        streams: Streams,
        counts: StationCounts,
        station_node: impl Fn(Station) -> u16,
    ) -> TimingDevices {
        let stations = (0..counts.registration_kiosks)
            .map(Station::RegistrationKiosk)
            .chain((0..counts.photo_counters).map(Station::PhotoCounter))
            .chain((0..counts.collection_kiosks).map(Station::CollectionKiosk))
            .map(|station| streams.stream(labels::station_faults(station_node(station))))
            .collect();
        TimingDevices {
            params,
            collection,
            production,
            streams,
            stations,
            registration_kiosks: counts.registration_kiosks,
            photo_counters: counts.photo_counters,
        }
    }

    fn station(&mut self, station: Station) -> &mut Stream {
        let index = match station {
            Station::RegistrationKiosk(kiosk) => usize::from(kiosk),
            Station::PhotoCounter(counter) => usize::from(self.registration_kiosks + counter),
            Station::CollectionKiosk(kiosk) => {
                usize::from(self.registration_kiosks + self.photo_counters + kiosk)
            }
        };
        &mut self.stations[index]
    }

    /// A hardware fault of this operation, if the station's draw says so.
    fn fault(&mut self, station: Station) -> Option<DeviceFault> {
        let (jam, offline) = (self.params.jam, self.params.offline);
        let stream = self.station(station);
        if bernoulli(stream, jam) {
            Some(DeviceFault::Jammed {
                this_operation: true,
            })
        } else if bernoulli(stream, offline) {
            Some(DeviceFault::Offline)
        } else {
            None
        }
    }

    fn poor_fingers(&self, subject: &Subject, now: SimTime) -> bool {
        let share = if age_on(subject.born, now.date()) >= 65 {
            self.params.poor_fingers_65_or_over
        } else {
            self.params.poor_fingers_under_65
        };
        bernoulli(
            &mut self.streams.stream(labels::resident_skin(subject.resident)),
            share,
        )
    }

    /// Floor officer keying the e-form reference for a resident whose QR code would not
    /// scan: how long it took, and the reference if the officer found it.
    pub fn key_reference(
        &self,
        subject: &Subject,
    ) -> Answer<Option<hkic_services::messages::EFormReference>> {
        let mut stream = self.operation_stream(subject);
        let after = self.params.key_reference.sample(&mut stream);
        let found = bernoulli(&mut stream, self.params.reference_found);
        Answer {
            after,
            outcome: subject.eform.filter(|_| found).map(|qr| qr.reference),
        }
    }

    /// One two-thumb capture and verification (against the old card's templates at
    /// registration, against DG3 at collection).
    fn verify_thumbs(
        &mut self,
        now: SimTime,
        station: Station,
        subject: &Subject,
    ) -> Answer<ThumbVerification> {
        let mut stream = self.operation_stream(subject);
        let params = &self.params;
        let after = params.thumb_capture.sample(&mut stream);
        let non_match = if self.poor_fingers(subject, now) {
            params.non_match_poor
        } else {
            params.non_match
        };
        let failed_capture = bernoulli(&mut stream, params.capture_failure);
        let matched = !bernoulli(&mut stream, non_match);
        let outcome = match self.fault(station) {
            Some(fault) => ThumbVerification::Fault(fault),
            None if failed_capture => ThumbVerification::CaptureFailed,
            None if matched => ThumbVerification::Matched {
                capture: capture_digest(subject),
            },
            None => ThumbVerification::NotMatched,
        };
        Answer { after, outcome }
    }

    fn operation_stream(&self, subject: &Subject) -> Stream {
        self.streams.stream(labels::resident_operation(
            subject.resident,
            subject.operation,
        ))
    }
}

/// A capture's digest: which resident, which operation.
fn capture_digest(subject: &Subject) -> BiometricDigest {
    let key = (u64::from(subject.resident) << 32) | u64::from(subject.operation);
    BiometricDigest(xxh3_64_with_seed(&key.to_le_bytes(), 0x7468_756d_6273))
}

/// The resident's old card: the registry numbers a resident's first-generation card by the
/// resident's number.
pub fn old_card_of(resident: u32) -> OldCardIdentity {
    OldCardIdentity {
        resident: ResidentId(resident),
        card: CardId(u64::from(resident)),
    }
}

/// The digest of the application data a resident enters (in the app or with an officer).
pub fn form_digest(resident: u32) -> EFormDigest {
    EFormDigest(xxh3_64_with_seed(&resident.to_le_bytes(), 0x0065_666f_726d))
}

impl DeviceModel for TimingDevices {
    fn registration_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: RegistrationKioskDevice,
    ) -> Answer<RegistrationKioskOutcome> {
        let station = Station::RegistrationKiosk(kiosk);
        let mut stream = self.operation_stream(subject);
        let params = &self.params;
        let (after, outcome) = match request {
            RegistrationKioskDevice::ReadOldCard => {
                let after = params.old_card_read.sample(&mut stream);
                let unreadable = bernoulli(&mut stream, params.old_card_unreadable);
                let reading = match self.fault(station) {
                    Some(fault) => OldCardReading::Fault(fault),
                    None if unreadable => OldCardReading::Unreadable,
                    None => OldCardReading::Read(old_card_of(subject.resident)),
                };
                (after, RegistrationKioskOutcome::OldCardRead(reading))
            }
            RegistrationKioskDevice::VerifyThumbs => {
                let answer = self.verify_thumbs(now, station, subject);
                (
                    answer.after,
                    RegistrationKioskOutcome::ThumbsVerified(answer.outcome),
                )
            }
            RegistrationKioskDevice::ScanEFormQr => {
                let after = params.qr_scan.sample(&mut stream);
                let misread = bernoulli(&mut stream, params.qr_no_read);
                let scan = match (self.fault(station), subject.eform) {
                    (Some(fault), _) => QrScan::Fault(fault),
                    (None, Some(qr)) if !misread => QrScan::Decoded(qr.encode().to_vec()),
                    (None, _) => QrScan::NoRead,
                };
                (after, RegistrationKioskOutcome::QrScanned(scan))
            }
            RegistrationKioskDevice::PrintForm { .. } => {
                let after = params.print.sample(&mut stream);
                let chance = params.out_of_paper;
                let out_of_paper = bernoulli(self.station(station), chance);
                let printing = match self.fault(station) {
                    Some(fault) => Handling::Fault(fault),
                    None if out_of_paper => Handling::Fault(DeviceFault::OutOfPaper),
                    None => Handling::Done,
                };
                (after, RegistrationKioskOutcome::FormPrinted(printing))
            }
        };
        Answer { after, outcome }
    }

    fn photo_counter(
        &mut self,
        _now: SimTime,
        counter: u16,
        subject: &Subject,
        request: PhotoCounterDevice,
    ) -> Answer<PhotoCounterOutcome> {
        let station = Station::PhotoCounter(counter);
        let mut stream = self.operation_stream(subject);
        let params = &self.params;
        let (after, outcome) = match request {
            PhotoCounterDevice::InspectOldCard => {
                let after = params.inspect_old_card.sample(&mut stream);
                let inspection = if bernoulli(&mut stream, params.not_identified) {
                    OldCardInspection::NotIdentified
                } else {
                    OldCardInspection::Identified(old_card_of(subject.resident))
                };
                (after, PhotoCounterOutcome::OldCardInspected(inspection))
            }
            PhotoCounterDevice::VerifyIdentity { .. } => {
                let after = params.verify_identity.sample(&mut stream);
                let verification = if bernoulli(&mut stream, params.not_verified) {
                    ManualVerification::NotVerified
                } else {
                    ManualVerification::Verified {
                        thumbs: capture_digest(subject),
                    }
                };
                (after, PhotoCounterOutcome::IdentityVerified(verification))
            }
            PhotoCounterDevice::EnterForm => {
                let after = params.form_entry.sample(&mut stream);
                let entry = match self.fault(station) {
                    Some(fault) => FormEntry::Fault(fault),
                    None => FormEntry::Entered {
                        digest: form_digest(subject.resident),
                    },
                };
                (after, PhotoCounterOutcome::FormEntered(entry))
            }
            PhotoCounterDevice::TakePhoto { .. } => {
                let after = params.photo.sample(&mut stream);
                let retake = if subject.needs_assistance {
                    params.photo_retake_assisted
                } else {
                    params.photo_retake
                };
                let acceptable = !bernoulli(&mut stream, retake);
                let capture = match self.fault(station) {
                    Some(fault) => PhotoCapture::Fault(fault),
                    None => PhotoCapture::Taken {
                        photo: capture_digest(subject),
                        acceptable,
                    },
                };
                (after, PhotoCounterOutcome::PhotoTaken(capture))
            }
        };
        Answer { after, outcome }
    }

    fn collection_kiosk(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
        request: CollectionKioskDevice,
    ) -> Answer<CollectionKioskOutcome> {
        let station = Station::CollectionKiosk(kiosk);
        let mut stream = self.operation_stream(subject);
        let (params, collection) = (&self.params, &self.collection);
        let handling = collection.card_handling.sample(&mut stream);
        let (after, outcome) = match request {
            CollectionKioskDevice::ScanAcknowledgementQr => {
                let after = params.qr_scan.sample(&mut stream);
                let misread = bernoulli(&mut stream, params.qr_no_read);
                let scan = match (self.fault(station), subject.acknowledgement) {
                    (Some(fault), _) => QrScan::Fault(fault),
                    (None, Some(slip)) if !misread => QrScan::Decoded(slip.encode_qr().to_vec()),
                    (None, _) => QrScan::NoRead,
                };
                (after, CollectionKioskOutcome::QrScanned(scan))
            }
            CollectionKioskDevice::TakeCard { .. } => {
                let take = match self.fault(station) {
                    Some(fault) => CardTake::Fault(fault),
                    None => CardTake::Taken,
                };
                (handling, CollectionKioskOutcome::CardTaken(take))
            }
            CollectionKioskDevice::ReadCard { .. } => {
                let after = collection.card_read.sample(&mut stream);
                let unreadable = bernoulli(&mut stream, collection.read_failure);
                let reading = match self.fault(station) {
                    Some(fault) => CardReading::Fault(fault),
                    None => CardReading::Read {
                        verdict: if unreadable {
                            ReadVerdict::Unreadable
                        } else {
                            ReadVerdict::Genuine
                        },
                        holder: (!unreadable).then_some(ResidentId(subject.resident)),
                        dg3_read: !unreadable,
                    },
                };
                (after, CollectionKioskOutcome::CardRead(reading))
            }
            CollectionKioskDevice::VerifyThumbs { .. } => {
                let answer = self.verify_thumbs(now, station, subject);
                let outcome = CollectionKioskOutcome::ThumbsVerified(answer.outcome);
                return Answer {
                    after: answer.after,
                    outcome,
                };
            }
            CollectionKioskDevice::ReturnCard { .. }
            | CollectionKioskDevice::RetainCard { .. }
            | CollectionKioskDevice::DispenseCard { .. } => {
                let done = match self.fault(station) {
                    Some(fault) => Handling::Fault(fault),
                    None => Handling::Done,
                };
                let outcome = match request {
                    CollectionKioskDevice::ReturnCard { .. } => {
                        CollectionKioskOutcome::CardReturned(done)
                    }
                    CollectionKioskDevice::RetainCard { .. } => {
                        CollectionKioskOutcome::CardRetained(done)
                    }
                    _ => CollectionKioskOutcome::CardDispensed(done),
                };
                (handling, outcome)
            }
        };
        Answer { after, outcome }
    }

    /// A drawn duration and a drawn failure, keyed by the card so a repeated request gets
    /// the same answer.
    fn personalise(
        &mut self,
        _now: SimTime,
        card: CardId,
        _order: &CardOrder,
    ) -> Answer<PersonalisationOutcome> {
        let mut stream = self.streams.stream(labels::card_personalisation(card.0));
        let after = self.production.personalisation.sample(&mut stream);
        let outcome = if bernoulli(&mut stream, self.production.failure) {
            PersonalisationOutcome::Failed
        } else {
            PersonalisationOutcome::Verified
        };
        Answer { after, outcome }
    }

    fn repair(
        &mut self,
        _now: SimTime,
        station: Station,
        _device: DeviceKind,
        fault: DeviceFault,
    ) -> SimDuration {
        let repair = self.params.repair.clone();
        let time = repair.sample(self.station(station));
        match fault {
            // Paper is refilled quicker than a jam is cleared.
            DeviceFault::OutOfPaper => SimDuration::from_secs_f64(time.as_secs_f64() / 4.0),
            DeviceFault::Jammed { .. } | DeviceFault::Offline => time,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{load_fault_profile, load_scenario};
    use hkic_base::Date;
    use hkic_terminals::devices::ThumbVerification;

    fn config() -> crate::Config {
        let scenario = load_scenario(None, &[]).expect("the default scenario loads");
        let profile = load_fault_profile("none").expect("none");
        crate::scenario::build_config(&scenario, profile, None).expect("valid")
    }

    fn params() -> DeviceParams {
        config().devices
    }

    fn devices(kiosks: u16, params: DeviceParams) -> TimingDevices {
        let counts = StationCounts {
            registration_kiosks: kiosks,
            photo_counters: 5,
            collection_kiosks: 2,
        };
        TimingDevices::new(
            params,
            config().collection,
            config().production,
            Streams::new(7),
            counts,
            |station| match station {
                Station::RegistrationKiosk(k) => 100 + k,
                Station::PhotoCounter(c) => 200 + c,
                Station::CollectionKiosk(k) => 300 + k,
            },
        )
    }

    fn subject(resident: u32, born_year: i32) -> Subject {
        Subject {
            resident,
            born: Date::from_ymd(born_year, 6, 1).unwrap(),
            needs_assistance: false,
            eform: None,
            acknowledgement: None,
            operation: 3,
        }
    }

    fn verify(devices: &mut TimingDevices, subject: &Subject) -> Answer<RegistrationKioskOutcome> {
        let now = SimTime::at_midnight(Date::from_ymd(2019, 1, 21).unwrap());
        devices.registration_kiosk(now, 0, subject, RegistrationKioskDevice::VerifyThumbs)
    }

    #[test]
    fn a_residents_outcomes_do_not_depend_on_how_many_kiosks_there_are() {
        let mut params = params();
        params.jam = 0.0;
        params.offline = 0.0;
        let (mut few, mut many) = (devices(2, params.clone()), devices(12, params));
        for resident in 0..200 {
            let subject = subject(resident, 1985);
            assert_eq!(verify(&mut few, &subject), verify(&mut many, &subject));
        }
    }

    #[test]
    fn poor_fingers_are_commoner_at_65_and_fail_verification_more_often() {
        let mut params = params();
        (params.jam, params.offline, params.capture_failure) = (0.0, 0.0, 0.0);
        let mut devices = devices(1, params.clone());
        let failure_rate = |devices: &mut TimingDevices, born_year| {
            let failed = (0..4000)
                .filter(|&resident| {
                    let outcome = verify(devices, &subject(resident, born_year)).outcome;
                    outcome
                        != RegistrationKioskOutcome::ThumbsVerified(ThumbVerification::Matched {
                            capture: capture_digest(&subject(resident, born_year)),
                        })
                })
                .count();
            failed as f64 / 4000.0
        };
        let expected = |poor: f64| poor * params.non_match_poor + (1.0 - poor) * params.non_match;
        let young = failure_rate(&mut devices, 1985);
        let old = failure_rate(&mut devices, 1940);
        assert!(
            (young - expected(params.poor_fingers_under_65)).abs() < 0.015,
            "{young}"
        );
        assert!(
            (old - expected(params.poor_fingers_65_or_over)).abs() < 0.025,
            "{old}"
        );
    }

    #[test]
    fn a_jam_is_a_fault_and_its_repair_takes_time() {
        let mut params = params();
        params.jam = 1.0;
        let mut devices = devices(1, params);
        let answer = verify(&mut devices, &subject(1, 1985));
        let jammed = DeviceFault::Jammed {
            this_operation: true,
        };
        assert_eq!(
            answer.outcome,
            RegistrationKioskOutcome::ThumbsVerified(ThumbVerification::Fault(jammed))
        );
        let now = SimTime::EPOCH;
        let station = Station::RegistrationKiosk(0);
        let repair = devices.repair(now, station, DeviceKind::FingerprintModule, jammed);
        assert!(repair > SimDuration::ZERO);
    }
}
