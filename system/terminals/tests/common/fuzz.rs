//! Drives a terminal with arbitrary interleavings: inputs (device outcomes of any kind,
//! forged replies, residents and officers), messages delivered to the services or lost,
//! replies delivered, duplicated or reordered, and wake-ups. Every input is checked with
//! what it produced, so a property can say "this output only ever follows that input".

use hkic_services::io::Address;
use hkic_services::messages::Message;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use super::{Run, Services, Terminal};

#[derive(Clone, Debug)]
pub enum Action<I> {
    Input(I),
    /// Answer the newest device request with an outcome of its kind, chosen by the number.
    Answer(u32),
    /// Deliver the outbox message at this index (modulo) to its service.
    Deliver(usize),
    /// Lose the outbox message at this index.
    Lose(usize),
    /// Deliver the in-flight reply at this index to the terminal.
    Reply(usize),
    /// Deliver the in-flight reply at this index and keep it in flight.
    Duplicate(usize),
    Wake,
}

pub fn action<I: Clone + std::fmt::Debug>(
    input: impl Strategy<Value = I>,
) -> impl Strategy<Value = Action<I>> {
    prop_oneof![
        3 => input.prop_map(Action::Input),
        6 => any::<u32>().prop_map(Action::Answer),
        4 => any::<usize>().prop_map(Action::Deliver),
        1 => any::<usize>().prop_map(Action::Lose),
        4 => any::<usize>().prop_map(Action::Reply),
        1 => any::<usize>().prop_map(Action::Duplicate),
        1 => Just(Action::Wake),
    ]
}

/// What one input made the terminal do.
#[derive(Debug)]
pub struct Produced<T: Terminal> {
    pub sent: Vec<Message>,
    pub devices: Vec<T::Device>,
    pub events: Vec<T::Event>,
}

pub type Check<'a, T> =
    dyn FnMut(&<T as Terminal>::Input, &Produced<T>) -> Result<(), TestCaseError> + 'a;

/// An outcome of the request's kind, varied by the number.
pub type Answerer<T> = fn(&<T as Terminal>::Device, u32) -> <T as Terminal>::Input;

#[derive(Debug)]
pub struct Fuzz<T: Terminal> {
    pub run: Run<T>,
    pub services: Services,
    /// Replies on their way back to the terminal.
    pub replies: Vec<(Address, Message)>,
    /// Every input fed, in order.
    pub inputs: Vec<T::Input>,
    answerer: Answerer<T>,
}

impl<T: Terminal> Fuzz<T> {
    pub fn new(run: Run<T>, services: Services, answerer: Answerer<T>) -> Fuzz<T> {
        Fuzz {
            run,
            services,
            replies: Vec::new(),
            inputs: Vec::new(),
            answerer,
        }
    }

    /// Hands the terminal one input and checks what it produced.
    pub fn feed(&mut self, input: T::Input, check: &mut Check<'_, T>) -> Result<(), TestCaseError> {
        let (sent, devices, events) = (
            self.run.sent.len(),
            self.run.device_log.len(),
            self.run.events.len(),
        );
        self.inputs.push(input.clone());
        self.run.input(input.clone());
        let produced = Produced {
            sent: self.run.sent[sent..]
                .iter()
                .map(|(_, m)| m.clone())
                .collect(),
            devices: self.run.device_log[devices..].to_vec(),
            events: self.run.events[events..].to_vec(),
        };
        check(&input, &produced)
    }

    pub fn act(
        &mut self,
        action: Action<T::Input>,
        check: &mut Check<'_, T>,
    ) -> Result<(), TestCaseError> {
        match action {
            Action::Input(input) => self.feed(input, check)?,
            Action::Answer(choice) => {
                if let Some(request) = self.run.devices.pop_back() {
                    self.feed((self.answerer)(&request, choice), check)?;
                }
            }
            Action::Deliver(index) => self.deliver(index),
            Action::Lose(index) => {
                if !self.run.outbox.is_empty() {
                    let index = index % self.run.outbox.len();
                    self.run.outbox.remove(index);
                }
            }
            Action::Reply(index) | Action::Duplicate(index) if !self.replies.is_empty() => {
                let index = index % self.replies.len();
                let (from, message) = if matches!(action, Action::Reply(_)) {
                    self.replies.remove(index)
                } else {
                    self.replies[index].clone()
                };
                self.feed(T::message(from, message), check)?;
            }
            Action::Reply(_) | Action::Duplicate(_) => {}
            Action::Wake => {
                if let Some(at) = self.run.wake.take() {
                    self.run.now = self.run.now.max(at);
                    self.feed(T::wake(), check)?;
                }
            }
        }
        Ok(())
    }

    fn deliver(&mut self, index: usize) {
        if self.run.outbox.is_empty() {
            return;
        }
        let index = index % self.run.outbox.len();
        let (to, message) = self.run.outbox.remove(index).expect("index in range");
        let now = self.run.now;
        for reply in self
            .services
            .deliver(now, super::driver_address(), to, message)
        {
            self.replies.push((to, reply));
        }
    }

    /// Lets the session finish: answers device requests, delivers every message and reply,
    /// follows wake-ups, and calls `nudge` when the terminal waits on nothing else (for an
    /// officer's answer). Bounded.
    pub fn settle(
        &mut self,
        nudge: &dyn Fn(&Run<T>) -> Option<T::Input>,
        check: &mut Check<'_, T>,
    ) -> Result<(), TestCaseError> {
        for round in 0..500u32 {
            if let Some(request) = self.run.devices.pop_front() {
                let choice = round.wrapping_mul(0x9E37_79B9) >> 7;
                self.feed((self.answerer)(&request, choice), check)?;
            } else if !self.run.outbox.is_empty() {
                self.deliver(0);
            } else if let Some((from, message)) = self.replies.pop() {
                self.feed(T::message(from, message), check)?;
            } else if self.run.wake.is_some() {
                self.act(Action::Wake, check)?;
            } else if let Some(input) = nudge(&self.run) {
                self.feed(input, check)?;
            } else {
                return Ok(());
            }
        }
        Err(TestCaseError::fail("the terminal did not settle"))
    }
}
