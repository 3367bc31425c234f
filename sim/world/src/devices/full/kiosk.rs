//! The registration kiosk's operations: read the old card, verify the thumbs, scan the
//! e-form QR code, print the form.

use hkic_base::{SimTime, Stream};
use hkic_chip::FirstGenerationFaults;
use hkic_devices::kiosk::{DeviceFaults, ScanRead, ScanSource, Scanner, ScannerModel};
use hkic_services::messages::{CardId, ResidentId};
use hkic_terminals::devices::{
    DeviceFault, Handling, OldCardIdentity, OldCardReading, QrScan, ThumbVerification,
};

use super::stations::{CardInReader, Equipped, device_fault, handled};
use super::{FullDevices, old_card, station, thumbs};
use crate::devices::{Answer, Subject};
use crate::labels;

impl FullDevices {
    pub(super) fn read_old_card(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
    ) -> Answer<OldCardReading> {
        let mut operation = self.operation_stream(subject);
        let devices = station(&mut self.kiosks, kiosk);
        devices.card = None;
        let reader = &mut devices.old_card_reader;
        if let Some(refused) = reader.refuse(now, OldCardReading::Fault) {
            return refused;
        }
        let model = &self.models.old_cards;
        let card = old_card::issue(
            &self.streams,
            subject.resident,
            subject.born,
            model,
            &self.reader,
        );
        let reading = old_card::read(&card, card.faults, &self.master, model, &mut operation);
        let after = reading.link_time + model.reader_overhead;
        if reader.jams_now(&mut operation) {
            let fault = DeviceFault::Jammed {
                this_operation: true,
            };
            let outcome = OldCardReading::Fault(fault);
            return Answer { after, outcome };
        }
        let Some(references) = old_card::references(&reading.verdict, &card) else {
            let outcome = OldCardReading::Unreadable;
            return Answer { after, outcome };
        };
        let resident = subject.resident;
        devices.card = Some(CardInReader {
            resident,
            references,
        });
        let holder = OldCardIdentity {
            resident: ResidentId(resident),
            card: CardId(u64::from(resident)),
        };
        let outcome = OldCardReading::Read(holder);
        Answer { after, outcome }
    }

    /// The templates of the card in `kiosk`'s reader; if the session read none for this
    /// resident (a workflow never asks so), the card is read again without link faults, its
    /// nonces from a copy of the operation's stream so that no later draw moves.
    fn references(
        &self,
        kiosk: u16,
        subject: &Subject,
        operation: &Stream,
    ) -> old_card::References {
        let devices = &self.kiosks[usize::from(kiosk)];
        if let Some(card) = devices
            .card
            .as_ref()
            .filter(|card| card.resident == subject.resident)
        {
            return card.references.clone();
        }
        let model = &self.models.old_cards;
        let card = old_card::issue(
            &self.streams,
            subject.resident,
            subject.born,
            model,
            &self.reader,
        );
        let faults = FirstGenerationFaults {
            corrupted_thumbprints: card.faults.corrupted_thumbprints,
            ..FirstGenerationFaults::default()
        };
        let reading = old_card::read(&card, faults, &self.master, model, &mut operation.clone());
        old_card::references(&reading.verdict, &card).unwrap_or([None, None])
    }

    pub(super) fn verify_thumbs(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
    ) -> Answer<ThumbVerification> {
        let mut operation = self.operation_stream(subject);
        let module = &mut station(&mut self.kiosks, kiosk).fingerprint_module;
        if let Some(refused) = module.refuse(now, ThumbVerification::Fault) {
            return refused;
        }
        let references = self.references(kiosk, subject, &operation);
        let answer = self.verify_live(now, subject, &references, &mut operation);
        let module = &mut self.kiosks[usize::from(kiosk)].fingerprint_module;
        unless_jammed(module, answer, &mut operation)
    }

    /// Both thumbs of `subject` captured live by the reader and verified against
    /// `references` by the matcher; the time is the captures' and the module's matching.
    pub(super) fn verify_live(
        &mut self,
        now: SimTime,
        subject: &Subject,
        references: &old_card::References,
        operation: &mut Stream,
    ) -> Answer<ThumbVerification> {
        let fingers = thumbs::fingers(&self.streams, subject.resident, subject.born, now.date());
        let live = thumbs::capture(&self.reader, &fingers, operation);
        let (outcome, compared) = thumbs::verify(
            &self.verifier,
            &mut self.scratch,
            &self.reader,
            &live,
            references,
        );
        let after = live.duration + self.models.matching_time_per_thumb * compared;
        Answer { after, outcome }
    }

    /// How the resident shows QR codes: the same way every time.
    fn qr_source(&self, resident: u32) -> ScanSource {
        let mut stream = self.streams.stream(labels::resident_qr_medium(resident));
        if hkic_base::bernoulli(&mut stream, self.models.qr_on_phone_share) {
            ScanSource::QrOnPhone
        } else {
            ScanSource::QrOnPaper
        }
    }

    pub(super) fn scan_eform(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
    ) -> Answer<QrScan> {
        let mut operation = self.operation_stream(subject);
        let source = self.qr_source(subject.resident);
        let scanner = &mut station(&mut self.kiosks, kiosk).scanner;
        let payload = subject.eform.map(|eform| eform.encode());
        let model = &self.models.scanner;
        scan(
            scanner,
            model,
            now,
            source,
            payload.as_ref().map(|bytes| &bytes[..]),
            &mut operation,
        )
    }

    pub(super) fn print_form(
        &mut self,
        now: SimTime,
        kiosk: u16,
        subject: &Subject,
    ) -> Answer<Handling> {
        let mut operation = self.operation_stream(subject);
        let devices = station(&mut self.kiosks, kiosk);
        // The form is the session's last step: the card's templates are no longer needed.
        devices.card = None;
        let printer = &mut devices.printer;
        if let Some(refused) = printer.refuse(now, Handling::Fault) {
            return refused;
        }
        let printed = printer.device.print(now, &mut operation);
        handled(printed)
    }
}

/// `answer`, unless the fingerprint module jams with this verification (drawn after it, from
/// the operation's stream).
pub(super) fn unless_jammed(
    module: &mut Equipped<DeviceFaults>,
    answer: Answer<ThumbVerification>,
    operation: &mut Stream,
) -> Answer<ThumbVerification> {
    if !module.jams_now(operation) {
        return answer;
    }
    let fault = DeviceFault::Jammed {
        this_operation: true,
    };
    let outcome = ThumbVerification::Fault(fault);
    Answer {
        after: answer.after,
        outcome,
    }
}

/// One scan of `payload` shown on `source`; with nothing shown, the scan window closes
/// without a read.
pub(super) fn scan(
    scanner: &mut Equipped<Scanner>,
    model: &ScannerModel,
    now: SimTime,
    source: ScanSource,
    payload: Option<&[u8]>,
    operation: &mut Stream,
) -> Answer<QrScan> {
    if let Some(refused) = scanner.refuse(now, QrScan::Fault) {
        return refused;
    }
    let Some(payload) = payload else {
        let profile = match source {
            ScanSource::QrOnPaper => &model.qr_on_paper,
            ScanSource::QrOnPhone => &model.qr_on_phone,
            ScanSource::Document => &model.document,
        };
        let after = profile.no_read_time.sample(operation);
        let outcome = QrScan::NoRead;
        return Answer { after, outcome };
    };
    let scan = scanner.device.scan(now, source, payload, operation);
    let outcome = match scan.result {
        Ok(ScanRead::Decoded(bytes)) => QrScan::Decoded(bytes),
        Ok(ScanRead::NoRead) => QrScan::NoRead,
        Err(fault) => QrScan::Fault(device_fault(fault)),
    };
    let after = scan.duration;
    Answer { after, outcome }
}
