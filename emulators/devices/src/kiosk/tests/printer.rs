//! Printing: paper counted to the page, paper jams and print times.

use super::device::quiet_faults;
use super::{assert_mean, assert_share, opening, seconds, uniform};
use crate::kiosk::*;
use hkic_base::{SimDuration, seed_stream};

fn small_printer(capacity: u32, pages: u32) -> Printer {
    let model = PrinterModel {
        paper_capacity_pages: capacity,
        pages_per_document: pages,
        print_time: uniform(10, 20),
        paper_loading_time: uniform(60, 180),
        faults: quiet_faults(),
    };
    Printer::new(model).unwrap()
}

#[test]
fn the_paper_runs_out_after_its_documents_and_an_officer_reloads_it() {
    let mut printer = small_printer(10, 3);
    let mut stream = seed_stream(41);
    assert_eq!(printer.documents_remaining(), 3);
    for left in [7, 4, 1] {
        let printed = printer.print(opening(), &mut stream).result;
        assert_eq!(
            printed,
            Ok(Printed {
                pages_remaining: left
            })
        );
    }
    for minute in 0..5 {
        let now = opening() + SimDuration::from_minutes(minute);
        let operation = printer.print(now, &mut stream);
        assert_eq!(operation.result, Err(DeviceFault::OutOfPaper));
        assert_eq!(operation.duration, SimDuration::from_millis(1_500));
        assert_eq!(
            printer.status(now, &mut stream),
            Err(DeviceFault::OutOfPaper)
        );
    }
    assert_eq!(printer.pages_remaining(), 1, "a refused job uses no paper");
    let loading = printer.load_paper(&mut stream);
    assert!((seconds(60)..=seconds(180)).contains(&loading));
    assert_eq!(printer.status(opening(), &mut stream), Ok(()));
    assert!(printer.print(opening(), &mut stream).result.is_ok());
    assert_eq!(printer.pages_remaining(), 7);
}

#[test]
fn a_paper_jam_spoils_the_pages_and_lasts_until_cleared() {
    let mut printer = small_printer(10, 2);
    let mut stream = seed_stream(42);
    let mut faults = quiet_faults();
    faults.jam_probability = 1.0;
    printer.faults_mut().set_model(faults).unwrap();
    let jammed = printer.print(opening(), &mut stream);
    assert_eq!(
        jammed.result,
        Err(DeviceFault::Jammed {
            this_operation: true
        })
    );
    assert_eq!(printer.pages_remaining(), 8);
    printer.faults_mut().set_model(quiet_faults()).unwrap();
    let still = printer.print(opening() + seconds(60), &mut stream);
    assert_eq!(
        still.result,
        Err(DeviceFault::Jammed {
            this_operation: false
        })
    );
    assert_eq!(printer.pages_remaining(), 8);
    assert_eq!(
        printer.faults_mut().clear_jam(&mut stream),
        Some(seconds(240))
    );
    assert!(
        printer
            .print(opening() + seconds(400), &mut stream)
            .result
            .is_ok()
    );
}

#[test]
fn paper_jams_and_print_times_follow_the_model() {
    let mut printer = small_printer(10_000, 1);
    let mut faults = quiet_faults();
    faults.jam_probability = 0.005;
    printer.faults_mut().set_model(faults).unwrap();
    let mut stream = seed_stream(43);
    let (mut jams, mut durations) = (0, Vec::new());
    for _ in 0..100_000 {
        if printer.pages_remaining() == 0 {
            printer.load_paper(&mut stream);
        }
        let operation = printer.print(opening(), &mut stream);
        if operation.result.is_err() {
            assert_eq!(
                operation.fault(),
                Some(DeviceFault::Jammed {
                    this_operation: true
                })
            );
            jams += 1;
            printer.faults_mut().clear_jam(&mut stream);
        }
        durations.push(operation.duration);
    }
    assert_share("paper jams", jams, durations.len(), 0.005);
    assert_mean("print", &durations, SimDuration::from_secs(15));
}

#[test]
fn a_ticket_printer_holds_a_roll_of_quick_tickets() {
    let model = PrinterModel::queue_ticket();
    assert!(model.print_time.mean() < PrinterModel::registration_form().print_time.mean());
    let mut printer = Printer::new(model).unwrap();
    assert_eq!(printer.documents_remaining(), 1_000);
    let mut faults = FaultModel::none();
    faults.fault_detection_time = seconds(2);
    printer.faults_mut().set_model(faults).unwrap();
    let mut stream = seed_stream(44);
    let printed = (0..1_001)
        .filter(|_| printer.print(opening(), &mut stream).result.is_ok())
        .count();
    assert_eq!(printed, 1_000);
}
