//! A pool of identical servers (kiosks, counters) with one FIFO queue, and the utilisation
//! accounting reports need.

use std::collections::{BTreeSet, VecDeque};

use hkic_base::{SimDuration, SimTime};

#[derive(Debug)]
pub struct ServerPool {
    occupant: Vec<Option<(u32, SimTime)>>,
    /// Free servers, lowest index first, so assignment is deterministic.
    free: BTreeSet<u16>,
    /// Servers out of service: not free even when nobody is at them.
    out_of_service: BTreeSet<u16>,
    queue: VecDeque<(u32, SimTime)>,
    /// Sorted opening hours; work outside them is overtime.
    open: Vec<(SimTime, SimTime)>,
    busy_open_nanos: u128,
    busy_overtime_nanos: u128,
    max_queue: usize,
}

impl ServerPool {
    /// `servers` servers, open in the sorted, disjoint `open` intervals; work outside them is
    /// overtime.
    pub fn new(servers: u16, open: Vec<(SimTime, SimTime)>) -> ServerPool {
        debug_assert!(open.windows(2).all(|pair| pair[0].1 <= pair[1].0));
        ServerPool {
            occupant: vec![None; usize::from(servers)],
            free: (0..servers).collect(),
            out_of_service: BTreeSet::new(),
            queue: VecDeque::new(),
            open,
            busy_open_nanos: 0,
            busy_overtime_nanos: 0,
            max_queue: 0,
        }
    }

    pub fn servers(&self) -> u16 {
        self.occupant.len() as u16
    }

    pub fn enqueue(&mut self, resident: u32, now: SimTime) {
        self.queue.push_back((resident, now));
        self.max_queue = self.max_queue.max(self.queue.len());
    }

    /// Takes `resident` out of the queue if they are still in it since `queued_at` (they gave
    /// up waiting); false if they were served meanwhile.
    pub fn leave_queue(&mut self, resident: u32, queued_at: SimTime) -> bool {
        match self
            .queue
            .iter()
            .position(|&entry| entry == (resident, queued_at))
        {
            Some(position) => {
                self.queue.remove(position);
                true
            }
            None => false,
        }
    }

    /// Puts the longest-waiting resident on the lowest free server: (server, resident, queued at).
    pub fn assign(&mut self, now: SimTime) -> Option<(u16, u32, SimTime)> {
        if self.queue.is_empty() {
            return None;
        }
        let server = self.free.pop_first()?;
        let (resident, queued_at) = self.queue.pop_front().expect("checked non-empty");
        self.occupant[usize::from(server)] = Some((resident, now));
        Some((server, resident, queued_at))
    }

    /// Frees a server; returns who it served and since when.
    pub fn finish(&mut self, server: u16, now: SimTime) -> (u32, SimTime) {
        let (resident, since) = self.occupant[usize::from(server)]
            .take()
            .expect("finishing an idle server");
        if !self.out_of_service.contains(&server) {
            self.free.insert(server);
        }
        self.account(since, now);
        (resident, since)
    }

    /// Takes a server out of service: once its occupant (if any) leaves, nobody is assigned
    /// to it until [`ServerPool::restore`].
    pub fn take_out_of_service(&mut self, server: u16) {
        self.out_of_service.insert(server);
        self.free.remove(&server);
    }

    pub fn restore(&mut self, server: u16) {
        if self.out_of_service.remove(&server) && self.occupant[usize::from(server)].is_none() {
            self.free.insert(server);
        }
    }

    pub fn in_service(&self) -> usize {
        self.occupant.len() - self.out_of_service.len()
    }

    pub fn occupant(&self, server: u16) -> Option<u32> {
        self.occupant
            .get(usize::from(server))
            .copied()
            .flatten()
            .map(|(resident, _)| resident)
    }

    /// Splits a busy interval into opening hours and overtime.
    fn account(&mut self, from: SimTime, to: SimTime) {
        let open: u64 = self
            .open
            .iter()
            .map(|&(start, end)| to.min(end).saturating_since(from.max(start)).as_nanos())
            .sum();
        let total = to.saturating_since(from).as_nanos();
        self.busy_open_nanos += u128::from(open);
        self.busy_overtime_nanos += u128::from(total - open);
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    pub fn busy(&self) -> usize {
        self.occupant
            .iter()
            .filter(|occupant| occupant.is_some())
            .count()
    }

    pub fn max_queue(&self) -> usize {
        self.max_queue
    }

    /// Busy server time over available server time in opening hours (finished services only).
    pub fn busy_fraction(&self) -> f64 {
        let open: u64 = self
            .open
            .iter()
            .map(|&(start, end)| end.saturating_since(start).as_nanos())
            .sum();
        let available = open as f64 * self.occupant.len() as f64;
        if available == 0.0 {
            0.0
        } else {
            self.busy_open_nanos as f64 / available
        }
    }

    pub fn overtime(&self) -> SimDuration {
        SimDuration::from_nanos(self.busy_overtime_nanos.min(u128::from(u64::MAX)) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: u64) -> SimTime {
        SimTime::EPOCH + SimDuration::from_minutes(minutes)
    }

    #[test]
    fn serves_in_arrival_order_on_the_lowest_free_server() {
        let mut pool = ServerPool::new(2, vec![(at(0), at(60))]);
        for resident in [7, 8, 9] {
            pool.enqueue(resident, at(0));
        }
        assert_eq!(pool.assign(at(0)), Some((0, 7, at(0))));
        assert_eq!(pool.assign(at(0)), Some((1, 8, at(0))));
        assert_eq!(pool.assign(at(0)), None);
        assert_eq!(pool.finish(1, at(10)), (8, at(0)));
        assert_eq!(pool.assign(at(10)), Some((1, 9, at(0))));
        assert_eq!(pool.max_queue(), 3);
    }

    #[test]
    fn only_someone_still_waiting_can_leave_the_queue() {
        let mut pool = ServerPool::new(1, vec![(at(0), at(60))]);
        pool.enqueue(1, at(0));
        pool.enqueue(2, at(1));
        pool.assign(at(2));
        assert!(!pool.leave_queue(1, at(0)), "already being served");
        assert!(!pool.leave_queue(2, at(0)), "queued at another time");
        assert!(pool.leave_queue(2, at(1)));
        assert_eq!(pool.queue_len(), 0);
    }

    #[test]
    fn splits_busy_time_into_opening_hours_and_overtime() {
        let mut pool = ServerPool::new(1, vec![(at(0), at(60)), (at(120), at(180))]);
        pool.enqueue(1, at(0));
        pool.assign(at(30));
        pool.finish(0, at(150));
        // 30 open minutes on the first day, 30 on the second, 60 between them.
        assert!((pool.busy_fraction() - 0.5).abs() < 1e-9);
        assert_eq!(pool.overtime(), SimDuration::from_minutes(60));
    }

    #[test]
    fn a_server_out_of_service_takes_nobody_until_restored() {
        let mut pool = ServerPool::new(2, vec![(at(0), at(600))]);
        pool.enqueue(1, at(0));
        pool.enqueue(2, at(0));
        pool.enqueue(3, at(0));
        assert_eq!(pool.assign(at(0)).map(|(server, ..)| server), Some(0));
        pool.take_out_of_service(0);
        assert_eq!(pool.assign(at(0)).map(|(server, ..)| server), Some(1));
        pool.finish(0, at(5));
        assert_eq!(
            pool.assign(at(5)),
            None,
            "server 0 is out of service, 1 is busy"
        );
        pool.restore(0);
        assert_eq!(
            pool.assign(at(6))
                .map(|(server, resident, _)| (server, resident)),
            Some((0, 3))
        );
        assert_eq!(pool.in_service(), 2);
    }
}
