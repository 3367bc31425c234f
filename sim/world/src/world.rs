//! The world: every component and device of one scenario, wired together and driven by the
//! kernel's events. This file holds the state and the dispatch; the flows live beside it
//! (`booking_phase`, `centre`, `host`, `wiring`, `fault_events`).

use std::collections::BTreeMap;

use hkic_base::{Date, SimTime, Stream};
use hkic_chip::SodSigning;
use hkic_kernel::{FaultInjector, Flow, Kernel, Network, NodeId, Streams};
use hkic_services::booking::{BookingConfig, BookingService};
use hkic_services::messages::ResidentId;
use hkic_services::production::{ProductionConfig, ProductionService};
use hkic_services::registration::{RegistrationConfig, RegistrationService};
use hkic_services::registry::{FIRST_NEW_CARD, RegistryConfig, RegistryService};
use hkic_terminals::collection_kiosk::{CollectionKiosk, CollectionKioskConfig};
use hkic_terminals::photo_counter::{CounterVisit, PhotoCounterConfig};
use hkic_terminals::registration_kiosk::RegistrationKioskConfig;
use hkic_terminals::{BookingApp, PhotoCounter, RegistrationKiosk, TagKiosk};

use crate::checkers::{Checkers, Holding, Violation};
use crate::config::Config;
use crate::devices::full::{Applicants, FullDeviceModels, FullDevices};
use crate::devices::timing::{StationCounts, TimingDevices};
use crate::devices::{DeviceModel, Station};
use crate::event::{Event, Observation, STAGES, Stage};
use crate::host::ServiceHost;
use crate::labels;
use crate::line::LineWork;
use crate::metrics::Metrics;
use crate::plant::PlantedBug;
use crate::pool::ServerPool;
use crate::population::AgeModel;
use crate::residents::{Draw, Kind, Phase, Profile, Resident};
use crate::scenario::Fidelity;
use crate::wiring::{
    CENTRAL, CENTRE, LINE, Layout, PRODUCTION, PUBLIC, REGISTRATION, REGISTRY, address,
};

/// The first broken invariant, when and at which trace record it was seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detected {
    pub violation: Violation,
    pub at: SimTime,
    pub trace_record: u64,
}

pub struct World {
    pub(crate) config: Config,
    pub(crate) faults: FaultInjector,
    pub(crate) network: Network,
    pub(crate) layout: Layout,
    pub(crate) booking: ServiceHost<BookingService>,
    pub(crate) registration: ServiceHost<RegistrationService>,
    pub(crate) registry: ServiceHost<RegistryService>,
    pub(crate) production: ServiceHost<ProductionService>,
    /// The personalisation line's cards in hand (it answers production's retries).
    pub(crate) line: LineWork,
    pub(crate) collection_kiosks: Vec<CollectionKiosk>,
    pub(crate) streams: Streams,
    pub(crate) app: BookingApp,
    pub(crate) kiosks: Vec<TagKiosk>,
    pub(crate) registration_kiosks: Vec<RegistrationKiosk>,
    pub(crate) counters: Vec<PhotoCounter>,
    /// Answers the stations' device requests (at the scenario's fidelity).
    pub(crate) devices: Box<dyn DeviceModel>,
    /// The officers' and residents' own steps that are not devices (keying a reference).
    pub(crate) people: TimingDevices,
    /// What a kiosk established for residents now waiting for a counter.
    pub(crate) visits: BTreeMap<u32, CounterVisit>,
    pub(crate) residents: Vec<Resident>,
    pub(crate) pools: [ServerPool; STAGES],
    pub(crate) checkers: Checkers,
    pub(crate) metrics: Metrics,
    pub(crate) detected: Option<Detected>,
    pub(crate) last_event: SimTime,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("name", &self.config.name)
            .field("residents", &self.residents.len())
            .finish()
    }
}

/// The `full` fidelity's devices, signing cards on the scenario's Document Signer schedule
/// (at the wrong step, if the planted bug `sod-before-dg3` asks).
fn full_devices(
    config: &Config,
    seed: u64,
    counts: StationCounts,
    residents: &[Resident],
    plant: Option<PlantedBug>,
    officers: Box<dyn DeviceModel>,
) -> FullDevices {
    let mut models = FullDeviceModels::default();
    models.new_cards.document_signers = config.production.document_signers;
    if plant == Some(PlantedBug::SodBeforeDg3) {
        models.new_cards.sod_signing = SodSigning::BeforeDg3;
    }
    let applicants = Applicants::of_residents(residents);
    FullDevices::with_models(seed, counts, applicants, officers, models)
        .expect("the default device models are valid")
}

impl World {
    /// Builds the world and draws every resident's profile (logging the draws if asked).
    pub fn new(
        config: Config,
        seed: u64,
        plant: Option<PlantedBug>,
        draws: Option<&mut Vec<Draw>>,
    ) -> World {
        let streams = Streams::new(seed);
        let faults = FaultInjector::new(
            config.faults.profile.profile.clone(),
            config.faults.windows.clone(),
            &streams,
        );
        let network = crate::wiring::network(&config, &streams);
        let layout = Layout::of(&config);
        let read_back_from_cache = plant == Some(PlantedBug::ReadBackFromCache);
        let booking = ServiceHost::new(
            booking_config(&config, plant),
            streams.stream(labels::disk_latency(CENTRAL.0)),
            read_back_from_cache,
        );
        let jitter = |node: NodeId| -> Stream { streams.stream(labels::retry_jitter(node.0)) };
        let registration = ServiceHost::new(
            RegistrationConfig {
                acknowledgement_key: seed,
                production: address(PRODUCTION),
                retry: config.retry,
                jitter: jitter(REGISTRATION),
            },
            streams.stream(labels::disk_latency(REGISTRATION.0)),
            read_back_from_cache,
        );
        let registry = ServiceHost::new(
            RegistryConfig {
                defect: plant.and_then(PlantedBug::registry_defect),
                revocation_list_key: crate::devices::full::revocation_list_key(&streams),
            },
            streams.stream(labels::disk_latency(REGISTRY.0)),
            read_back_from_cache,
        );
        let production = ServiceHost::new(
            ProductionConfig {
                calendar: config.calendar.clone(),
                lead_time_working_days: config.production.lead_time_working_days,
                batch_cut_off: config.production.cut_off,
                personalisation_line: address(LINE),
                registry: address(REGISTRY),
                retry: config.retry,
                jitter: jitter(PRODUCTION),
                first_card: FIRST_NEW_CARD,
            },
            streams.stream(labels::disk_latency(PRODUCTION.0)),
            read_back_from_cache,
        );
        let collection_kiosks = (0..config.centre.collection_kiosks)
            .map(|k| {
                let kiosk_config = CollectionKioskConfig {
                    centre: CENTRE,
                    collection_service: address(REGISTRY),
                    retry: config.retry,
                    qr_attempts_max: attempts(config.devices.qr_attempts),
                    thumb_attempts_max: attempts(config.devices.thumb_attempts),
                    defect: plant.and_then(PlantedBug::collection_kiosk_defect),
                };
                let node = layout.station(Station::CollectionKiosk(k));
                CollectionKiosk::new(kiosk_config, jitter(node))
            })
            .collect();
        let app = BookingApp::new(address(CENTRAL), config.retry, jitter(PUBLIC));
        let kiosks = (0..config.centre.tag_kiosks)
            .map(|k| {
                TagKiosk::new(
                    CENTRE,
                    address(CENTRAL),
                    config.retry,
                    jitter(layout.tag_kiosk(k)),
                )
            })
            .collect();
        let devices = &config.devices;
        let registration_kiosks = (0..config.centre.registration_kiosks)
            .map(|k| {
                let kiosk_config = RegistrationKioskConfig {
                    centre: CENTRE,
                    booking_service: address(CENTRAL),
                    registration_service: address(REGISTRATION),
                    retry: config.retry,
                    thumb_attempts_max: attempts(devices.thumb_attempts),
                    qr_attempts_max: attempts(devices.qr_attempts),
                };
                let node = layout.station(Station::RegistrationKiosk(k));
                RegistrationKiosk::new(kiosk_config, jitter(node))
            })
            .collect();
        let counters = (0..config.centre.photo_counters)
            .map(|c| {
                let counter_config = PhotoCounterConfig {
                    centre: CENTRE,
                    officer: hkic_services::messages::OfficerId(c + 1),
                    booking_service: address(CENTRAL),
                    registration_service: address(REGISTRATION),
                    retry: config.retry,
                    photo_attempts_max: attempts(devices.photo_attempts),
                };
                let node = layout.station(Station::PhotoCounter(c));
                PhotoCounter::new(counter_config, jitter(node))
            })
            .collect();
        let counts = StationCounts {
            registration_kiosks: config.centre.registration_kiosks,
            photo_counters: config.centre.photo_counters,
            collection_kiosks: config.centre.collection_kiosks,
        };
        let timing = || {
            TimingDevices::new(
                config.devices.clone(),
                config.collection.clone(),
                config.production.clone(),
                streams,
                counts,
                |station| layout.station(station).0,
            )
        };
        let residents = population(&config, &streams, draws);
        let device_model: Box<dyn DeviceModel> = match config.fidelity {
            Fidelity::Timing => Box::new(timing()),
            Fidelity::Full => Box::new(full_devices(
                &config,
                seed,
                counts,
                &residents,
                plant,
                Box::new(timing()),
            )),
        };
        let people = timing();
        let centre = &config.centre;
        let pool = |servers| ServerPool::new(servers, centre.open_intervals());
        let pools = [
            pool(centre.tag_kiosks),
            pool(centre.registration_kiosks),
            pool(centre.photo_counters),
            pool(centre.collection_kiosks),
        ];
        let others = config.booking.other_centres.iter();
        let mut checkers =
            Checkers::new(centre.timetable.slot_quota, centre.timetable.walk_in_quota)
                .with_other_centres(others.map(|other| other.timetable.slot_quota));
        if let Some(csca) = device_model.trust_anchor() {
            checkers.check_sods_against(csca);
        }
        World {
            faults,
            network,
            layout,
            booking,
            registration,
            registry,
            production,
            line: LineWork::default(),
            collection_kiosks,
            streams,
            app,
            kiosks,
            registration_kiosks,
            counters,
            devices: device_model,
            people,
            visits: BTreeMap::new(),
            residents,
            pools,
            checkers,
            metrics: Metrics::default(),
            detected: None,
            last_event: config.start,
            config,
        }
    }

    /// Schedules what is known at the start: booking requests, walk-in arrivals, faults, samples.
    pub fn start(&mut self, kernel: &mut Kernel<Event>) {
        for id in 0..self.residents.len() as u32 {
            let resident = &self.residents[id as usize];
            match resident.kind {
                Kind::Appointment => {
                    let at = self.booking_time(resident.day, &resident.profile);
                    kernel.schedule(at, Event::BookingDue { resident: id });
                }
                Kind::WalkIn => {
                    let at = self.walk_in_time(resident.day, &resident.profile);
                    kernel.schedule(at, Event::Arrive { resident: id });
                }
                // Companions come when their holder does.
                Kind::Companion => {}
            }
            if resident.kind != Kind::Appointment && resident.profile.fills_eform {
                // The evening before their day (appointment holders fill it in on booking).
                let before = SimTime::at_midnight(resident.day)
                    .as_nanos()
                    .saturating_sub(EFORM_LEAD.as_nanos());
                let at = SimTime::from_nanos(before).max(self.config.start);
                kernel.schedule(at, Event::FillEForm { resident: id });
            }
        }
        self.schedule_faults(kernel);
        let first_day = self.config.centre.open_days[0];
        kernel.schedule(self.config.centre.opening_on(first_day), Event::Sample);
    }

    /// When a resident asks for an appointment on `day`: `book_ahead` before the day starts,
    /// but not before booking opens for their call-up group (those come in the surge as it
    /// opens), not before the day is within the booking horizon, and no later than the day
    /// before.
    pub(crate) fn booking_time(&self, day: Date, profile: &Profile) -> SimTime {
        let booking = &self.config.booking;
        let day_start = SimTime::at_midnight(day);
        let ideal = SimTime::from_nanos(
            day_start
                .as_nanos()
                .saturating_sub(profile.book_ahead.as_nanos()),
        );
        let within_horizon = self
            .config
            .calendar
            .working_days_before(day, booking.horizon_working_days)
            .map_or(SimTime::EPOCH, SimTime::at_midnight);
        let opens = crate::call_up::booking_opens(&self.config, profile);
        let earliest = opens.max(within_horizon);
        let at = if ideal < earliest {
            earliest + profile.surge_delay
        } else {
            ideal
        };
        at.min(SimTime::from_nanos(day_start.as_nanos() - 1))
    }

    /// When a walk-in arrives on `day`.
    pub(crate) fn walk_in_time(&self, day: Date, profile: &Profile) -> SimTime {
        SimTime::at(day, self.config.residents.walk_in_from) + profile.walk_in_after
    }

    pub fn handle(&mut self, kernel: &mut Kernel<Event>, now: SimTime, event: Event) -> Flow {
        self.last_event = now;
        let result = match event {
            Event::BookingDue { resident } => self.booking_due(kernel, now, resident),
            Event::Arrive { resident } => self.arrive(kernel, now, resident),
            Event::FillEForm { resident } => self.fill_eform(kernel, now, resident),
            Event::ChangeBooking { resident } => self.change_booking(kernel, now, resident),
            Event::CollectArrive { resident } => self.collect_arrive(kernel, now, resident),
            Event::ServiceDone { stage, server } => self.service_done(kernel, now, stage, server),
            Event::Deliver { from, to, message } => self.deliver(kernel, now, from, to, message),
            Event::Wake { node } => self.wake(kernel, now, node),
            Event::DiskDone {
                node,
                incarnation,
                op,
            } => self.disk_done_at(kernel, now, node, incarnation, op),
            Event::DeviceDone { station, outcome } => {
                self.device_done(kernel, now, station, outcome)
            }
            Event::OfficerKeyed { kiosk, reference } => {
                self.officer_keyed(kernel, now, kiosk, reference)
            }
            Event::Restored { station } => self.restored(kernel, now, station),
            Event::Crash { node, down_for } => self.crash(kernel, now, node, down_for),
            Event::Restart { node, incarnation } => self.restart(kernel, now, node, incarnation),
            Event::Partition {
                link,
                lasting,
                mode,
            } => {
                self.partition(kernel, now, link, lasting, mode);
                Ok(())
            }
            Event::Sample => {
                self.sample(kernel, now);
                Ok(())
            }
            Event::GiveUp {
                resident,
                stage,
                queued_at,
            } => self.give_up(kernel, now, resident, stage, queued_at),
        };
        match result {
            Ok(()) => Flow::Continue,
            Err(violation) => {
                self.detect(kernel, now, violation);
                Flow::Stop
            }
        }
    }

    pub(crate) fn detect(
        &mut self,
        kernel: &mut Kernel<Event>,
        now: SimTime,
        violation: Violation,
    ) {
        kernel.observe(&Observation::new("violation", violation.invariant));
        let trace_record = kernel.trace().records();
        self.detected.get_or_insert(Detected {
            violation,
            at: now,
            trace_record,
        });
    }

    /// End-of-run checks: every queue drained and every request settled.
    pub fn finish(&mut self, kernel: &mut Kernel<Event>) {
        if self.detected.is_some() {
            return;
        }
        let in_centre = self.in_centre() as u64;
        self.metrics.residents.in_centre_at_end = in_centre;
        let unsettled = self.unsettled() as u64;
        let cards = &self.metrics.cards;
        let tally = crate::checkers::CardTally {
            accepted: self.metrics.registration.accepted,
            collected: cards.collected,
            after_period: cards.collect_after_period,
            handed_to_officers: cards.handed_to_officers,
        };
        let verdict = self
            .checkers
            .at_end(in_centre, unsettled)
            .and_then(|()| self.checkers.at_end_cards(tally))
            .and_then(|()| self.every_holder_at_end());
        if let Err(violation) = verdict {
            let now = self.last_event;
            self.detect(kernel, now, violation);
        }
    }

    /// Every resident holds exactly one active card at the registry: the new one if they
    /// collected it. Skipped if the registry is down at the end (it then has no state).
    fn every_holder_at_end(&mut self) -> Result<(), Violation> {
        let Some(registry) = self.registry.service() else {
            return Ok(());
        };
        for (index, record) in self.residents.iter().enumerate() {
            let resident = ResidentId(index as u32);
            let expected = match record.phase {
                Phase::Collected => Holding::NewCard,
                Phase::WithOfficers => Holding::Either,
                _ => Holding::OldCard,
            };
            let active = registry.active_cards_of(resident);
            self.checkers.at_end_holder(resident, expected, &active)?;
        }
        Ok(())
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub(crate) fn pool(&mut self, stage: Stage) -> &mut ServerPool {
        &mut self.pools[stage as usize]
    }
}

fn attempts(count: u8) -> std::num::NonZeroU8 {
    std::num::NonZeroU8::new(count).unwrap_or(std::num::NonZeroU8::MIN)
}

/// The booking service's configuration; a planted `overbook` bug raises every quota by one.
fn booking_config(config: &Config, plant: Option<PlantedBug>) -> BookingConfig {
    let mut timetable = config.centre.timetable.clone();
    if plant == Some(PlantedBug::Overbook) {
        timetable.slot_quota = timetable.slot_quota.saturating_add(1);
    }
    // The simulated centre is `CENTRE` (0); the others follow in the scenario's order.
    let mut centres = vec![timetable];
    centres.extend(
        config
            .booking
            .other_centres
            .iter()
            .map(|centre| centre.timetable.clone()),
    );
    BookingConfig {
        calendar: config.calendar.clone(),
        centres,
        first_day: config.centre.first_day,
        last_day: config.centre.registration_until,
        horizon_working_days: config.booking.horizon_working_days,
        call_up: config.booking.call_up.clone(),
        check_in_early: config.centre.check_in_early,
        check_in_late: config.centre.check_in_late,
    }
}

/// Everyone who may come: the appointment seekers (ids first), then each open day's
/// walk-ins, then the holders' companions. Ids and profiles depend only on the seed and the
/// scenario's people, never on the centre's equipment, so capacity comparisons see the same
/// residents.
fn population(
    config: &Config,
    streams: &Streams,
    mut draws: Option<&mut Vec<Draw>>,
) -> Vec<Resident> {
    let centre = &config.centre;
    let ages = &config.residents.ages;
    let mut residents = Vec::new();
    for id in 0..config.booking.requests {
        let mut profile = Profile::draw(config, ages, streams, id, draws.as_deref_mut());
        profile.preferred_day = crate::call_up::preferred_day(config, &profile);
        let day = centre.open_days[usize::from(profile.preferred_day)];
        residents.push(Resident::new(Kind::Appointment, profile, day));
    }
    for (index, &day) in centre.open_days[..centre.registration_days]
        .iter()
        .enumerate()
    {
        let mut stream = streams.stream(labels::walk_in_count(index as u32));
        let count = hkic_base::sample_poisson(&mut stream, config.residents.walk_ins_per_day);
        for _ in 0..count.min(u64::from(MAX_WALK_INS_PER_DAY)) {
            let id = residents.len() as u32;
            let profile = Profile::draw(config, ages, streams, id, draws.as_deref_mut());
            residents.push(Resident::new(Kind::WalkIn, profile, day));
        }
    }
    let elderly = AgeModel::Aged {
        youngest: 65,
        oldest: 95,
        on: centre.first_day,
    };
    for holder in 0..config.booking.requests {
        let companions = residents[holder as usize].profile.companions;
        for _ in 0..companions {
            let id = residents.len() as u32;
            let mut profile = Profile::draw(config, &elderly, streams, id, draws.as_deref_mut());
            profile.companions = 0;
            let day = residents[holder as usize].day;
            let mut companion = Resident::new(Kind::Companion, profile, day);
            companion.linked = holder;
            if residents[holder as usize].linked == u32::MAX {
                residents[holder as usize].linked = id;
            }
            residents.push(companion);
        }
    }
    residents
}

/// How long before the start of their day walk-ins and companions fill in the e-form.
const EFORM_LEAD: hkic_base::SimDuration = hkic_base::SimDuration::from_hours(4);

/// A bound on one day's walk-ins (the scenario's mean is at most a million).
const MAX_WALK_INS_PER_DAY: u32 = 10_000_000;
