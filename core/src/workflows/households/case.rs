//! A household's case: needs, limiting factors, the personal plan, notes, referrals to
//! providers and grievances. Each action is one change to the household's document, by a lead
//! or a volunteer, with the index refreshed when the summary moved.

use autosurgeon::reconcile_prop;

use crate::error::{Error, Result};
use crate::ids::{
    FactorId, GrievanceId, HouseholdId, MemberId, NeedId, NoteId, ProviderId, ReferralId, StepId,
};
use crate::model::{
    validate, FactorKind, Grievance, GrievanceStatus, LimitingFactor, Need, NeedCategory,
    NeedStatus, Note, PlanStep, Referral, ReferralStatus, StepStatus, Urgency,
};
use crate::store::access::{existing, map_at, FIELD_WORK};
use crate::store::Store;

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

impl Store {
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
}
