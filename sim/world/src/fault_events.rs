//! Placing the fault profile's timed faults and the scenario's scheduled faults, and
//! carrying out partitions.

use hkic_base::{SimDuration, SimTime};
use hkic_kernel::{FaultKind, Kernel, PartitionMode};

use crate::config::{LinkName, ScheduledFault};
use crate::event::{Event, Observation};
use crate::wiring::link_sides;
use crate::world::World;

impl World {
    pub(crate) fn schedule_faults(&mut self, kernel: &mut Kernel<Event>) {
        if !self.config.faults.partition_links.is_empty() {
            for at in self.faults.plan_timed(FaultKind::Partition) {
                kernel.schedule(
                    at,
                    Event::Partition {
                        link: None,
                        lasting: None,
                        mode: None,
                    },
                );
            }
        }
        let crash_nodes = self.config.faults.crash_nodes.clone();
        if !crash_nodes.is_empty() {
            for at in self.faults.plan_timed(FaultKind::Crash) {
                let node = crash_nodes[self.faults.choose(crash_nodes.len())];
                kernel.schedule(
                    at,
                    Event::Crash {
                        node,
                        down_for: None,
                    },
                );
            }
        }
        for fault in self.config.faults.scheduled.clone() {
            match fault {
                ScheduledFault::Partition {
                    at,
                    link,
                    lasting,
                    mode,
                } => {
                    kernel.schedule(
                        at,
                        Event::Partition {
                            link: Some(link),
                            lasting: Some(lasting),
                            mode: Some(mode),
                        },
                    );
                }
                ScheduledFault::Crash { at, node, down_for } => {
                    kernel.schedule(
                        at,
                        Event::Crash {
                            node,
                            down_for: Some(down_for),
                        },
                    );
                }
            }
        }
    }

    /// Cuts a link; what the scenario did not fix is drawn from the fault profile.
    pub(crate) fn partition(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        link: Option<LinkName>,
        lasting: Option<SimDuration>,
        mode: Option<PartitionMode>,
    ) {
        let links = &self.config.faults.partition_links;
        let link = link.unwrap_or_else(|| links[self.faults.choose(links.len())]);
        let lasting = lasting.unwrap_or_else(|| self.faults.partition_duration());
        let mode = mode.unwrap_or(self.config.faults.profile.partition_mode);
        let (side_a, side_b) = link_sides(&self.config, link);
        self.network.partition(now, &side_a, &side_b, mode, lasting);
        self.faults.note(FaultKind::Partition);
        let kind = match mode {
            PartitionMode::Drop => "net.partition.drop",
            PartitionMode::Hold => "net.partition.hold",
        };
        kernel.observe(&Observation::new(kind, link.name()).time(now + lasting));
    }
}
