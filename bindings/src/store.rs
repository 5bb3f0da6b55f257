//! `JiranStore`: the phone's store and its sync engine as one object, the way an app holds
//! them for its whole life. Each method maps to one `jiran-core` call.

use std::sync::Arc;
use std::time::Duration;

use jiran_core::sync::{SyncEngine, SyncOptions};
use jiran_core::{
    AntennaId, DeliveryId, DeliveryLine, DonationBalance, DonationId, GrievanceId, GrievanceStatus,
    GrievanceToAnswer, Handover, HandoverFilter, HandoverFormat, HouseholdFilter, HouseholdId,
    HouseholdListItem, ImportSummary, MemberId, Month, NeedCategory, NeedId, NeedStatus,
    NewDonation, NewHousehold, NewNeed, NewTask, NoteId, PossibleDuplicate, Priority,
    ReferralToFollowUp, Role, Store, TaskId, TaskItem, Timestamp,
};

use crate::error::{JiranError, Result};
use crate::observer::{StoreObserver, Subscription};
use crate::views::{
    AlsoHelped, AntennaOverview, DeliveryReceipt, DirectoryEntry, ErasedHousehold, HandoverEntry,
    HouseholdDetail, Invite, NewDelivery, SyncStatus, TransparencyReport,
};

/// The store on this phone and the engine that keeps it in sync. Open one per app; share it.
/// Every recording call returns once the change is on disk; sync happens in the background.
#[derive(Debug, uniffi::Object)]
pub struct JiranStore {
    store: Arc<Store>,
    engine: Arc<SyncEngine>,
    runtime: tokio::runtime::Runtime,
}

#[uniffi::export]
impl JiranStore {
    /// Opens (or creates) the store in `directory` (the app's private files) and starts
    /// syncing every antenna joined before.
    #[uniffi::constructor]
    pub fn open(directory: String) -> Result<Arc<Self>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("jiran-sync")
            .enable_all()
            .build()
            .map_err(|e| JiranError::Internal {
                detail: format!("could not start the sync threads: {e}"),
            })?;
        let store = Arc::new(Store::open(&directory)?);
        let engine = {
            let _inside = runtime.enter();
            Arc::new(SyncEngine::start(store.clone(), SyncOptions::default())?)
        };
        Ok(Arc::new(JiranStore {
            store,
            engine,
            runtime,
        }))
    }

    /// Joins an antenna with an invite code from its lead (typed or scanned), through the
    /// relay at `relay_url` (`https://...`), and starts syncing it. `device_name` tells the
    /// lead which phone this is; `display_name` is how colleagues see the volunteer.
    pub async fn join(
        &self,
        relay_url: String,
        invite_code: String,
        device_name: String,
        display_name: String,
    ) -> Result<AntennaId> {
        let engine = self.engine.clone();
        let link = self
            .runtime
            .spawn(async move {
                engine
                    .join(&relay_url, &invite_code, &device_name, &display_name)
                    .await
            })
            .await
            .map_err(internal)??;
        Ok(link.antenna)
    }

    /// Makes an invite for someone to join `antenna` with `role` (leads only).
    pub async fn invite(
        &self,
        antenna: AntennaId,
        role: Role,
        uses: u32,
        expires_in_hours: u32,
    ) -> Result<Invite> {
        let engine = self.engine.clone();
        let invite = self
            .runtime
            .spawn(async move { engine.invite(antenna, role, uses, expires_in_hours).await })
            .await
            .map_err(internal)??;
        Ok(invite.into())
    }

    /// The antennas this phone belongs to.
    pub fn antennas(&self) -> Result<Vec<crate::views::Antenna>> {
        let mut out = Vec::new();
        for (id, member) in self.store.memberships()? {
            let document = self.store.antenna(id).ok();
            let link = self.store.relay_link(id)?;
            out.push(crate::views::Antenna {
                id,
                name: document.as_ref().map(|d| d.name.clone()),
                locality: document.map(|d| d.locality),
                member,
                role: link.as_ref().map(|l| l.role),
                relay_url: link.map(|l| l.relay_url),
            });
        }
        Ok(out)
    }

    /// Registers a household with its consent; `keep_data` must be true.
    pub fn register_household(
        &self,
        antenna: AntennaId,
        household: NewHousehold,
    ) -> Result<HouseholdId> {
        Ok(self.store.register_household(antenna, household)?)
    }

    /// Sets a household's priority.
    pub fn set_priority(&self, household: HouseholdId, priority: Priority) -> Result<()> {
        let edit = jiran_core::HouseholdEdit {
            priority: Some(priority),
            ..Default::default()
        };
        Ok(self.store.edit_household(household, edit)?)
    }

    /// Records a need in the household's case.
    pub fn add_need(&self, household: HouseholdId, need: NewNeed) -> Result<NeedId> {
        Ok(self.store.add_need(household, need)?)
    }

    /// Moves a need along (in progress, met, closed).
    pub fn set_need_status(
        &self,
        household: HouseholdId,
        need: NeedId,
        status: NeedStatus,
    ) -> Result<()> {
        Ok(self.store.set_need_status(household, &need, status)?)
    }

    /// Adds a note to the household's case.
    pub fn add_note(&self, household: HouseholdId, text: String) -> Result<NoteId> {
        Ok(self.store.add_note(household, &text)?)
    }

    /// Records a grievance on the household's behalf, or anonymously.
    pub fn raise_grievance(
        &self,
        household: HouseholdId,
        category: String,
        text: String,
        anonymous: bool,
    ) -> Result<GrievanceId> {
        Ok(self
            .store
            .raise_grievance(household, &category, &text, anonymous)?)
    }

    /// Answers a grievance (leads).
    pub fn handle_grievance(
        &self,
        household: HouseholdId,
        grievance: GrievanceId,
        status: GrievanceStatus,
        resolution: Option<String>,
    ) -> Result<()> {
        Ok(self
            .store
            .handle_grievance(household, &grievance, status, resolution.as_deref())?)
    }

    /// Assigns a visit, call or delivery for a household to a lead or volunteer of its
    /// antenna, due within a year (leads).
    pub fn assign_task(&self, household: HouseholdId, task: NewTask) -> Result<TaskId> {
        Ok(self.store.assign_task(household, task)?)
    }

    /// Records that a task was done and how it went (the assignee, or a lead). A task is
    /// completed once: a second completion is refused.
    pub fn complete_task(
        &self,
        household: HouseholdId,
        task: TaskId,
        outcome: String,
    ) -> Result<()> {
        Ok(self.store.complete_task(household, &task, &outcome)?)
    }

    /// Cancels a task no longer to be done (leads).
    pub fn cancel_task(&self, household: HouseholdId, task: TaskId) -> Result<()> {
        Ok(self.store.cancel_task(household, &task)?)
    }

    /// This phone's member's open tasks, most overdue first. Lines name households by id
    /// only, so the list may be shown on a shared screen.
    pub fn my_tasks(&self, antenna: AntennaId) -> Result<Vec<TaskItem>> {
        Ok(self.store.my_tasks(antenna, Timestamp::now())?)
    }

    /// A member's open tasks, most overdue first (leads; anyone for their own).
    pub fn tasks_of(&self, antenna: AntennaId, member: MemberId) -> Result<Vec<TaskItem>> {
        Ok(self.store.tasks_of(antenna, &member, Timestamp::now())?)
    }

    /// Records a donation, pledged or received.
    pub fn record_donation(&self, antenna: AntennaId, donation: NewDonation) -> Result<DonationId> {
        Ok(self.store.record_donation(antenna, donation)?)
    }

    /// Marks a pledged donation as received.
    pub fn mark_donation_received(&self, antenna: AntennaId, donation: DonationId) -> Result<()> {
        Ok(self.store.mark_donation_received(antenna, &donation)?)
    }

    /// Records a delivery and the donations that funded it; refused if a donation has too
    /// little left.
    pub fn record_delivery(&self, antenna: AntennaId, delivery: NewDelivery) -> Result<DeliveryId> {
        Ok(self.store.record_delivery(antenna, delivery.into())?)
    }

    /// Records that the household confirmed receiving a delivery (on the volunteer's word).
    pub fn acknowledge_delivery(&self, antenna: AntennaId, delivery: DeliveryId) -> Result<()> {
        Ok(self.store.acknowledge_delivery(antenna, &delivery)?)
    }

    /// Records that the household confirmed a delivery by giving its delivery code, typed in
    /// any case, with or without the dash. A code that does not match is an `InvalidInput`
    /// error and records nothing.
    pub fn acknowledge_delivery_with_code(
        &self,
        antenna: AntennaId,
        delivery: DeliveryId,
        code: String,
    ) -> Result<()> {
        Ok(self
            .store
            .acknowledge_delivery_with_code(antenna, &delivery, &code)?)
    }

    /// The household's delivery code, issued now if it has none yet (households registered
    /// before codes existed).
    pub fn issue_delivery_code(&self, household: HouseholdId) -> Result<String> {
        Ok(self.store.issue_delivery_code(household)?)
    }

    /// A month's deliveries, oldest first, each naming its household by delivery code only.
    pub fn delivery_list(&self, antenna: AntennaId, month: Month) -> Result<Vec<DeliveryLine>> {
        Ok(self.store.delivery_list(antenna, month)?)
    }

    /// A receipt for one delivery, with its text to share or print in `language`; no name in
    /// it.
    pub fn delivery_receipt(
        &self,
        antenna: AntennaId,
        delivery: DeliveryId,
        language: jiran_core::Language,
    ) -> Result<DeliveryReceipt> {
        let receipt = self.store.delivery_receipt(antenna, &delivery)?;
        Ok(DeliveryReceipt::new(receipt, language))
    }

    /// Moves `amount` (all, if `None`) of a delivery's funding from one donation to another
    /// (leads): how an over-allocation made by offline phones is resolved.
    pub fn reassign_funding(
        &self,
        antenna: AntennaId,
        delivery: DeliveryId,
        from: DonationId,
        to: DonationId,
        amount: Option<u64>,
    ) -> Result<()> {
        Ok(self
            .store
            .reassign_funding(antenna, &delivery, &from, &to, amount)?)
    }

    /// The household list, filtered and ordered.
    pub fn households(
        &self,
        antenna: AntennaId,
        filter: HouseholdFilter,
    ) -> Result<Vec<HouseholdListItem>> {
        Ok(self.store.households(antenna, &filter)?)
    }

    /// Households by name or phone, however typed (Arabic or Latin letters, any accents).
    pub fn search(
        &self,
        antenna: AntennaId,
        typed: String,
        limit: u32,
    ) -> Result<Vec<HouseholdListItem>> {
        Ok(self.store.search(antenna, &typed, limit)?)
    }

    /// Everything about one household.
    pub fn household(&self, household: HouseholdId) -> Result<HouseholdDetail> {
        Ok(self.store.household(household)?.into())
    }

    /// Per donation: received, delivered, remaining, households reached (a count).
    pub fn donation_balances(&self, antenna: AntennaId) -> Result<Vec<DonationBalance>> {
        Ok(self.store.donation_balances(antenna)?)
    }

    /// The antenna at a glance (leads).
    pub fn overview(&self, antenna: AntennaId) -> Result<AntennaOverview> {
        Ok(self.store.overview(antenna)?.into())
    }

    /// Pairs of households that may be one family registered twice, most likely first.
    pub fn possible_duplicates(&self, antenna: AntennaId) -> Result<Vec<PossibleDuplicate>> {
        Ok(self.store.possible_duplicates(antenna)?)
    }

    /// Grievances waiting for an answer, longest waiting first (leads).
    pub fn grievances_to_answer(&self, antenna: AntennaId) -> Result<Vec<GrievanceToAnswer>> {
        Ok(self.store.grievances_to_answer(antenna, Timestamp::now())?)
    }

    /// Referrals still open with no news for more than `days` days, longest silent first.
    pub fn referrals_to_follow_up(
        &self,
        antenna: AntennaId,
        days: u32,
    ) -> Result<Vec<ReferralToFollowUp>> {
        Ok(self
            .store
            .referrals_to_follow_up(antenna, days, Timestamp::now())?)
    }

    /// The directory's providers that serve a need, by name.
    pub fn providers_for(
        &self,
        antenna: AntennaId,
        category: NeedCategory,
    ) -> Result<Vec<DirectoryEntry>> {
        Ok(self
            .store
            .providers_for(antenna, category)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Merges household `merged` into `keep` (leads): nothing of `merged` is lost.
    pub fn merge_households(&self, keep: HouseholdId, merged: HouseholdId) -> Result<()> {
        Ok(self.store.merge_households(keep, merged)?)
    }

    /// Erases a household (leads): its data leaves this phone now, and every other phone and
    /// the relay when they sync; its deliveries stay in the accounts as amounts only.
    pub fn erase_household(&self, household: HouseholdId) -> Result<()> {
        Ok(self.store.erase_household(household)?)
    }

    /// The antenna's erased households (tombstones: id, when, by whom), oldest first.
    pub fn erased_households(&self, antenna: AntennaId) -> Result<Vec<ErasedHousehold>> {
        Ok(self
            .store
            .erased_households(antenna)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The antenna's team: members in it first (leads, volunteers, observers, each by name),
    /// then removed members.
    pub fn team(&self, antenna: AntennaId) -> Result<Vec<crate::views::TeamMember>> {
        Ok(self
            .store
            .team(antenna)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// Gives a member another role (leads): effective on every phone and at the relay when it
    /// syncs. Refused when it would leave the antenna without a lead.
    pub fn change_role(&self, antenna: AntennaId, member: MemberId, role: Role) -> Result<()> {
        Ok(self.store.change_role(antenna, &member, role)?)
    }

    /// Removes a member (leads): their phone may do nothing more in the antenna, and the relay
    /// revokes it when the change syncs. Refused for the last lead.
    pub fn remove_member(&self, antenna: AntennaId, member: MemberId) -> Result<()> {
        Ok(self.store.remove_member(antenna, &member)?)
    }

    /// This phone's public key (base58): what the relay registered when it joined, shown so
    /// a lead can tell devices apart.
    pub fn device_key(&self) -> String {
        self.store.device_key().to_string()
    }

    /// Hands the households that agreed to be shared with the municipality over as a file
    /// (leads): the bytes to save or send, and how many households they hold. Logged in the
    /// antenna (who, when, how many, which filter), never with the data.
    pub fn export_for_municipality(
        &self,
        antenna: AntennaId,
        filter: HandoverFilter,
        format: HandoverFormat,
    ) -> Result<Handover> {
        Ok(self
            .store
            .export_for_municipality(antenna, filter, format)?)
    }

    /// Every handover to the municipality made in the antenna, oldest first.
    pub fn handovers(&self, antenna: AntennaId) -> Result<Vec<HandoverEntry>> {
        Ok(self
            .store
            .handovers(antenna)?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The antenna's public transparency report for the months `from..=to` (`YYYY-MM`, either
    /// may be left out), as JSON and as an HTML page in `language` to share with donors.
    pub fn transparency_report(
        &self,
        antenna: AntennaId,
        from: Option<String>,
        to: Option<String>,
        language: jiran_core::Language,
    ) -> Result<TransparencyReport> {
        let month = |field: &'static str, text: Option<String>| -> Result<_> {
            match text {
                None => Ok(None),
                Some(text) => match jiran_core::Month::parse(&text) {
                    Some(month) => Ok(Some(month)),
                    None => Err(jiran_core::Error::Invalid {
                        field,
                        problem: jiran_core::InputProblem::NotAMonth,
                    }
                    .into()),
                },
            }
        };
        let (from, to) = (month("from", from)?, month("to", to)?);
        let report = self.store.transparency_report(antenna, from, to)?;
        Ok(TransparencyReport::new(report, language))
    }

    /// Loads an Open Referral HSDS JSON file into the provider directory (leads); a refused
    /// file adds nothing.
    pub fn import_providers_hsds(
        &self,
        antenna: AntennaId,
        file: Vec<u8>,
    ) -> Result<ImportSummary> {
        Ok(self.store.import_providers_hsds(antenna, &file)?)
    }

    /// The provider directory as an Open Referral HSDS JSON file.
    pub fn export_providers_hsds(&self, antenna: AntennaId) -> Result<Vec<u8>> {
        Ok(self.store.export_providers_hsds(antenna)?)
    }

    /// Sets (or with `None` removes) the national ID card number of a household's head. Only
    /// its keyed hash ever leaves the antenna (the blinded cross-antenna check).
    pub fn set_national_id(
        &self,
        household: HouseholdId,
        national_id: Option<String>,
    ) -> Result<()> {
        let edit = jiran_core::HouseholdEdit {
            national_id: Some(national_id),
            ..Default::default()
        };
        Ok(self.store.edit_household(household, edit)?)
    }

    /// A new federation key, for the first lead of a federation of antennas to share (as
    /// text or a QR code) with the other antennas' leads.
    pub fn new_federation_key(&self) -> String {
        jiran_core::workflows::other_antennas::FederationKey::generate().to_text()
    }

    /// Keeps (or with `None` forgets) the federation key on this phone (leads). It never goes
    /// to the relay.
    pub fn set_federation_key(&self, antenna: AntennaId, key: Option<String>) -> Result<()> {
        let key = match key {
            Some(text) => Some(jiran_core::workflows::other_antennas::FederationKey::parse(
                &text,
            )?),
            None => None,
        };
        Ok(self.store.set_federation_key(antenna, key.as_ref())?)
    }

    /// Opts the antenna into the blinded index (or refreshes it) and lists our households that
    /// other antennas of the federation help too, with how to reach them (leads). `contact`
    /// is what they will see of us.
    pub async fn check_other_antennas(
        &self,
        antenna: AntennaId,
        contact: String,
    ) -> Result<Vec<AlsoHelped>> {
        let store = self.store.clone();
        let found = self
            .runtime
            .spawn_blocking(move || {
                jiran_core::workflows::other_antennas::check_other_antennas(
                    &store, antenna, &contact,
                )
                .map_err(JiranError::from)
            })
            .await
            .map_err(internal)??;
        Ok(found.into_iter().map(Into::into).collect())
    }

    /// Takes the antenna out of the blinded index (leads).
    pub async fn leave_blinded_index(&self, antenna: AntennaId) -> Result<()> {
        let store = self.store.clone();
        self.runtime
            .spawn_blocking(move || {
                jiran_core::workflows::other_antennas::leave_blinded_index(&store, antenna)
                    .map_err(JiranError::from)
            })
            .await
            .map_err(internal)??;
        Ok(())
    }

    /// The antenna's sync status now (`None` before the engine first reported).
    pub fn sync_status(&self, antenna: AntennaId) -> Option<SyncStatus> {
        self.engine
            .status(antenna)
            .map(|status| SyncStatus::new(antenna, status))
    }

    /// Waits until the antenna is up to date with nothing left to send, for at most
    /// `timeout`; returns the last status either way (`None` if none was reported).
    pub async fn wait_until_up_to_date(
        &self,
        antenna: AntennaId,
        timeout: Duration,
    ) -> Option<SyncStatus> {
        let engine = self.engine.clone();
        let status = self
            .runtime
            .spawn(async move {
                match engine.until_up_to_date(antenna, timeout).await {
                    Ok(status) => Some(status),
                    Err(last) => last,
                }
            })
            .await
            .ok()
            .flatten();
        status.map(|s| SyncStatus::new(antenna, s))
    }

    /// Follows the device's network: `false` closes connections and stops trying.
    pub fn set_online(&self, online: bool) {
        self.engine.set_online(online);
    }

    /// Retries now (the volunteer pulled to refresh).
    pub fn sync_now(&self) {
        self.engine.sync_now();
    }

    /// Calls `observer` for every change and sync status until the subscription ends.
    pub fn observe(&self, observer: Arc<dyn StoreObserver>) -> Arc<Subscription> {
        Arc::new(Subscription::start(
            &self.runtime,
            self.store.subscribe(),
            observer,
        ))
    }
}

fn internal(error: tokio::task::JoinError) -> JiranError {
    JiranError::Internal {
        detail: format!("a background task failed ({error}); please report this"),
    }
}
