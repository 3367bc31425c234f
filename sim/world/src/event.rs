//! The world's events (what the kernel queues) and observations (what components and the
//! world report), both written to the trace.

use hkic_base::{SimDuration, SimTime};
use hkic_kernel::{Fields, NodeId, PartitionMode, TraceRecord};
use hkic_services::messages::Message;

use crate::config::{CrashTarget, LinkName};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Tag,
    Registration,
    Photo,
}

impl Stage {
    pub const ALL: [Stage; 3] = [Stage::Tag, Stage::Registration, Stage::Photo];

    pub fn name(self) -> &'static str {
        match self {
            Stage::Tag => "tag_kiosk",
            Stage::Registration => "registration_kiosk",
            Stage::Photo => "photo_counter",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiskOp {
    Synced { token: u64 },
    Read { token: u64, offset: u64, len: u64 },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A resident asks the booking app for an appointment.
    BookingDue {
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
    /// A disk operation of the booking service completes.
    DiskDone {
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
            Event::ServiceDone { .. } => "service_done",
            Event::Deliver { .. } => "deliver",
            Event::Wake { .. } => "wake",
            Event::DiskDone { .. } => "disk_done",
            Event::Crash { .. } => "crash",
            Event::Restart { .. } => "restart",
            Event::Partition { .. } => "partition",
            Event::Sample => "sample",
            Event::GiveUp { .. } => "give_up",
        }
    }

    fn write_fields(&self, fields: &mut Fields<'_>) {
        match self {
            Event::BookingDue { resident } | Event::Arrive { resident } => {
                fields.u64("resident", u64::from(*resident))
            }
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
            Event::DiskDone { incarnation, op } => {
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
