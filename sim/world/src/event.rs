//! The world's events (what the kernel queues) and observations (what components and the
//! world report), both written to the trace.

use hkic_base::{SimDuration, SimTime};
use hkic_kernel::{Fields, NodeId, PartitionMode, TraceRecord};
use hkic_services::messages::{EFormReference, Message};
use hkic_terminals::collection_kiosk::CollectionKioskOutcome;
use hkic_terminals::photo_counter::PhotoCounterOutcome;
use hkic_terminals::registration_kiosk::RegistrationKioskOutcome;

use crate::config::{CrashTarget, LinkName};
use crate::devices::Station;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Tag,
    Registration,
    Photo,
    /// Self-service Collection Kiosks (a later visit, after the card is made).
    Collection,
}

/// How many stages there are.
pub const STAGES: usize = 4;

impl Stage {
    pub const ALL: [Stage; STAGES] = [
        Stage::Tag,
        Stage::Registration,
        Stage::Photo,
        Stage::Collection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Tag => "tag_kiosk",
            Stage::Registration => "registration_kiosk",
            Stage::Photo => "photo_counter",
            Stage::Collection => "collection_kiosk",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskOp {
    Synced { token: u64 },
    Read { token: u64, offset: u64, len: u64 },
}

/// A device outcome, for either kind of station.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceOutcome {
    RegistrationKiosk(RegistrationKioskOutcome),
    PhotoCounter(PhotoCounterOutcome),
    CollectionKiosk(CollectionKioskOutcome),
}

impl DeviceOutcome {
    /// A short name of the outcome, for the trace.
    pub fn name(&self) -> &'static str {
        use hkic_terminals::devices::{Handling, OldCardReading, QrScan, ThumbVerification};
        match self {
            DeviceOutcome::RegistrationKiosk(outcome) => match outcome {
                RegistrationKioskOutcome::OldCardRead(OldCardReading::Read(_)) => "old_card.read",
                RegistrationKioskOutcome::OldCardRead(OldCardReading::Unreadable) => {
                    "old_card.unreadable"
                }
                RegistrationKioskOutcome::ThumbsVerified(ThumbVerification::Matched { .. }) => {
                    "thumbs.matched"
                }
                RegistrationKioskOutcome::ThumbsVerified(ThumbVerification::NotMatched) => {
                    "thumbs.not_matched"
                }
                RegistrationKioskOutcome::ThumbsVerified(ThumbVerification::CaptureFailed) => {
                    "thumbs.capture_failed"
                }
                RegistrationKioskOutcome::QrScanned(QrScan::Decoded(_)) => "qr.decoded",
                RegistrationKioskOutcome::QrScanned(QrScan::NoRead) => "qr.no_read",
                RegistrationKioskOutcome::FormPrinted(Handling::Done) => "form.printed",
                RegistrationKioskOutcome::OldCardRead(OldCardReading::Fault(_))
                | RegistrationKioskOutcome::ThumbsVerified(ThumbVerification::Fault(_))
                | RegistrationKioskOutcome::QrScanned(QrScan::Fault(_))
                | RegistrationKioskOutcome::FormPrinted(Handling::Fault(_)) => "device.fault",
            },
            DeviceOutcome::PhotoCounter(outcome) => {
                use hkic_terminals::devices::{
                    FormEntry, ManualVerification, OldCardInspection, PhotoCapture,
                };
                match outcome {
                    PhotoCounterOutcome::OldCardInspected(OldCardInspection::Identified(_)) => {
                        "inspection.identified"
                    }
                    PhotoCounterOutcome::OldCardInspected(OldCardInspection::NotIdentified) => {
                        "inspection.not_identified"
                    }
                    PhotoCounterOutcome::IdentityVerified(ManualVerification::Verified {
                        ..
                    }) => "identity.verified",
                    PhotoCounterOutcome::IdentityVerified(ManualVerification::NotVerified) => {
                        "identity.not_verified"
                    }
                    PhotoCounterOutcome::FormEntered(FormEntry::Entered { .. }) => "form.entered",
                    PhotoCounterOutcome::PhotoTaken(PhotoCapture::Taken {
                        acceptable: true,
                        ..
                    }) => "photo.acceptable",
                    PhotoCounterOutcome::PhotoTaken(PhotoCapture::Taken {
                        acceptable: false,
                        ..
                    }) => "photo.retake",
                    PhotoCounterOutcome::FormEntered(FormEntry::Fault(_))
                    | PhotoCounterOutcome::PhotoTaken(PhotoCapture::Fault(_)) => "device.fault",
                }
            }
            DeviceOutcome::CollectionKiosk(outcome) => collection_outcome_name(outcome),
        }
    }
}

fn collection_outcome_name(outcome: &CollectionKioskOutcome) -> &'static str {
    use hkic_terminals::devices::{CardReading, CardTake, Handling, QrScan, ThumbVerification};
    match outcome {
        CollectionKioskOutcome::QrScanned(QrScan::Decoded(_)) => "qr.decoded",
        CollectionKioskOutcome::QrScanned(QrScan::NoRead) => "qr.no_read",
        CollectionKioskOutcome::CardTaken(CardTake::Taken) => "card.taken",
        CollectionKioskOutcome::CardTaken(CardTake::NotInStore) => "card.not_in_store",
        CollectionKioskOutcome::CardRead(CardReading::Read { verdict, .. }) => {
            if verdict.is_forgery() {
                "card.not_genuine"
            } else {
                "card.read"
            }
        }
        CollectionKioskOutcome::ThumbsVerified(ThumbVerification::Matched { .. }) => {
            "thumbs.matched"
        }
        CollectionKioskOutcome::ThumbsVerified(ThumbVerification::NotMatched) => {
            "thumbs.not_matched"
        }
        CollectionKioskOutcome::ThumbsVerified(ThumbVerification::CaptureFailed) => {
            "thumbs.capture_failed"
        }
        CollectionKioskOutcome::CardReturned(Handling::Done) => "card.returned",
        CollectionKioskOutcome::CardRetained(Handling::Done) => "card.retained",
        CollectionKioskOutcome::CardDispensed(Handling::Done) => "card.dispensed",
        CollectionKioskOutcome::QrScanned(QrScan::Fault(_))
        | CollectionKioskOutcome::CardTaken(CardTake::Fault(_))
        | CollectionKioskOutcome::CardRead(CardReading::Fault(_))
        | CollectionKioskOutcome::ThumbsVerified(ThumbVerification::Fault(_))
        | CollectionKioskOutcome::CardReturned(Handling::Fault(_))
        | CollectionKioskOutcome::CardRetained(Handling::Fault(_))
        | CollectionKioskOutcome::CardDispensed(Handling::Fault(_)) => "device.fault",
    }
}

fn station_fields(fields: &mut Fields<'_>, station: Station) {
    let (kind, number) = match station {
        Station::RegistrationKiosk(kiosk) => ("registration_kiosk", kiosk),
        Station::PhotoCounter(counter) => ("photo_counter", counter),
        Station::CollectionKiosk(kiosk) => ("collection_kiosk", kiosk),
    };
    fields.str("station", kind);
    fields.u64("number", u64::from(number));
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A resident asks the booking app for an appointment.
    BookingDue {
        resident: u32,
    },
    /// A resident comes to collect their new card.
    CollectArrive {
        resident: u32,
    },
    /// A booked resident changes their booking (moves or cancels it).
    ChangeBooking {
        resident: u32,
    },
    /// A resident without an appointment fills in the e-form in the app before their day.
    FillEForm {
        resident: u32,
    },
    /// A resident reaches the centre (or comes back when the check-in window opens).
    Arrive {
        resident: u32,
    },
    /// A server finishes its part of a resident's service.
    ServiceDone {
        stage: Stage,
        server: u16,
    },
    Deliver {
        from: NodeId,
        to: NodeId,
        message: Message,
    },
    /// A terminal's wake-up time.
    Wake {
        node: NodeId,
    },
    /// A disk operation of a service completes.
    DiskDone {
        node: CrashTarget,
        incarnation: u32,
        op: DiskOp,
    },
    /// A crash; `down_for` from the scenario, or drawn from the profile when `None`.
    Crash {
        node: CrashTarget,
        down_for: Option<SimDuration>,
    },
    Restart {
        node: CrashTarget,
        incarnation: u32,
    },
    /// A partition; unset parts are drawn from the profile.
    Partition {
        link: Option<LinkName>,
        lasting: Option<SimDuration>,
        mode: Option<PartitionMode>,
    },
    /// Sample queue lengths for the report.
    Sample,
    /// A device operation at a station is over: its outcome reaches the workflow.
    DeviceDone {
        station: Station,
        outcome: DeviceOutcome,
    },
    /// The floor officer called to a registration kiosk keyed the e-form reference (or found
    /// none).
    OfficerKeyed {
        kiosk: u16,
        reference: Option<EFormReference>,
    },
    /// An officer cleared a station's fault: it is back in service.
    Restored {
        station: Station,
    },
    /// A queued resident's patience runs out (if they are still waiting since `queued_at`).
    GiveUp {
        resident: u32,
        stage: Stage,
        queued_at: SimTime,
    },
}

fn write_message(fields: &mut Fields<'_>, message: &Message) {
    fields.str("message", message.kind());
    if let Some(resident) = message.resident() {
        fields.u64("resident", u64::from(resident.0));
    }
}

impl TraceRecord for Event {
    fn kind(&self) -> &'static str {
        match self {
            Event::BookingDue { .. } => "booking_due",
            Event::Arrive { .. } => "arrive",
            Event::FillEForm { .. } => "fill_eform",
            Event::ChangeBooking { .. } => "change_booking",
            Event::CollectArrive { .. } => "collect_arrive",
            Event::ServiceDone { .. } => "service_done",
            Event::Deliver { .. } => "deliver",
            Event::Wake { .. } => "wake",
            Event::DiskDone { .. } => "disk_done",
            Event::Crash { .. } => "crash",
            Event::Restart { .. } => "restart",
            Event::Partition { .. } => "partition",
            Event::Sample => "sample",
            Event::GiveUp { .. } => "give_up",
            Event::DeviceDone { .. } => "device_done",
            Event::OfficerKeyed { .. } => "officer_keyed",
            Event::Restored { .. } => "restored",
        }
    }

    fn write_fields(&self, fields: &mut Fields<'_>) {
        match self {
            Event::BookingDue { resident }
            | Event::Arrive { resident }
            | Event::FillEForm { resident }
            | Event::ChangeBooking { resident }
            | Event::CollectArrive { resident } => fields.u64("resident", u64::from(*resident)),
            Event::ServiceDone { stage, server } => {
                fields.str("stage", stage.name());
                fields.u64("server", u64::from(*server));
            }
            Event::Deliver { from, to, message } => {
                fields.u64("from", u64::from(from.0));
                fields.u64("to", u64::from(to.0));
                write_message(fields, message);
            }
            Event::Wake { node } => fields.u64("node", u64::from(node.0)),
            Event::DiskDone {
                node,
                incarnation,
                op,
            } => {
                fields.str("node", node.name());
                fields.u64("incarnation", u64::from(*incarnation));
                match op {
                    DiskOp::Synced { token } => fields.u64("synced", *token),
                    DiskOp::Read { token, .. } => fields.u64("read", *token),
                }
            }
            Event::Crash { node, .. } => fields.str("node", node.name()),
            Event::Restart { node, incarnation } => {
                fields.str("node", node.name());
                fields.u64("incarnation", u64::from(*incarnation));
            }
            Event::Partition { link, .. } => {
                fields.str("link", link.map_or("drawn", LinkName::name))
            }
            Event::Sample => {}
            Event::GiveUp {
                resident, stage, ..
            } => {
                fields.u64("resident", u64::from(*resident));
                fields.str("stage", stage.name());
            }
            Event::DeviceDone { station, outcome } => {
                station_fields(fields, *station);
                fields.str("outcome", outcome.name());
            }
            Event::OfficerKeyed { kiosk, reference } => {
                fields.u64("kiosk", u64::from(*kiosk));
                fields.str("keyed", if reference.is_some() { "yes" } else { "no" });
            }
            Event::Restored { station } => station_fields(fields, *station),
        }
    }
}

/// Something the world or a component reports, recorded in the trace between events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    pub kind: &'static str,
    pub resident: Option<u32>,
    pub detail: &'static str,
    pub number: u64,
    pub time: Option<SimTime>,
}

impl Observation {
    pub fn new(kind: &'static str, detail: &'static str) -> Observation {
        Observation {
            kind,
            resident: None,
            detail,
            number: 0,
            time: None,
        }
    }

    pub fn resident(mut self, resident: u32) -> Observation {
        self.resident = Some(resident);
        self
    }

    pub fn number(mut self, number: u64) -> Observation {
        self.number = number;
        self
    }

    pub fn time(mut self, time: SimTime) -> Observation {
        self.time = Some(time);
        self
    }
}

impl TraceRecord for Observation {
    fn kind(&self) -> &'static str {
        self.kind
    }

    fn write_fields(&self, fields: &mut Fields<'_>) {
        if let Some(resident) = self.resident {
            fields.u64("resident", u64::from(resident));
        }
        fields.str("detail", self.detail);
        fields.u64("number", self.number);
        if let Some(time) = self.time {
            fields.time("time", time);
        }
    }
}
