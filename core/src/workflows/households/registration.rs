//! Registering and editing a household: its members, phone, address, consent, status and
//! who follows it. Each action is one change to the household's document; the antenna's
//! household index is refreshed alongside when the household's summary moved.

use crate::input_problem::InputProblem;
use std::collections::BTreeMap;

use automerge::transaction::Transaction;
use automerge::ROOT;
use autosurgeon::reconcile_prop;

use crate::document::{lookup, DocumentHeader, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{AntennaId, HouseholdId, MemberId, PersonId};
use crate::model::{
    validate, Address, Case, Consent, Coordinates, Household, HouseholdDocument, HouseholdStatus,
    HouseholdSummary, Person, Priority, Relationship, VulnerabilityFlags,
};
use crate::store::access::{map_at, FIELD_WORK};
use crate::store::documents::Batch;
use crate::store::events::StoreEvent;
use crate::store::projection;
use crate::store::Store;
use crate::time::Timestamp;

/// A household to register.
#[derive(Clone, Debug)]
pub struct NewHousehold {
    /// Its members; at least one. The first `Head` is the head (or the first listed).
    pub members: Vec<NewPerson>,
    /// A phone number, if it has one.
    pub phone: Option<String>,
    /// Address or landmark.
    pub address: String,
    /// Optional GPS position.
    pub coordinates: Option<Coordinates>,
    /// Consent to keep data (required), share with the municipality, be called.
    pub keep_data: bool,
    /// May the antenna hand its data to the municipality?
    pub share_with_municipality: bool,
    /// May volunteers call it?
    pub contact_by_phone: bool,
    /// Initial priority.
    pub priority: Priority,
    /// The shock that brought it to need help, if it was not in need before.
    pub shock: Option<String>,
}

/// A person to add to a household.
#[derive(Clone, Debug)]
pub struct NewPerson {
    /// Name in any script.
    pub name: String,
    /// Year of birth, if known.
    pub birth_year: Option<u16>,
    /// Relationship to the head.
    pub relationship: Relationship,
    /// Vulnerabilities.
    pub flags: VulnerabilityFlags,
}

/// Changes to a household; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct HouseholdEdit {
    /// New phone (`Some(None)` removes it).
    pub phone: Option<Option<String>>,
    /// New address or landmark.
    pub address: Option<String>,
    /// New GPS position (`Some(None)` removes it).
    pub coordinates: Option<Option<Coordinates>>,
    /// New consent: keep data, share with municipality, contact by phone.
    pub consent: Option<(bool, bool, bool)>,
    /// New status.
    pub status: Option<HouseholdStatus>,
    /// New priority.
    pub priority: Option<Priority>,
    /// New national identity card number of the head (`Some(None)` removes it).
    pub national_id: Option<Option<String>>,
    /// New assigned volunteer (`Some(None)` unassigns).
    pub assigned_to: Option<Option<MemberId>>,
}

fn person(new: NewPerson, this_year: i32) -> Result<Person> {
    Ok(Person {
        name: validate::name("name", &new.name)?,
        birth_year: new
            .birth_year
            .map(|y| validate::birth_year(y, this_year))
            .transpose()?,
        relationship: new.relationship,
        flags: new.flags,
    })
}

impl Store {
    /// Registers a household with its consent. One new household document, and its entry in
    /// the antenna's index. The household gets a random delivery code no other household of
    /// the antenna on this device has (see [`Store::issue_delivery_code`]).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty household, names, a bad phone, out-of-range
    /// coordinates, or missing consent to keep data; [`Error::NotPermitted`] for observers.
    pub fn register_household(&self, antenna: AntennaId, new: NewHousehold) -> Result<HouseholdId> {
        if !new.keep_data {
            return Err(Error::invalid("keep_data", InputProblem::NoConsent));
        }
        if new.members.is_empty() {
            return Err(Error::invalid("members", InputProblem::NoMembers));
        }
        if new.members.len() > validate::MAX_MEMBERS {
            return Err(Error::invalid("members", InputProblem::TooManyMembers));
        }
        let this_year = Timestamp::now().month().year;
        let mut members = BTreeMap::new();
        for p in new.members {
            members.insert(PersonId::random(), person(p, this_year)?);
        }
        let phone = new.phone.as_deref().map(validate::phone).transpose()?;
        let address = validate::text("address", &new.address, validate::MAX_TEXT)?;
        if let Some(c) = new.coordinates {
            validate::coordinates(c.latitude, c.longitude)?;
        }
        let shock = new
            .shock
            .as_deref()
            .map(|s| validate::required_text("shock", s, validate::MAX_TEXT))
            .transpose()?;
        let id = HouseholdId::random();
        self.batch(|b| {
            let actor = b.acting(antenna, "register households", FIELD_WORK)?;
            let now = b.now;
            let delivery_code = b.unique_delivery_code(antenna)?;
            let doc = HouseholdDocument {
                schema: crate::document::SCHEMA_VERSION,
                kind: DocumentKind::Household.as_str().to_owned(),
                antenna,
                profile: Household {
                    members,
                    phone,
                    address: Address {
                        text: address,
                        coordinates: new.coordinates,
                    },
                    consent: Consent {
                        keep_data: true,
                        share_with_municipality: new.share_with_municipality,
                        contact_by_phone: new.contact_by_phone,
                        recorded_by: actor.clone(),
                        recorded_at: now,
                    },
                    status: HouseholdStatus::Active,
                    national_id: None,
                    registered_by: actor,
                    registered_at: now,
                    shock,
                    delivery_code: Some(delivery_code),
                },
                case: Case {
                    priority: new.priority,
                    ..Case::new()
                },
            };
            let header = DocumentHeader {
                kind: DocumentKind::Household,
                antenna,
            };
            b.create(id.document(), header, "register household", |tx| {
                reconcile_prop(&mut *tx, ROOT, "profile", &doc.profile)?;
                reconcile_prop(&mut *tx, ROOT, "case", &doc.case)?;
                Ok(())
            })?;
            b.refresh_household(antenna, id, true)?;
            Ok(id)
        })
    }

    /// Edits a household's contact, consent, status, priority or assigned volunteer. Each
    /// field changed is its own last-writer-wins register.
    pub fn edit_household(&self, household: HouseholdId, edit: HouseholdEdit) -> Result<()> {
        let phone = match edit.phone {
            Some(Some(p)) => Some(Some(validate::phone(&p)?)),
            other => other,
        };
        let national_id = match edit.national_id {
            Some(Some(id)) => Some(Some(validate::national_id(&id)?)),
            other => other,
        };
        let address = edit
            .address
            .as_deref()
            .map(|a| validate::text("address", a, validate::MAX_TEXT))
            .transpose()?;
        if let Some(Some(c)) = edit.coordinates {
            validate::coordinates(c.latitude, c.longitude)?;
        }
        if let Some((false, _, _)) = edit.consent {
            return Err(Error::invalid(
                "keep_data",
                InputProblem::WithdrawalMeansErasure,
            ));
        }
        if let Some(HouseholdStatus::MergedInto(_)) = edit.status {
            return Err(Error::invalid("status", InputProblem::MergeIsItsOwnAction));
        }
        self.household_action(household, "edit households", |tx, actor, now| {
            let profile = map_at(tx, &["profile"])?;
            if let Some(phone) = &phone {
                reconcile_prop(&mut *tx, &profile, "phone", phone)?;
            }
            if let Some(national_id) = &national_id {
                reconcile_prop(&mut *tx, &profile, "national_id", national_id)?;
            }
            if let Some(address) = &address {
                let obj = map_at(tx, &["profile", "address"])?;
                reconcile_prop(&mut *tx, obj, "text", address)?;
            }
            if let Some(coordinates) = &edit.coordinates {
                let obj = map_at(tx, &["profile", "address"])?;
                reconcile_prop(&mut *tx, obj, "coordinates", coordinates)?;
            }
            if let Some((keep, share, call)) = edit.consent {
                let consent = Consent {
                    keep_data: keep,
                    share_with_municipality: share,
                    contact_by_phone: call,
                    recorded_by: actor.clone(),
                    recorded_at: now,
                };
                reconcile_prop(&mut *tx, &profile, "consent", &consent)?;
            }
            if let Some(status) = &edit.status {
                reconcile_prop(&mut *tx, &profile, "status", status)?;
            }
            let case = map_at(tx, &["case"])?;
            if let Some(priority) = edit.priority {
                reconcile_prop(&mut *tx, &case, "priority", priority)?;
            }
            if let Some(assigned) = &edit.assigned_to {
                reconcile_prop(&mut *tx, &case, "assigned_to", assigned)?;
            }
            Ok(())
        })
    }

    /// Adds a person to a household.
    pub fn add_person(&self, household: HouseholdId, new: NewPerson) -> Result<PersonId> {
        let person = person(new, Timestamp::now().month().year)?;
        let id = PersonId::random();
        self.household_action(household, "edit households", |tx, _, _| {
            let members = map_at(tx, &["profile", "members"])?;
            reconcile_prop(tx, members, id.as_str(), &person)?;
            Ok(id.clone())
        })
    }

    /// One change to one household by a lead or volunteer, then the index refresh.
    pub(super) fn household_action<R>(
        &self,
        household: HouseholdId,
        action: &'static str,
        f: impl FnOnce(&mut Transaction<'_>, &MemberId, Timestamp) -> Result<R>,
    ) -> Result<R> {
        self.batch(|b| {
            let antenna = b.antenna_of(household)?;
            let actor = b.acting(antenna, action, FIELD_WORK)?;
            let now = b.now;
            let result = b.change(household.document(), action, |tx| f(tx, &actor, now))?;
            b.refresh_household(antenna, household, true)?;
            Ok(result)
        })
    }
}

impl Batch<'_> {
    /// Brings the derived tables and the antenna's index in line with a household document.
    /// `may_write` says whether this device may change the antenna document (observers
    /// cannot); the index is derived, so skipping it loses nothing.
    pub(crate) fn refresh_household(
        &mut self,
        antenna: AntennaId,
        household: HouseholdId,
        may_write: bool,
    ) -> Result<()> {
        let doc = self.household(household)?;
        let summary = projection::household(&self.sql, household, &doc)?;
        self.events
            .push(StoreEvent::HouseholdChanged { antenna, household });
        let key = household.to_string();
        let Some(antenna_doc) = self.doc(antenna.document(), DocumentKind::Antenna)? else {
            return Ok(());
        };
        let indexed: Option<HouseholdSummary> = lookup(antenna_doc, &["households", &key])?;
        if indexed.as_ref() == Some(&summary) || !may_write {
            return Ok(());
        }
        self.change(antenna.document(), "update household index", |tx| {
            let index = map_at(tx, &["households"])?;
            reconcile_prop(tx, index, key.as_str(), &summary)?;
            Ok(())
        })?;
        self.events.push(StoreEvent::AntennaChanged(antenna));
        Ok(())
    }

    /// Whether this device's member in `antenna` may write (lead or volunteer).
    pub(crate) fn may_write(&mut self, antenna: AntennaId) -> bool {
        self.acting(antenna, "", FIELD_WORK).is_ok()
    }
}
