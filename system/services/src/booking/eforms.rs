//! The e-forms the booking service keeps: one per resident, numbered densely, so a lookup by
//! reference is an index and a submission is one map probe.
//!
//! A reference is not a secret: whoever retrieves a form by reference learns only a resident
//! number and a digest, and the registration kiosk accepts a form only if it belongs to the
//! holder of the old card inserted and its digest matches the QR code.

use std::collections::BTreeMap;

use crate::messages::{
    EFormDigest, EFormLookupOutcome, EFormQr, EFormReference, EFormSubmitOutcome, ResidentId,
};

#[derive(Clone, Copy, Debug)]
struct StoredEForm {
    resident: ResidentId,
    digest: EFormDigest,
}

/// What a submission needs: an answer from what is stored, or a new form to store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Submission {
    Answered(EFormSubmitOutcome),
    Store { reference: EFormReference },
}

#[derive(Debug, Default)]
pub(super) struct EForms {
    forms: Vec<StoredEForm>,
    by_resident: BTreeMap<ResidentId, EFormReference>,
}

impl EForms {
    pub(super) fn submit(&self, resident: ResidentId, digest: EFormDigest) -> Submission {
        let Some(&reference) = self.by_resident.get(&resident) else {
            return Submission::Store {
                reference: EFormReference(self.forms.len() as u64),
            };
        };
        let stored = self.forms[reference.0 as usize];
        let qr = EFormQr {
            reference,
            digest: stored.digest,
        };
        if stored.digest == digest {
            Submission::Answered(EFormSubmitOutcome::Stored { qr })
        } else {
            Submission::Answered(EFormSubmitOutcome::AlreadySubmitted { qr })
        }
    }

    pub(super) fn lookup(&self, reference: EFormReference) -> EFormLookupOutcome {
        let stored = usize::try_from(reference.0)
            .ok()
            .and_then(|index| self.forms.get(index));
        match stored {
            Some(form) => EFormLookupOutcome::Found {
                resident: form.resident,
                digest: form.digest,
            },
            None => EFormLookupOutcome::NotFound,
        }
    }

    /// Records a stored form (on decision, and on recovery, in journal order).
    pub(super) fn apply(
        &mut self,
        reference: EFormReference,
        resident: ResidentId,
        digest: EFormDigest,
    ) {
        assert_eq!(
            reference.0,
            self.forms.len() as u64,
            "e-form references are dense"
        );
        assert!(
            !self.by_resident.contains_key(&resident),
            "one e-form per resident"
        );
        self.forms.push(StoredEForm { resident, digest });
        self.by_resident.insert(resident, reference);
    }

    pub(super) fn len(&self) -> usize {
        self.forms.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_form_of_a_resident_stays() {
        let mut forms = EForms::default();
        let resident = ResidentId(4);
        let Submission::Store { reference } = forms.submit(resident, EFormDigest(10)) else {
            panic!("a new resident's form is stored");
        };
        forms.apply(reference, resident, EFormDigest(10));
        let qr = EFormQr {
            reference,
            digest: EFormDigest(10),
        };
        assert_eq!(
            forms.submit(resident, EFormDigest(10)),
            Submission::Answered(EFormSubmitOutcome::Stored { qr })
        );
        assert_eq!(
            forms.submit(resident, EFormDigest(11)),
            Submission::Answered(EFormSubmitOutcome::AlreadySubmitted { qr })
        );
        assert_eq!(
            forms.lookup(reference),
            EFormLookupOutcome::Found {
                resident,
                digest: EFormDigest(10)
            }
        );
        assert_eq!(
            forms.lookup(EFormReference(1)),
            EFormLookupOutcome::NotFound
        );
        assert_eq!(
            forms.lookup(EFormReference(u64::MAX)),
            EFormLookupOutcome::NotFound
        );
    }
}
