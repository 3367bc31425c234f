//! The printers: the registration kiosk's form printer (it prints the completed application
//! form, domain.md section 2) and the tag-issuing kiosk's queue-ticket printer.
//!
//! Inputs: a request to print one document, the time and a stream; an officer loading paper
//! or clearing a jam. Output: an [`Operation`] whose value is [`Printed`] (the paper left),
//! or a fault: jammed (a paper jam), offline, or out of paper. Persists its paper level and
//! its fault state.
//!
//! Paper is counted, not drawn: a printer holds `paper_capacity_pages` pages (sheets, or
//! ticket lengths of a roll), each document uses `pages_per_document`, and when fewer are left
//! the printer refuses the job with [`DeviceFault::OutOfPaper`] before printing anything,
//! until an officer loads paper. A jammed document's pages are spoilt.
//!
//! Defaults (assumptions; no printer figures were published):
//! - Form printer ([`PrinterModel::registration_form`], the default): a 500-sheet tray (one
//!   ream), one sheet per form, 10-20 s per form (uniform: warm-up and one page), a paper jam
//!   once in 2,000 forms cleared in 2-5 minutes, paper loaded in 1-3 minutes.
//! - Ticket printer ([`PrinterModel::queue_ticket`]): a thermal roll of about 1,000 tickets
//!   (an 80 m roll, 8 cm a ticket), 2-4 s per ticket, a jam once in 5,000 tickets cleared in
//!   1-3 minutes, a roll changed in 1-2 minutes.
//! - Offline and slow as [`FaultModel::occasional`].

use super::fault::{DeviceFaults, FaultModel, clearing_seconds};
use super::operation::{DeviceFault, Operation};
use super::parameter::{
    OPERATION_MEAN_MAX, ParameterError, check_distribution, out_of_range, uniform_seconds,
};
use hkic_base::{DurationDist, SimDuration, SimTime, Stream};

/// The largest paper supply a printer may hold (a high-capacity feeder of 20 reams).
pub const PAPER_CAPACITY_PAGES_MAX: u32 = 10_000;

/// Everything a printer does.
#[derive(Debug, Clone)]
pub struct PrinterModel {
    /// Pages a full load of paper holds.
    pub paper_capacity_pages: u32,
    /// Pages one document uses (at least 1, at most the capacity).
    pub pages_per_document: u32,
    pub print_time: DurationDist,
    /// How long an officer takes to load paper.
    pub paper_loading_time: DurationDist,
    pub faults: FaultModel,
}

impl PrinterModel {
    /// The registration kiosk's form printer.
    pub fn registration_form() -> PrinterModel {
        PrinterModel {
            paper_capacity_pages: 500,
            pages_per_document: 1,
            print_time: uniform_seconds(10, 20),
            paper_loading_time: uniform_seconds(60, 180),
            faults: FaultModel::occasional(0.0005, clearing_seconds(120, 300)),
        }
    }

    /// The tag-issuing kiosk's queue-ticket printer.
    pub fn queue_ticket() -> PrinterModel {
        PrinterModel {
            paper_capacity_pages: 1_000,
            pages_per_document: 1,
            print_time: uniform_seconds(2, 4),
            paper_loading_time: uniform_seconds(60, 120),
            faults: FaultModel::occasional(0.0002, clearing_seconds(60, 180)),
        }
    }

    pub fn check(&self) -> Result<(), ParameterError> {
        let capacity = self.paper_capacity_pages;
        if capacity == 0 || capacity > PAPER_CAPACITY_PAGES_MAX {
            let expected = "from 1 to 10000 pages";
            return Err(out_of_range(
                "paper_capacity_pages",
                f64::from(capacity),
                expected,
            ));
        }
        let pages = self.pages_per_document;
        if pages == 0 || pages > capacity {
            let expected = "from 1 to paper_capacity_pages";
            return Err(out_of_range(
                "pages_per_document",
                f64::from(pages),
                expected,
            ));
        }
        check_distribution("print_time", &self.print_time, OPERATION_MEAN_MAX)?;
        check_distribution(
            "paper_loading_time",
            &self.paper_loading_time,
            OPERATION_MEAN_MAX,
        )?;
        self.faults.check().map_err(|error| error.within("faults"))
    }
}

impl Default for PrinterModel {
    fn default() -> PrinterModel {
        PrinterModel::registration_form()
    }
}

/// A document came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Printed {
    pub pages_remaining: u32,
}

/// A printer built from a checked [`PrinterModel`], loaded with paper.
#[derive(Debug, Clone)]
pub struct Printer {
    paper_capacity_pages: u32,
    pages_per_document: u32,
    print_time: DurationDist,
    paper_loading_time: DurationDist,
    pages_remaining: u32,
    faults: DeviceFaults,
}

impl Printer {
    pub fn new(model: PrinterModel) -> Result<Printer, ParameterError> {
        model.check()?;
        Ok(Printer {
            paper_capacity_pages: model.paper_capacity_pages,
            pages_per_document: model.pages_per_document,
            print_time: model.print_time,
            paper_loading_time: model.paper_loading_time,
            pages_remaining: model.paper_capacity_pages,
            faults: DeviceFaults::new(model.faults)?,
        })
    }

    pub fn pages_remaining(&self) -> u32 {
        self.pages_remaining
    }

    /// Documents the paper left is enough for (for a kiosk's low-paper warning).
    pub fn documents_remaining(&self) -> u32 {
        self.pages_remaining / self.pages_per_document
    }

    pub fn faults(&self) -> &DeviceFaults {
        &self.faults
    }

    pub fn faults_mut(&mut self) -> &mut DeviceFaults {
        &mut self.faults
    }

    /// Whether a document could be printed at `now`: the device's faults, then the paper.
    pub fn status(&mut self, now: SimTime, stream: &mut Stream) -> Result<(), DeviceFault> {
        self.faults.status(now, stream)?;
        if self.pages_remaining < self.pages_per_document {
            return Err(DeviceFault::OutOfPaper);
        }
        Ok(())
    }

    /// Prints one document at `now`.
    pub fn print(&mut self, now: SimTime, stream: &mut Stream) -> Operation<Printed> {
        let started = match self.faults.start(now, stream) {
            Ok(started) => started,
            Err(fault) => return self.faults.refuse(fault),
        };
        if self.pages_remaining < self.pages_per_document {
            return self.faults.refuse(DeviceFault::OutOfPaper);
        }
        let duration = started.scale(self.print_time.sample(stream));
        self.pages_remaining -= self.pages_per_document;
        let printed = Printed {
            pages_remaining: self.pages_remaining,
        };
        self.faults.finish(printed, duration, stream)
    }

    /// An officer fills the paper up to capacity: how long it took.
    pub fn load_paper(&mut self, stream: &mut Stream) -> SimDuration {
        self.pages_remaining = self.paper_capacity_pages;
        self.paper_loading_time.sample(stream)
    }
}
