//! What the apps show, as records the foreign languages can hold: the core's documents and
//! query results with maps turned into lists (ids inside) and tuples into named records.
//! Mapping only; every figure comes from `jiran-core`.

use std::time::Duration;

use jiran_core as core;
use jiran_core::sync::{Problem, SyncState as CoreState};
use jiran_core::{
    AntennaId, Coordinates, DeliveryId, DeliveryLine, DonationBalance, DonationId, FactorId,
    FactorKind, GrievanceId, GrievanceStatus, HandoverFormat, HandoverId, HouseholdId,
    HouseholdState, MemberId, NeedCategory, NeedId, NeedStatus, NoteId, OverAllocation, PersonId,
    Priority, ProviderId, ReferralId, ReferralStatus, Relationship, Role, Sector, StepId,
    StepStatus, TaskId, TaskKind, TaskStatus, Timestamp, Urgency, VulnerabilityFlags,
};

/// An antenna this phone belongs to.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Antenna {
    pub id: AntennaId,
    /// `None` until the antenna's document arrives with the first sync.
    pub name: Option<String>,
    pub locality: Option<String>,
    /// The member this phone acts as.
    pub member: MemberId,
    /// The role the relay granted (`None` for an antenna made on this phone only).
    pub role: Option<Role>,
    /// The relay this phone syncs the antenna with (`None` for an antenna made on this phone
    /// only): what a lead's invite link names, so that nobody types a relay address.
    pub relay_url: Option<String>,
}

/// An invite a lead made: show `code` as text or a QR code to the person invited.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Invite {
    pub code: String,
    pub role: Role,
    pub uses: u32,
    pub expires_in_hours: u32,
}

impl From<core::sync::Invite> for Invite {
    fn from(i: core::sync::Invite) -> Self {
        Invite {
            code: i.code,
            role: i.role,
            uses: i.uses,
            expires_in_hours: i.expires_in_hours,
        }
    }
}

/// How much of one donation a delivery uses, in the donation's own unit.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Funding {
    pub donation: DonationId,
    pub amount: u64,
}

/// A delivery to record.
#[derive(Clone, Debug, uniffi::Record)]
pub struct NewDelivery {
    pub household: HouseholdId,
    pub category: NeedCategory,
    pub description: String,
    pub funding: Vec<Funding>,
    /// When it was delivered, if not now (recorded later, offline).
    pub delivered_at: Option<Timestamp>,
}

impl From<NewDelivery> for core::NewDelivery {
    fn from(d: NewDelivery) -> Self {
        core::NewDelivery {
            household: d.household,
            category: d.category,
            description: d.description,
            funding: d
                .funding
                .into_iter()
                .map(|f| (f.donation, f.amount))
                .collect(),
            delivered_at: d.delivered_at,
        }
    }
}

/// One person of a household.
#[derive(Clone, Debug, uniffi::Record)]
pub struct HouseholdMember {
    pub id: PersonId,
    pub name: String,
    pub birth_year: Option<u16>,
    pub relationship: Relationship,
    pub flags: VulnerabilityFlags,
}

/// What the household agreed to, when and to whom.
#[derive(Clone, Debug, uniffi::Record)]
pub struct Consent {
    pub keep_data: bool,
    pub share_with_municipality: bool,
    pub contact_by_phone: bool,
    pub recorded_by: MemberId,
    pub recorded_at: Timestamp,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct Need {
    pub id: NeedId,
    pub category: NeedCategory,
    pub description: String,
    pub urgency: Urgency,
    pub status: NeedStatus,
    pub opened_by: MemberId,
    pub opened_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct LimitingFactor {
    pub id: FactorId,
    pub kind: FactorKind,
    pub description: String,
    pub recorded_at: Timestamp,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct PlanStep {
    pub id: StepId,
    pub description: String,
    pub owner: Option<MemberId>,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub status: StepStatus,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct Referral {
    pub id: ReferralId,
    pub provider: ProviderId,
    pub need: Option<NeedId>,
    pub status: ReferralStatus,
    pub proposed_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct Grievance {
    pub id: GrievanceId,
    pub category: String,
    pub text: String,
    pub status: GrievanceStatus,
    /// `None` when raised anonymously.
    pub recorded_by: Option<MemberId>,
    pub raised_at: Timestamp,
    pub resolution: Option<String>,
    pub handled_by: Option<MemberId>,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct Note {
    pub id: NoteId,
    /// Who the note says wrote it (what its writer claimed).
    pub author: MemberId,
    /// Who really wrote it: the member whose own device made the change; `None` when that
    /// cannot be verified (show the note as of unknown author).
    pub written_by: Option<MemberId>,
    pub at: Timestamp,
    pub text: String,
}

/// A visit, call or delivery assigned to a member, and its outcome once done. Named
/// `HouseholdTask`, not `Task`: in Swift, `Task` is the concurrency type apps already use.
#[derive(Clone, Debug, uniffi::Record)]
pub struct HouseholdTask {
    pub id: TaskId,
    pub kind: TaskKind,
    pub assigned_to: MemberId,
    pub due: Timestamp,
    /// The lead's instructions.
    pub note: Option<String>,
    pub status: TaskStatus,
    /// How it went (done tasks).
    pub outcome: Option<String>,
    pub assigned_by: MemberId,
    pub created_at: Timestamp,
    /// When it was done or cancelled, and by whom.
    pub closed_at: Option<Timestamp>,
    pub closed_by: Option<MemberId>,
}

#[derive(Clone, Debug, uniffi::Record)]
pub struct Delivery {
    pub id: DeliveryId,
    pub category: NeedCategory,
    pub description: String,
    pub funding: Vec<Funding>,
    pub delivered_by: MemberId,
    pub delivered_at: Timestamp,
    /// Whether the household confirmed receiving it.
    pub acknowledged: bool,
    /// Whether it confirmed by giving its delivery code (not on the volunteer's word alone).
    pub code_confirmed: bool,
}

/// Everything about one household, as its detail screen shows it.
#[derive(Clone, Debug, uniffi::Record)]
pub struct HouseholdDetail {
    pub id: HouseholdId,
    pub antenna: AntennaId,
    /// The head first.
    pub members: Vec<HouseholdMember>,
    pub phone: Option<String>,
    pub address: String,
    pub coordinates: Option<Coordinates>,
    pub consent: Consent,
    pub state: HouseholdState,
    /// The household this one was merged into, when `state` is `Merged`.
    pub merged_into: Option<HouseholdId>,
    pub registered_by: MemberId,
    pub registered_at: Timestamp,
    pub shock: Option<String>,
    /// The code delivery lists and receipts show instead of the household's name ("K7M-4PQ");
    /// `None` for a household registered before codes existed, until one is issued.
    pub delivery_code: Option<String>,
    pub priority: Priority,
    pub assigned_to: Option<MemberId>,
    pub needs: Vec<Need>,
    pub limiting_factors: Vec<LimitingFactor>,
    pub plan: Vec<PlanStep>,
    pub referrals: Vec<Referral>,
    pub grievances: Vec<Grievance>,
    /// Oldest first.
    pub notes: Vec<Note>,
    /// Open tasks first, by due time; then done and cancelled ones, latest first.
    pub tasks: Vec<HouseholdTask>,
    /// Oldest first.
    pub deliveries: Vec<Delivery>,
}

impl From<core::HouseholdDetail> for HouseholdDetail {
    fn from(d: core::HouseholdDetail) -> Self {
        let core::HouseholdDetail {
            id,
            antenna,
            profile,
            case,
            deliveries,
            written_by,
        } = d;
        let mut members: Vec<HouseholdMember> = profile
            .members
            .into_iter()
            .map(|(id, p)| HouseholdMember {
                id,
                name: p.name,
                birth_year: p.birth_year,
                relationship: p.relationship,
                flags: p.flags,
            })
            .collect();
        members.sort_by_key(|m| m.relationship != Relationship::Head);
        let notes = case
            .notes_in_order()
            .into_iter()
            .map(|(id, n)| Note {
                id: id.clone(),
                author: n.author.clone(),
                written_by: written_by.get(id).cloned(),
                at: n.at,
                text: n.text.clone(),
            })
            .collect();
        let tasks = case
            .tasks_in_order()
            .into_iter()
            .map(|(id, t)| HouseholdTask {
                id: id.clone(),
                kind: t.kind,
                assigned_to: t.assigned_to.clone(),
                due: t.due,
                note: t.note.clone(),
                status: t.status,
                outcome: t.outcome.clone(),
                assigned_by: t.assigned_by.clone(),
                created_at: t.created_at,
                closed_at: t.closed_at,
                closed_by: t.closed_by.clone(),
            })
            .collect();
        let (state, merged_into) = match profile.status {
            core::HouseholdStatus::MergedInto(into) => (HouseholdState::Merged, Some(into)),
            other => (other.state(), None),
        };
        HouseholdDetail {
            id,
            antenna,
            members,
            phone: profile.phone,
            address: profile.address.text,
            coordinates: profile.address.coordinates,
            consent: Consent {
                keep_data: profile.consent.keep_data,
                share_with_municipality: profile.consent.share_with_municipality,
                contact_by_phone: profile.consent.contact_by_phone,
                recorded_by: profile.consent.recorded_by,
                recorded_at: profile.consent.recorded_at,
            },
            state,
            merged_into,
            registered_by: profile.registered_by,
            registered_at: profile.registered_at,
            shock: profile.shock,
            delivery_code: profile.delivery_code,
            priority: case.priority,
            assigned_to: case.assigned_to,
            needs: case
                .needs
                .into_iter()
                .map(|(id, n)| Need {
                    id,
                    category: n.category,
                    description: n.description,
                    urgency: n.urgency,
                    status: n.status,
                    opened_by: n.opened_by,
                    opened_at: n.opened_at,
                    closed_at: n.closed_at,
                })
                .collect(),
            limiting_factors: case
                .limiting_factors
                .into_iter()
                .map(|(id, f)| LimitingFactor {
                    id,
                    kind: f.kind,
                    description: f.description,
                    recorded_at: f.recorded_at,
                })
                .collect(),
            plan: case
                .plan
                .into_iter()
                .map(|(id, s)| PlanStep {
                    id,
                    description: s.description,
                    owner: s.owner,
                    due: s.due,
                    status: s.status,
                    created_at: s.created_at,
                })
                .collect(),
            referrals: case
                .referrals
                .into_iter()
                .map(|(id, r)| Referral {
                    id,
                    provider: r.provider,
                    need: r.need,
                    status: r.status,
                    proposed_at: r.proposed_at,
                    updated_at: r.updated_at,
                })
                .collect(),
            grievances: case
                .grievances
                .into_iter()
                .map(|(id, g)| Grievance {
                    id,
                    category: g.category,
                    text: g.text,
                    status: g.status,
                    recorded_by: g.recorded_by,
                    raised_at: g.raised_at,
                    resolution: g.resolution,
                    handled_by: g.handled_by,
                })
                .collect(),
            notes,
            tasks,
            deliveries: deliveries
                .into_iter()
                .map(|r| Delivery {
                    id: r.id,
                    category: r.delivery.category,
                    description: r.delivery.description,
                    funding: r
                        .delivery
                        .funding
                        .into_iter()
                        .map(|(donation, amount)| Funding { donation, amount })
                        .collect(),
                    delivered_by: r.delivery.delivered_by,
                    delivered_at: r.delivery.delivered_at,
                    acknowledged: r.delivery.acknowledged.is_some(),
                    code_confirmed: r.delivery.acknowledged.is_some_and(|a| a.code_confirmed),
                })
                .collect(),
        }
    }
}

/// A receipt for one delivery: the household named by its delivery code only.
#[derive(Clone, Debug, uniffi::Record)]
pub struct DeliveryReceipt {
    pub antenna_name: String,
    pub delivery: DeliveryLine,
    /// The receipt as plain text to share or print, in the language asked for (see
    /// `jiran_core::DeliveryReceipt::to_text`).
    pub text: String,
}

impl DeliveryReceipt {
    /// The core's receipt with its text written in `language`.
    pub(crate) fn new(r: core::DeliveryReceipt, language: core::Language) -> Self {
        let text = r.to_text(language);
        DeliveryReceipt {
            antenna_name: r.antenna_name,
            delivery: r.delivery,
            text,
        }
    }
}

/// Active households of one priority.
#[derive(Clone, Debug, uniffi::Record)]
pub struct PriorityCount {
    pub priority: Priority,
    pub households: u32,
}

/// Active households with an open need of one category.
#[derive(Clone, Debug, uniffi::Record)]
pub struct NeedCount {
    pub category: NeedCategory,
    pub households: u32,
}

/// The antenna at a glance, for a lead (see `jiran_core::AntennaOverview`).
#[derive(Clone, Debug, uniffi::Record)]
pub struct AntennaOverview {
    pub active_households: u32,
    /// Most urgent first; every priority listed.
    pub by_priority: Vec<PriorityCount>,
    /// Every category listed.
    pub open_needs: Vec<NeedCount>,
    pub open_grievances: u32,
    /// Active households registered after a shock (the crisis's new households).
    pub after_shock: u32,
    /// Tasks still open past their due time.
    pub overdue_tasks: u32,
    pub balances: Vec<DonationBalance>,
    pub over_allocations: Vec<OverAllocation>,
}

impl From<core::AntennaOverview> for AntennaOverview {
    fn from(o: core::AntennaOverview) -> Self {
        AntennaOverview {
            active_households: o.active_households,
            by_priority: o
                .by_priority
                .into_iter()
                .map(|(priority, households)| PriorityCount {
                    priority,
                    households,
                })
                .collect(),
            open_needs: o
                .open_needs
                .into_iter()
                .map(|(category, households)| NeedCount {
                    category,
                    households,
                })
                .collect(),
            open_grievances: o.open_grievances,
            after_shock: o.after_shock,
            overdue_tasks: o.overdue_tasks,
            balances: o.balances,
            over_allocations: o.over_allocations,
        }
    }
}

/// Where an antenna's sync stands (see `jiran_core::sync::SyncState`).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SyncState {
    /// Not connected; work continues offline and the phone retries by itself.
    Offline {
        retry_in: Option<Duration>,
    },
    Connecting,
    Syncing {
        documents_left: u64,
    },
    UpToDate,
    /// Sync stopped until someone acts.
    NeedsAction {
        problem: SyncProblem,
    },
}

/// Why sync needs someone to act.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum SyncProblem {
    /// A lead revoked this phone; the antenna's data was wiped from it.
    Revoked,
    /// The relay no longer knows this phone: join again with a new invite.
    TokenRefused,
    /// The relay refused this many documents (they stay on this phone).
    DocumentsRefused { documents: u64 },
    /// The relay could not store changes; nothing is lost on this phone.
    RelayStorage,
    /// Storing what the relay sent failed on this phone.
    LocalStorage { detail: String },
}

/// An antenna's sync status, with the sentence to show.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SyncStatus {
    pub antenna: AntennaId,
    pub state: SyncState,
    /// Changes made on this phone that the relay has not confirmed yet.
    pub pending_changes: u64,
    pub last_synced_at: Option<Timestamp>,
    /// One sentence a volunteer can act on ("Offline: 3 changes wait on this phone...").
    pub message: String,
}

impl SyncStatus {
    pub(crate) fn new(antenna: AntennaId, status: core::sync::SyncStatus) -> Self {
        let message = status.message();
        let state = match status.state {
            CoreState::Offline { retry_in } => SyncState::Offline { retry_in },
            CoreState::Connecting => SyncState::Connecting,
            CoreState::Syncing { documents_left } => SyncState::Syncing {
                documents_left: documents_left as u64,
            },
            CoreState::UpToDate => SyncState::UpToDate,
            CoreState::NeedsAction(problem) => SyncState::NeedsAction {
                problem: match problem {
                    Problem::Revoked => SyncProblem::Revoked,
                    Problem::TokenRefused => SyncProblem::TokenRefused,
                    Problem::DocumentsRefused(n) => SyncProblem::DocumentsRefused {
                        documents: n as u64,
                    },
                    Problem::RelayStorage => SyncProblem::RelayStorage,
                    Problem::LocalStorage(detail) => SyncProblem::LocalStorage { detail },
                },
            },
        };
        SyncStatus {
            antenna,
            state,
            pending_changes: status.pending_changes,
            last_synced_at: status.last_synced_at,
            message,
        }
    }
}

/// A provider of the antenna's directory, with its id.
#[derive(Clone, Debug, uniffi::Record)]
pub struct DirectoryEntry {
    pub id: ProviderId,
    pub name: String,
    pub sector: Sector,
    pub serves: Vec<NeedCategory>,
    pub contact: String,
    pub opening_hours: String,
}

impl From<(ProviderId, core::Provider)> for DirectoryEntry {
    fn from((id, p): (ProviderId, core::Provider)) -> Self {
        DirectoryEntry {
            id,
            name: p.name,
            sector: p.sector,
            serves: p.serves,
            contact: p.contact,
            opening_hours: p.opening_hours,
        }
    }
}

/// A household a lead erased: its tombstone (the id, when, by whom), never who it was.
#[derive(Clone, Debug, uniffi::Record)]
pub struct ErasedHousehold {
    pub household: HouseholdId,
    pub at: Timestamp,
    pub by: MemberId,
}

impl From<(HouseholdId, core::Erasure)> for ErasedHousehold {
    fn from((household, e): (HouseholdId, core::Erasure)) -> Self {
        ErasedHousehold {
            household,
            at: e.at,
            by: e.by,
        }
    }
}

/// A member of the antenna's team: their name, role and device, as a lead manages them.
#[derive(Clone, Debug, uniffi::Record)]
pub struct TeamMember {
    pub id: MemberId,
    pub display_name: String,
    pub role: Role,
    pub joined_at: Timestamp,
    /// Their device's public key (base58), when that device wrote it itself.
    pub device_key: Option<String>,
    /// When a lead removed them; `None` while they are in the team.
    pub removed_at: Option<Timestamp>,
    /// Whether this is the member this phone acts as.
    pub is_me: bool,
}

impl From<core::TeamMember> for TeamMember {
    fn from(m: core::TeamMember) -> Self {
        TeamMember {
            id: m.id,
            display_name: m.display_name,
            role: m.role,
            joined_at: m.joined_at,
            device_key: m.device_key.map(|k| k.to_string()),
            removed_at: m.removed_at,
            is_me: m.is_me,
        }
    }
}

/// The antenna's public transparency report, ready to share: the same figures as JSON and as
/// one self-contained printable HTML page in the language asked for (with its month-by-need
/// chart). No household or donor is named in either.
#[derive(Clone, Debug, uniffi::Record)]
pub struct TransparencyReport {
    pub households_reached: u32,
    pub deliveries: u32,
    pub json: String,
    pub html: String,
}

impl TransparencyReport {
    /// The core's report with its page written in `language`.
    pub(crate) fn new(report: core::TransparencyReport, language: core::Language) -> Self {
        TransparencyReport {
            households_reached: report.households_reached,
            deliveries: report.deliveries,
            json: report.to_json(),
            html: report.to_html(language),
        }
    }
}

/// One handover to the municipality, as the antenna's log holds it: who, when, how many,
/// which format and filter; never the households themselves.
#[derive(Clone, Debug, uniffi::Record)]
pub struct HandoverEntry {
    pub id: HandoverId,
    /// The lead who made it.
    pub by: MemberId,
    pub at: Timestamp,
    pub households: u32,
    pub format: HandoverFormat,
    /// The filter in words ("active; priority at least high").
    pub filter: String,
}

impl From<(HandoverId, core::HandoverLog)> for HandoverEntry {
    fn from((id, log): (HandoverId, core::HandoverLog)) -> Self {
        HandoverEntry {
            id,
            by: log.by,
            at: log.at,
            households: log.households,
            format: log.format,
            filter: log.filter,
        }
    }
}

/// Another antenna that helps one of ours too (the blinded index tells nothing else).
#[derive(Clone, Debug, uniffi::Record)]
pub struct OtherAntenna {
    pub name: String,
    /// How to reach it, as its lead gave it.
    pub contact: String,
}

/// One of our households that other antennas help too.
#[derive(Clone, Debug, uniffi::Record)]
pub struct AlsoHelped {
    pub household: HouseholdId,
    pub antennas: Vec<OtherAntenna>,
}

impl From<core::workflows::other_antennas::AlsoHelped> for AlsoHelped {
    fn from(found: core::workflows::other_antennas::AlsoHelped) -> Self {
        AlsoHelped {
            household: found.household,
            antennas: found
                .antennas
                .into_iter()
                .map(|a| OtherAntenna {
                    name: a.name,
                    contact: a.contact,
                })
                .collect(),
        }
    }
}
