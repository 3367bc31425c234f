//! The defaults keep a visit well inside the published "less than 30 minutes" (domain.md
//! section 1): the device time of a registration and of a collection, faults included, over
//! many visits.

use super::opening;
use crate::kiosk::*;
use hkic_base::{SimDuration, SimTime, Stream, bernoulli, seed_stream};

/// Tries of one step before the test gives up on a device (far more than ever needed).
const TRIES_MAX: u32 = 100;

/// Waits out a fault as the kiosk would: until the outage ends, or for the officer.
fn recover(
    faults: &mut DeviceFaults,
    fault: DeviceFault,
    clock: &mut SimTime,
    stream: &mut Stream,
) {
    match fault {
        DeviceFault::Offline { until } => *clock = (*clock).max(until),
        DeviceFault::Jammed { .. } => *clock += faults.clear_jam(stream).unwrap_or_default(),
        DeviceFault::OutOfPaper => panic!("only a printer runs out of paper"),
    }
}

fn scan(scanner: &mut Scanner, source: ScanSource, clock: &mut SimTime, stream: &mut Stream) {
    for _ in 0..TRIES_MAX {
        let operation = scanner.scan(*clock, source, b"QR", stream);
        *clock += operation.duration;
        match operation.result {
            Ok(ScanRead::Decoded(_)) => return,
            Ok(ScanRead::NoRead) => {}
            Err(fault) => recover(scanner.faults_mut(), fault, clock, stream),
        }
    }
    panic!("no read in {TRIES_MAX} tries");
}

fn print(printer: &mut Printer, clock: &mut SimTime, stream: &mut Stream) {
    for _ in 0..TRIES_MAX {
        let operation = printer.print(*clock, stream);
        *clock += operation.duration;
        match operation.result {
            Ok(_) => return,
            Err(DeviceFault::OutOfPaper) => *clock += printer.load_paper(stream),
            Err(fault) => recover(printer.faults_mut(), fault, clock, stream),
        }
    }
    panic!("nothing printed in {TRIES_MAX} tries");
}

fn photograph(camera: &mut Camera, group: SubjectGroup, clock: &mut SimTime, stream: &mut Stream) {
    let mut session = PhotoSession::new(group);
    for _ in 0..TRIES_MAX {
        let operation = camera.take_photo(*clock, &mut session, stream).unwrap();
        *clock += operation.duration;
        match operation.result {
            Ok(PhotoOutcome::Retake(_)) => {}
            Ok(_) => return,
            Err(fault) => recover(camera.faults_mut(), fault, clock, stream),
        }
    }
    panic!("no photo in {TRIES_MAX} tries");
}

/// The resident's group: 20% aged 65 or over (domain.md section 6), 5% needing assistance
/// (an assumption for the test).
fn draw_group(stream: &mut Stream) -> SubjectGroup {
    if bernoulli(stream, 0.05) {
        SubjectGroup::NeedsAssistance
    } else if bernoulli(stream, 0.20) {
        SubjectGroup::Aged65OrOver
    } else {
        SubjectGroup::Typical
    }
}

fn percentile(durations: &mut [SimDuration], share: f64) -> SimDuration {
    durations.sort();
    durations[((durations.len() - 1) as f64 * share) as usize]
}

#[test]
fn registration_devices_take_a_small_part_of_thirty_minutes() {
    let mut stream = seed_stream(71);
    let mut tag_scanner = Scanner::new(ScannerModel::default()).unwrap();
    let mut ticket_printer = Printer::new(PrinterModel::queue_ticket()).unwrap();
    let mut kiosk_scanner = Scanner::new(ScannerModel::default()).unwrap();
    let mut form_printer = Printer::new(PrinterModel::registration_form()).unwrap();
    let mut camera = Camera::new(CameraModel::photo_counter()).unwrap();
    let mut durations = Vec::new();
    for visit in 0..20_000u64 {
        let start = opening() + SimDuration::from_minutes(10 * visit);
        let mut clock = start;
        scan(
            &mut tag_scanner,
            ScanSource::QrOnPhone,
            &mut clock,
            &mut stream,
        );
        print(&mut ticket_printer, &mut clock, &mut stream);
        scan(
            &mut kiosk_scanner,
            ScanSource::QrOnPhone,
            &mut clock,
            &mut stream,
        );
        print(&mut form_printer, &mut clock, &mut stream);
        let group = draw_group(&mut stream);
        photograph(&mut camera, group, &mut clock, &mut stream);
        durations.push(clock.saturating_since(start));
    }
    let mean = durations.iter().map(|d| d.as_secs_f64()).sum::<f64>() / durations.len() as f64;
    assert!(
        mean > 60.0 && mean < 180.0,
        "mean {mean} s of devices a registration"
    );
    let p99 = percentile(&mut durations, 0.99);
    assert!(p99 < SimDuration::from_minutes(10), "p99 {p99}");
}

#[test]
fn collection_devices_take_under_a_minute_on_average() {
    let mut stream = seed_stream(72);
    let mut scanner = Scanner::new(ScannerModel::default()).unwrap();
    let mut store = CardStore::new(CardStoreModel::default()).unwrap();
    let mut dispenser = Dispenser::new(DispenserModel::default()).unwrap();
    let mut durations = Vec::new();
    for visit in 0..20_000u64 {
        store.load(CardId(visit), &mut stream).unwrap();
        let start = opening() + SimDuration::from_minutes(10 * visit);
        let mut clock = start;
        scan(&mut scanner, ScanSource::QrOnPaper, &mut clock, &mut stream);
        for _ in 0..TRIES_MAX {
            let operation = store.retrieve(clock, CardId(visit), &mut stream);
            clock += operation.duration;
            match operation.result {
                Ok(retrieval) => {
                    assert!(matches!(retrieval, Retrieval::Retrieved { .. }));
                    break;
                }
                Err(fault) => recover(store.faults_mut(), fault, &mut clock, &mut stream),
            }
        }
        for _ in 0..TRIES_MAX {
            let operation = dispenser.dispense(clock, &mut stream);
            clock += operation.duration;
            match operation.result {
                Ok(()) => break,
                Err(fault) => recover(dispenser.faults_mut(), fault, &mut clock, &mut stream),
            }
        }
        durations.push(clock.saturating_since(start));
    }
    assert_eq!(store.card_count(), 0, "every card was collected");
    let mean = durations.iter().map(|d| d.as_secs_f64()).sum::<f64>() / durations.len() as f64;
    assert!(
        mean > 15.0 && mean < 60.0,
        "mean {mean} s of devices a collection"
    );
    let p99 = percentile(&mut durations, 0.99);
    assert!(p99 < SimDuration::from_minutes(5), "p99 {p99}");
}
