//! Households and their cases: registering, editing, needs, plan, notes, referrals,
//! grievances. Each action is one change to the household's document; the antenna's
//! household index is refreshed alongside when the household's summary moved.

use std::collections::BTreeMap;

use automerge::transaction::Transaction;
use automerge::ROOT;
use autosurgeon::reconcile_prop;

use super::access::{existing, map_at, FIELD_WORK};
use super::documents::Batch;
use super::events::StoreEvent;
use super::projection;
use super::Store;
use crate::document::{lookup, DocumentHeader, DocumentKind};
use crate::error::{Error, Result};
use crate::ids::{
    AntennaId, FactorId, GrievanceId, HouseholdId, MemberId, NeedId, NoteId, PersonId, ProviderId,
    ReferralId, StepId,
};
use crate::model::{
    validate, Address, Case, Consent, Coordinates, FactorKind, Grievance, GrievanceStatus,
    Household, HouseholdDocument, HouseholdStatus, HouseholdSummary, LimitingFactor, Need,
    NeedCategory, NeedStatus, Note, Person, PlanStep, Priority, Referral, ReferralStatus,
    Relationship, StepStatus, Urgency, VulnerabilityFlags,
};
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

/// A need to record.
#[derive(Clone, Debug)]
pub struct NewNeed {
    /// Its category.
    pub category: NeedCategory,
    /// Details.
    pub description: String,
    /// How soon.
    pub urgency: Urgency,
}

/// A plan step to add.
#[derive(Clone, Debug)]
pub struct NewPlanStep {
    /// What is to be done.
    pub description: String,
    /// Who does it.
    pub owner: Option<MemberId>,
    /// By when, `YYYY-MM-DD`.
    pub due: Option<String>,
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
            return Err(Error::invalid(
                "keep_data",
                "the household must agree that the antenna keeps its data",
            ));
        }
        if new.members.is_empty() {
            return Err(Error::invalid(
                "members",
                "a household has at least one person",
            ));
        }
        if new.members.len() > validate::MAX_MEMBERS {
            return Err(Error::invalid(
                "members",
                "too many people in one household",
            ));
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
                "withdrawing consent to keep data means erasing the household",
            ));
        }
        if let Some(HouseholdStatus::MergedInto(_)) = edit.status {
            return Err(Error::invalid(
                "status",
                "merging households is its own action",
            ));
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

    /// Records a need in the household's case.
    pub fn add_need(&self, household: HouseholdId, new: NewNeed) -> Result<NeedId> {
        let description = validate::text("description", &new.description, validate::MAX_TEXT)?;
        let id = NeedId::random();
        self.household_action(household, "record needs", |tx, actor, now| {
            let need = Need {
                category: new.category,
                description,
                urgency: new.urgency,
                status: NeedStatus::Open,
                opened_by: actor.clone(),
                opened_at: now,
                closed_at: None,
            };
            let needs = map_at(tx, &["case", "needs"])?;
            reconcile_prop(tx, needs, id.as_str(), &need)?;
            Ok(id.clone())
        })
    }

    /// Moves a need along: in progress, met or closed (or reopened).
    pub fn set_need_status(
        &self,
        household: HouseholdId,
        need: &NeedId,
        status: NeedStatus,
    ) -> Result<()> {
        self.household_action(household, "record needs", |tx, _, now| {
            let obj = existing(tx, &["case", "needs"], need.as_str(), "need")?;
            reconcile_prop(&mut *tx, &obj, "status", status)?;
            let closed = matches!(status, NeedStatus::Met | NeedStatus::Closed).then_some(now);
            reconcile_prop(&mut *tx, &obj, "closed_at", closed)?;
            Ok(())
        })
    }

    /// Records something that keeps the household from getting help on its own.
    pub fn add_limiting_factor(
        &self,
        household: HouseholdId,
        kind: FactorKind,
        description: &str,
    ) -> Result<FactorId> {
        let description = validate::text("description", description, validate::MAX_TEXT)?;
        let id = FactorId::random();
        self.household_action(household, "record limiting factors", |tx, actor, now| {
            let factor = LimitingFactor {
                kind,
                description,
                recorded_by: actor.clone(),
                recorded_at: now,
            };
            let obj = map_at(tx, &["case", "limiting_factors"])?;
            reconcile_prop(tx, obj, id.as_str(), &factor)?;
            Ok(id.clone())
        })
    }

    /// Adds a step to the household's plan.
    pub fn add_plan_step(&self, household: HouseholdId, new: NewPlanStep) -> Result<StepId> {
        let description =
            validate::required_text("description", &new.description, validate::MAX_TEXT)?;
        let due = new
            .due
            .as_deref()
            .map(|d| validate::date("due", d))
            .transpose()?;
        let id = StepId::random();
        self.household_action(household, "edit plans", |tx, _, now| {
            let step = PlanStep {
                description,
                owner: new.owner,
                due,
                status: StepStatus::Todo,
                created_at: now,
            };
            let plan = map_at(tx, &["case", "plan"])?;
            reconcile_prop(tx, plan, id.as_str(), &step)?;
            Ok(id.clone())
        })
    }

    /// Moves a plan step along.
    pub fn set_plan_step_status(
        &self,
        household: HouseholdId,
        step: &StepId,
        status: StepStatus,
    ) -> Result<()> {
        self.household_action(household, "edit plans", |tx, _, _| {
            let obj = existing(tx, &["case", "plan"], step.as_str(), "plan step")?;
            reconcile_prop(tx, &obj, "status", status)?;
            Ok(())
        })
    }

    /// Appends a note to the case. Notes are never edited or removed.
    pub fn add_note(&self, household: HouseholdId, text: &str) -> Result<NoteId> {
        let text = validate::required_text("text", text, validate::MAX_NOTE)?;
        let id = NoteId::random();
        self.household_action(household, "write notes", |tx, actor, now| {
            let note = Note {
                author: actor.clone(),
                at: now,
                text,
            };
            let notes = map_at(tx, &["case", "notes"])?;
            reconcile_prop(tx, notes, id.as_str(), &note)?;
            Ok(id.clone())
        })
    }

    /// Refers the household to a provider of the antenna's directory.
    pub fn add_referral(
        &self,
        household: HouseholdId,
        provider: &ProviderId,
        need: Option<NeedId>,
    ) -> Result<ReferralId> {
        let id = ReferralId::random();
        self.batch(|b| {
            let antenna = b.antenna_of(household)?;
            if b.provider(antenna, provider)?.is_none() {
                return Err(Error::UnknownRecord {
                    kind: "provider",
                    id: provider.to_string(),
                });
            }
            let actor = b.acting(antenna, "refer households", FIELD_WORK)?;
            let now = b.now;
            b.change(household.document(), "refer household", |tx| {
                if let Some(need) = &need {
                    existing(tx, &["case", "needs"], need.as_str(), "need")?;
                }
                let referral = Referral {
                    provider: provider.clone(),
                    need,
                    status: ReferralStatus::Proposed,
                    proposed_by: actor,
                    proposed_at: now,
                    updated_at: now,
                };
                let obj = map_at(tx, &["case", "referrals"])?;
                reconcile_prop(tx, obj, id.as_str(), &referral)?;
                Ok(())
            })?;
            b.refresh_household(antenna, household, true)?;
            Ok(id.clone())
        })
    }

    /// Moves a referral along.
    pub fn set_referral_status(
        &self,
        household: HouseholdId,
        referral: &ReferralId,
        status: ReferralStatus,
    ) -> Result<()> {
        self.household_action(household, "refer households", |tx, _, now| {
            let obj = existing(tx, &["case", "referrals"], referral.as_str(), "referral")?;
            reconcile_prop(&mut *tx, &obj, "status", status)?;
            reconcile_prop(&mut *tx, &obj, "updated_at", now)?;
            Ok(())
        })
    }

    /// Records a grievance raised by the household; `anonymous` leaves out who wrote it down.
    pub fn raise_grievance(
        &self,
        household: HouseholdId,
        category: &str,
        text: &str,
        anonymous: bool,
    ) -> Result<GrievanceId> {
        let category = validate::name("category", category)?;
        let text = validate::required_text("text", text, validate::MAX_NOTE)?;
        let id = GrievanceId::random();
        self.household_action(household, "record grievances", |tx, actor, now| {
            let grievance = Grievance {
                category,
                text,
                status: GrievanceStatus::Open,
                recorded_by: (!anonymous).then(|| actor.clone()),
                raised_at: now,
                resolution: None,
                handled_by: None,
            };
            let obj = map_at(tx, &["case", "grievances"])?;
            reconcile_prop(tx, obj, id.as_str(), &grievance)?;
            Ok(id.clone())
        })
    }

    /// Records how a grievance was handled.
    pub fn handle_grievance(
        &self,
        household: HouseholdId,
        grievance: &GrievanceId,
        status: GrievanceStatus,
        resolution: Option<&str>,
    ) -> Result<()> {
        let resolution = resolution
            .map(|r| validate::required_text("resolution", r, validate::MAX_NOTE))
            .transpose()?;
        self.household_action(household, "handle grievances", |tx, actor, _| {
            let obj = existing(tx, &["case", "grievances"], grievance.as_str(), "grievance")?;
            reconcile_prop(&mut *tx, &obj, "status", status)?;
            reconcile_prop(&mut *tx, &obj, "resolution", &resolution)?;
            reconcile_prop(&mut *tx, &obj, "handled_by", Some(actor.clone()))?;
            Ok(())
        })
    }

    /// One change to one household by a lead or volunteer, then the index refresh.
    fn household_action<R>(
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
