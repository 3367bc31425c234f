//! Runs one terminal: feeds it inputs, collects what it sends, asks of its devices and
//! reports, carries its messages to the services and their replies back, and moves the
//! clock to its wake-ups.

use std::collections::VecDeque;
use std::fmt::Debug;

use hkic_base::SimTime;
use hkic_services::io::Address;
use hkic_services::messages::Message;
use hkic_terminals::collection_kiosk::{
    CollectionKioskDevice, CollectionKioskEvent, CollectionKioskInput,
};
use hkic_terminals::photo_counter::{PhotoCounterDevice, PhotoCounterEvent, PhotoCounterInput};
use hkic_terminals::registration_kiosk::{
    RegistrationKioskDevice, RegistrationKioskEvent, RegistrationKioskInput,
};
use hkic_terminals::{CollectionKiosk, PhotoCounter, RegistrationKiosk, TerminalOutput};

use super::Services;

/// The terminal's side of the driver.
pub trait Terminal {
    type Input: Clone + Debug;
    type Device: Clone + Debug;
    type Event: Clone + Debug;
    fn handle(&mut self, now: SimTime, input: Self::Input);
    fn poll(&mut self) -> Option<TerminalOutput<Self::Device, Self::Event>>;
    fn message(from: Address, message: Message) -> Self::Input;
    fn wake() -> Self::Input;
}

macro_rules! terminal {
    ($terminal:ty, $input:ident, $device:ty, $event:ty) => {
        impl Terminal for $terminal {
            type Input = $input;
            type Device = $device;
            type Event = $event;
            fn handle(&mut self, now: SimTime, input: $input) {
                self.handle_input(now, input);
            }
            fn poll(&mut self) -> Option<TerminalOutput<$device, $event>> {
                self.poll_output()
            }
            fn message(from: Address, message: Message) -> $input {
                $input::Message { from, message }
            }
            fn wake() -> $input {
                $input::Wake
            }
        }
    };
}

terminal!(
    RegistrationKiosk,
    RegistrationKioskInput,
    RegistrationKioskDevice,
    RegistrationKioskEvent
);
terminal!(
    PhotoCounter,
    PhotoCounterInput,
    PhotoCounterDevice,
    PhotoCounterEvent
);
terminal!(
    CollectionKiosk,
    CollectionKioskInput,
    CollectionKioskDevice,
    CollectionKioskEvent
);

/// The terminal's own address, from which its messages come.
pub const TERMINAL: Address = Address(9);

#[derive(Debug)]
pub struct Run<T: Terminal> {
    pub terminal: T,
    pub now: SimTime,
    /// Every message sent, in order.
    pub sent: Vec<(Address, Message)>,
    /// Messages sent and not yet delivered.
    pub outbox: VecDeque<(Address, Message)>,
    /// Device requests not yet answered, oldest first.
    pub devices: VecDeque<T::Device>,
    /// Every device request, in order.
    pub device_log: Vec<T::Device>,
    pub events: Vec<T::Event>,
    pub wake: Option<SimTime>,
}

impl<T: Terminal> Run<T> {
    pub fn new(terminal: T, now: SimTime) -> Run<T> {
        Run {
            terminal,
            now,
            sent: Vec::new(),
            outbox: VecDeque::new(),
            devices: VecDeque::new(),
            device_log: Vec::new(),
            events: Vec::new(),
            wake: None,
        }
    }

    pub fn input(&mut self, input: T::Input) {
        self.terminal.handle(self.now, input);
        while let Some(output) = self.terminal.poll() {
            match output {
                TerminalOutput::Send { to, message } => {
                    self.sent.push((to, message.clone()));
                    self.outbox.push_back((to, message));
                }
                TerminalOutput::Device(request) => {
                    self.device_log.push(request.clone());
                    self.devices.push_back(request);
                }
                TerminalOutput::WakeAt(at) => self.wake = Some(at),
                TerminalOutput::Event(event) => self.events.push(event),
            }
        }
    }

    /// The oldest unanswered device request (the caller answers it next).
    pub fn device(&mut self) -> T::Device {
        self.devices
            .pop_front()
            .expect("a device request is pending")
    }

    /// Delivers everything sent, and the replies back, until nothing is in flight.
    pub fn exchange(&mut self, services: &mut Services) {
        for _ in 0..100 {
            let Some((to, message)) = self.outbox.pop_front() else {
                return;
            };
            for reply in services.deliver(self.now, TERMINAL, to, message) {
                self.input(T::message(to, reply));
            }
        }
        panic!("the exchange does not settle");
    }

    /// Moves the clock to the requested wake-up and wakes the terminal; false if none.
    pub fn wake_up(&mut self) -> bool {
        let Some(at) = self.wake.take() else {
            return false;
        };
        self.now = self.now.max(at);
        self.input(T::wake());
        true
    }

    /// Lets time pass, delivering messages, until the terminal wants no more wake-ups.
    pub fn run_out_the_clock(&mut self, services: &mut Services) {
        for _ in 0..1_000 {
            self.exchange(services);
            if !self.wake_up() {
                return;
            }
        }
        panic!("the terminal keeps waking");
    }

    /// The messages sent to `to`.
    pub fn sent_to(&self, to: Address) -> Vec<&Message> {
        self.sent
            .iter()
            .filter(|(address, _)| *address == to)
            .map(|(_, message)| message)
            .collect()
    }
}
