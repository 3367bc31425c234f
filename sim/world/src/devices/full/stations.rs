//! Each kiosk's and counter's own devices, with their fault state, and the two streams named
//! for the station and the device that only the device's own clock and repairs draw from:
//! its outage clock, advanced before every operation, and the officer's repair times. An
//! operation's own draws (a misread, a jam, a retake) come from the resident's operation
//! stream, so no resident's draws depend on who used the device before.
//!
//! The old-card reader, the fingerprint module and the collection kiosk's card reader have no
//! kiosk-device emulator of their own: each carries a bare `DeviceFaults` (outages, and a
//! per-operation jam drawn here from its model's `jam_probability`; they do not run slow).

use hkic_base::{SimDuration, SimTime, Stream, bernoulli};
use hkic_devices::kiosk::{
    self, Camera, CardStore, DeviceFaults, Dispenser, ParameterError, PhotoSession, Printer,
    Scanner,
};
use hkic_kernel::Streams;
use hkic_services::messages::CardId;
use hkic_terminals::devices::{DeviceFault, DeviceKind, Handling};

use super::models::{FullDeviceModels, FullDevicesError};
use super::old_card::References;
use crate::devices::{Answer, Station};
use crate::labels;

/// A device whose faults an officer or the outage clock changes.
pub trait Faulty {
    fn faults_mut(&mut self) -> &mut DeviceFaults;
}

impl Faulty for DeviceFaults {
    fn faults_mut(&mut self) -> &mut DeviceFaults {
        self
    }
}

impl Faulty for Scanner {
    fn faults_mut(&mut self) -> &mut DeviceFaults {
        Scanner::faults_mut(self)
    }
}

impl Faulty for Printer {
    fn faults_mut(&mut self) -> &mut DeviceFaults {
        Printer::faults_mut(self)
    }
}

impl Faulty for Camera {
    fn faults_mut(&mut self) -> &mut DeviceFaults {
        Camera::faults_mut(self)
    }
}

impl Faulty for CardStore {
    fn faults_mut(&mut self) -> &mut DeviceFaults {
        CardStore::faults_mut(self)
    }
}

impl Faulty for Dispenser {
    fn faults_mut(&mut self) -> &mut DeviceFaults {
        Dispenser::faults_mut(self)
    }
}

/// One device of one station, with the station's streams for it.
#[derive(Debug, Clone)]
pub struct Equipped<D> {
    pub device: D,
    outages: Stream,
    repairs: Stream,
}

fn station_entity(station: Station) -> u64 {
    match station {
        Station::RegistrationKiosk(number) => u64::from(number),
        Station::PhotoCounter(number) => 1 << 16 | u64::from(number),
        Station::CollectionKiosk(number) => 2 << 16 | u64::from(number),
    }
}

fn device_code(device: DeviceKind) -> u16 {
    match device {
        DeviceKind::OldCardReader => 1,
        DeviceKind::FingerprintModule => 2,
        DeviceKind::Scanner => 3,
        DeviceKind::Printer => 4,
        DeviceKind::Camera => 5,
        DeviceKind::Tablet => 6,
        DeviceKind::CardStore => 7,
        DeviceKind::CardReader => 8,
        DeviceKind::Dispenser => 9,
    }
}

impl<D: Faulty> Equipped<D> {
    fn new(device: D, streams: &Streams, station: Station, kind: DeviceKind) -> Equipped<D> {
        let (entity, code) = (station_entity(station), device_code(kind));
        Equipped {
            device,
            outages: streams.stream(labels::station_device_outages(entity, code)),
            repairs: streams.stream(labels::station_device_repairs(entity, code)),
        }
    }

    /// Whether an operation may start at `now`: the outage clock is advanced on the
    /// station's stream first, so the operation's own checks draw nothing for it.
    pub fn ready(&mut self, now: SimTime) -> Result<(), DeviceFault> {
        let outages = &mut self.outages;
        self.device
            .faults_mut()
            .status(now, outages)
            .map_err(device_fault)
    }

    /// The answer when the device cannot start at `now`: `fault` of what stops it, after the
    /// time the kiosk takes to learn of it. Every station operation begins with this check.
    pub fn refuse<T>(
        &mut self,
        now: SimTime,
        fault: impl FnOnce(DeviceFault) -> T,
    ) -> Option<Answer<T>> {
        let error = self.ready(now).err()?;
        let after = self.detection_time();
        let outcome = fault(error);
        Some(Answer { after, outcome })
    }

    /// How long the kiosk takes to learn that the device cannot start.
    pub fn detection_time(&mut self) -> SimDuration {
        self.device.faults_mut().model().fault_detection_time
    }

    /// Whether the operation just done jams the device (for devices whose emulator does not
    /// draw it itself).
    pub fn jams_now(&mut self, stream: &mut Stream) -> bool {
        let faults = self.device.faults_mut();
        let jams = bernoulli(stream, faults.model().jam_probability);
        if jams {
            faults.inject_jam();
        }
        jams
    }

    /// The officer's time to bring the device back from `fault`, when the emulator prices
    /// it: clearing a jam, or waiting out an outage the emulator knows the end of.
    pub fn repair(&mut self, now: SimTime, fault: DeviceFault) -> Option<SimDuration> {
        let faults = self.device.faults_mut();
        match fault {
            DeviceFault::Jammed { .. } => faults.clear_jam(&mut self.repairs),
            DeviceFault::Offline => faults
                .offline_until()
                .map(|until| until.saturating_since(now))
                .filter(|wait| !wait.is_zero()),
            DeviceFault::OutOfPaper => None,
        }
    }
}

impl Equipped<Printer> {
    /// An officer loads paper: how long it took.
    pub fn load_paper(&mut self) -> SimDuration {
        self.device.load_paper(&mut self.repairs)
    }
}

/// The old card in a kiosk's reader for the current session: whose it is and the templates
/// read from it (kept until the session's form is printed or the next card is read).
#[derive(Debug, Clone)]
pub struct CardInReader {
    pub resident: u32,
    pub references: References,
}

/// One registration kiosk's hardware.
#[derive(Debug, Clone)]
pub struct KioskDevices {
    pub old_card_reader: Equipped<DeviceFaults>,
    pub fingerprint_module: Equipped<DeviceFaults>,
    pub scanner: Equipped<Scanner>,
    pub printer: Equipped<Printer>,
    pub card: Option<CardInReader>,
}

/// The new card at a collection kiosk's reader for the current session: whose it is, its
/// number, and the DG3 templates read from it (dropped when the session's card leaves the
/// reader).
#[derive(Debug, Clone)]
pub struct CardAtReader {
    pub resident: u32,
    pub card: CardId,
    pub references: References,
}

/// One collection kiosk's hardware. The card store is loaded by staff (see `collection`);
/// `staff` is the stream their handling draws from, which no resident waits for.
#[derive(Debug, Clone)]
pub struct CollectionDevices {
    pub scanner: Equipped<Scanner>,
    pub card_store: Equipped<CardStore>,
    pub card_reader: Equipped<DeviceFaults>,
    pub fingerprint_module: Equipped<DeviceFaults>,
    pub dispenser: Equipped<Dispenser>,
    pub staff: Stream,
    pub card: Option<CardAtReader>,
}

/// A photo counter's camera and the photo session of the resident at it.
#[derive(Debug, Clone)]
pub struct CounterDevices {
    pub camera: Equipped<Camera>,
    pub photo: Option<(u32, PhotoSession)>,
}

fn within(parent: &'static str) -> impl Fn(ParameterError) -> FullDevicesError {
    move |error| FullDevicesError::Parameter(error.within(parent))
}

impl KioskDevices {
    pub fn new(
        models: &FullDeviceModels,
        streams: &Streams,
        number: u16,
    ) -> Result<KioskDevices, FullDevicesError> {
        let station = Station::RegistrationKiosk(number);
        let faults = |model: &kiosk::FaultModel, parent| {
            DeviceFaults::new(model.clone()).map_err(within(parent))
        };
        let reader = faults(&models.old_card_reader, "old_card_reader")?;
        let module = faults(&models.fingerprint_module, "fingerprint_module")?;
        let scanner = Scanner::new(models.scanner.clone()).map_err(within("scanner"))?;
        let printer = Printer::new(models.printer.clone()).map_err(within("printer"))?;
        Ok(KioskDevices {
            old_card_reader: Equipped::new(reader, streams, station, DeviceKind::OldCardReader),
            fingerprint_module: Equipped::new(
                module,
                streams,
                station,
                DeviceKind::FingerprintModule,
            ),
            scanner: Equipped::new(scanner, streams, station, DeviceKind::Scanner),
            printer: Equipped::new(printer, streams, station, DeviceKind::Printer),
            card: None,
        })
    }
}

impl CollectionDevices {
    pub fn new(
        models: &FullDeviceModels,
        streams: &Streams,
        number: u16,
    ) -> Result<CollectionDevices, FullDevicesError> {
        let station = Station::CollectionKiosk(number);
        let faults = |model: &kiosk::FaultModel, parent| {
            DeviceFaults::new(model.clone()).map_err(within(parent))
        };
        let scanner = Scanner::new(models.scanner.clone()).map_err(within("scanner"))?;
        let store = CardStore::new(models.card_store.clone()).map_err(within("card_store"))?;
        let reader = faults(&models.card_reader, "card_reader")?;
        let module = faults(&models.fingerprint_module, "fingerprint_module")?;
        let dispenser = Dispenser::new(models.dispenser.clone()).map_err(within("dispenser"))?;
        let (entity, code) = (station_entity(station), device_code(DeviceKind::CardStore));
        Ok(CollectionDevices {
            scanner: Equipped::new(scanner, streams, station, DeviceKind::Scanner),
            card_store: Equipped::new(store, streams, station, DeviceKind::CardStore),
            card_reader: Equipped::new(reader, streams, station, DeviceKind::CardReader),
            fingerprint_module: Equipped::new(
                module,
                streams,
                station,
                DeviceKind::FingerprintModule,
            ),
            dispenser: Equipped::new(dispenser, streams, station, DeviceKind::Dispenser),
            staff: streams.stream(labels::station_device_staff(entity, code)),
            card: None,
        })
    }
}

impl CounterDevices {
    pub fn new(
        models: &FullDeviceModels,
        streams: &Streams,
        number: u16,
    ) -> Result<CounterDevices, FullDevicesError> {
        let station = Station::PhotoCounter(number);
        let camera = Camera::new(models.camera.clone()).map_err(within("camera"))?;
        Ok(CounterDevices {
            camera: Equipped::new(camera, streams, station, DeviceKind::Camera),
            photo: None,
        })
    }
}

/// A handling operation's answer: done, or the fault that stopped it, after its duration.
pub fn handled<T>(operation: kiosk::Operation<T>) -> Answer<Handling> {
    let outcome = match operation.result {
        Ok(_) => Handling::Done,
        Err(fault) => Handling::Fault(device_fault(fault)),
    };
    let after = operation.duration;
    Answer { after, outcome }
}

/// The workflow's view of an emulator's fault (without the times it cannot know).
pub fn device_fault(fault: kiosk::DeviceFault) -> DeviceFault {
    match fault {
        kiosk::DeviceFault::Jammed { this_operation } => DeviceFault::Jammed { this_operation },
        kiosk::DeviceFault::Offline { .. } => DeviceFault::Offline,
        kiosk::DeviceFault::OutOfPaper => DeviceFault::OutOfPaper,
    }
}
