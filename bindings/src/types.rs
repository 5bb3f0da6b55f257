//! The core's own types, declared to UniFFI as they are (`remote`): identifiers and times
//! become strings and milliseconds, vocabularies become enums, input records keep their
//! fields. Nothing is converted by hand, so the foreign API follows the core's.

use jiran_core::{
    AntennaId, Coordinates, DeliveryId, DeliveryLine, DonationBalance, DonationId, DonationStatus,
    DuplicateReason, FactorId, FactorKind, FundingLine, Gift, GrievanceId, GrievanceStatus,
    GrievanceToAnswer, Handover, HandoverFilter, HandoverFormat, HandoverId, HouseholdFilter,
    HouseholdId, HouseholdListItem, HouseholdSort, HouseholdState, ImportSummary, InputProblem,
    LedgerId, MemberId, Month, NeedCategory, NeedId, NeedStatus, NewDonation, NewHousehold,
    NewNeed, NewPerson, NewPlanStep, NewTask, NoteId, OverAllocation, PersonId, PossibleDuplicate,
    Priority, ProviderId, ReferralId, ReferralStatus, ReferralToFollowUp, Relationship, Role,
    Sector, StepId, StepStatus, TaskId, TaskItem, TaskKind, TaskStatus, Timestamp, Urgency,
    VulnerabilityFlags,
};

use crate::error::JiranError;

/// Identifiers of documents (antenna, household, ledger): checked when they cross in.
macro_rules! document_ids {
    ($($id:ident),+) => {$(
        uniffi::custom_type!($id, String, {
            remote,
            lower: |id| id.to_string(),
            try_lift: |text| text.parse::<$id>().map_err(|_| {
                JiranError::InvalidInput {
                    field: stringify!($id).to_owned(),
                    problem: InputProblem::NotAnId,
                    detail: format!("{} is not a valid {}", text, stringify!($id)),
                }
                .into()
            }),
        });
    )+};
}

/// Identifiers of records inside documents (need, note, member, ...): any string.
macro_rules! record_ids {
    ($($id:ident),+) => {$(
        uniffi::custom_type!($id, String, {
            remote,
            lower: |id| id.as_str().to_owned(),
            try_lift: |text| Ok($id::from(text)),
        });
    )+};
}

document_ids!(AntennaId, HouseholdId, LedgerId);
record_ids!(
    MemberId,
    PersonId,
    NeedId,
    FactorId,
    StepId,
    ReferralId,
    GrievanceId,
    NoteId,
    ProviderId,
    DonationId,
    DeliveryId,
    HandoverId,
    TaskId
);

// Milliseconds since the Unix epoch, UTC.
uniffi::custom_type!(Timestamp, i64, {
    remote,
    lower: |at| at.millis(),
    try_lift: |millis| Ok(Timestamp(millis)),
});

#[uniffi::remote(Enum)]
pub enum Role {
    Lead,
    Volunteer,
    Observer,
}

#[uniffi::remote(Enum)]
pub enum NeedCategory {
    Food,
    Rent,
    Medical,
    Utilities,
    Education,
    DigitalEquipment,
    Other,
}

#[uniffi::remote(Enum)]
pub enum Urgency {
    Low,
    Medium,
    High,
    Critical,
}

#[uniffi::remote(Enum)]
pub enum NeedStatus {
    Open,
    InProgress,
    Met,
    Closed,
}

#[uniffi::remote(Enum)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

#[uniffi::remote(Enum)]
pub enum Sector {
    Public,
    Private,
    NonProfit,
    Religious,
}

#[uniffi::remote(Enum)]
pub enum Relationship {
    Head,
    Spouse,
    Child,
    Parent,
    Sibling,
    Grandchild,
    Other,
}

#[uniffi::remote(Enum)]
pub enum StepStatus {
    Todo,
    Doing,
    Done,
    Dropped,
}

#[uniffi::remote(Enum)]
pub enum ReferralStatus {
    Proposed,
    Accepted,
    Done,
    Declined,
}

#[uniffi::remote(Enum)]
pub enum GrievanceStatus {
    Open,
    InReview,
    Resolved,
    Dismissed,
}

#[uniffi::remote(Enum)]
pub enum DonationStatus {
    Pledged,
    Received,
}

#[uniffi::remote(Enum)]
pub enum FactorKind {
    NoPapers,
    NoPhone,
    NoBankAccount,
    Mobility,
    Literacy,
    Stigma,
    Other,
}

#[uniffi::remote(Enum)]
pub enum TaskKind {
    Visit,
    Call,
    Delivery,
}

#[uniffi::remote(Enum)]
pub enum TaskStatus {
    Open,
    Done,
    Cancelled,
}

#[uniffi::remote(Enum)]
pub enum HouseholdState {
    Active,
    Graduated,
    MovedAway,
    Merged,
}

#[uniffi::remote(Enum)]
pub enum HandoverFormat {
    Csv,
    HxlCsv,
    Json,
}

#[uniffi::remote(Enum)]
pub enum HouseholdSort {
    Priority,
    Newest,
    Name,
}

#[uniffi::remote(Enum)]
pub enum Gift {
    Money {
        amount_minor: u64,
        currency: String,
    },
    Goods {
        item: String,
        quantity: u64,
        unit: String,
    },
    Service {
        kind: String,
        hours: u64,
    },
}

// The language a transparency report or a delivery receipt is written in.
use jiran_core::Language;

#[uniffi::remote(Enum)]
pub enum Language {
    English,
    French,
    Arabic,
}

#[uniffi::remote(Enum)]
pub enum DuplicateReason {
    SamePhone,
    SimilarName,
    SameLandmark,
    SameSize,
}

#[uniffi::remote(Record)]
pub struct VulnerabilityFlags {
    pub elderly: bool,
    pub disability: bool,
    pub chronic_illness: bool,
    pub child_under_five: bool,
    pub pregnant: bool,
    pub lost_informal_income: bool,
}

#[uniffi::remote(Record)]
pub struct Coordinates {
    pub latitude: f64,
    pub longitude: f64,
}

#[uniffi::remote(Record)]
pub struct NewPerson {
    pub name: String,
    pub birth_year: Option<u16>,
    pub relationship: Relationship,
    pub flags: VulnerabilityFlags,
}

#[uniffi::remote(Record)]
pub struct NewHousehold {
    pub members: Vec<NewPerson>,
    pub phone: Option<String>,
    pub address: String,
    pub coordinates: Option<Coordinates>,
    pub keep_data: bool,
    pub share_with_municipality: bool,
    pub contact_by_phone: bool,
    pub priority: Priority,
    pub shock: Option<String>,
}

#[uniffi::remote(Record)]
pub struct NewNeed {
    pub category: NeedCategory,
    pub description: String,
    pub urgency: Urgency,
}

#[uniffi::remote(Record)]
pub struct NewPlanStep {
    pub description: String,
    pub owner: Option<MemberId>,
    pub due: Option<String>,
}

#[uniffi::remote(Record)]
pub struct NewTask {
    pub kind: TaskKind,
    pub assigned_to: MemberId,
    pub due: Timestamp,
    pub note: Option<String>,
}

#[uniffi::remote(Record)]
pub struct NewDonation {
    pub gift: Gift,
    pub donor: Option<String>,
    pub custodian: Option<MemberId>,
    pub status: DonationStatus,
    pub restricted_to: Option<NeedCategory>,
    pub recorded_at: Option<Timestamp>,
}

#[uniffi::remote(Record)]
pub struct HouseholdFilter {
    pub state: Option<HouseholdState>,
    pub min_priority: Option<Priority>,
    pub need: Option<NeedCategory>,
    pub assigned_to: Option<MemberId>,
    pub sort: HouseholdSort,
    pub limit: Option<u32>,
}

#[uniffi::remote(Record)]
pub struct HouseholdListItem {
    pub id: HouseholdId,
    pub head_name: Option<String>,
    pub state: HouseholdState,
    pub priority: Priority,
    pub size: u32,
    pub open_needs: Vec<NeedCategory>,
    pub assigned_to: Option<MemberId>,
    pub registered_at: Timestamp,
}

#[uniffi::remote(Record)]
pub struct DonationBalance {
    pub id: DonationId,
    pub kind: String,
    pub unit: String,
    pub item: Option<String>,
    pub status: DonationStatus,
    pub restricted_to: Option<NeedCategory>,
    pub amount: u64,
    pub delivered: u64,
    pub remaining: u64,
    pub households_reached: u32,
}

#[uniffi::remote(Record)]
pub struct OverAllocation {
    pub donation: DonationId,
    pub unit: String,
    pub amount: u64,
    pub allocated: u64,
    pub deliveries: Vec<DeliveryId>,
}

#[uniffi::remote(Record)]
pub struct PossibleDuplicate {
    pub keep: HouseholdId,
    pub other: HouseholdId,
    pub score: u8,
    pub reasons: Vec<DuplicateReason>,
}

#[uniffi::remote(Record)]
pub struct GrievanceToAnswer {
    pub household: HouseholdId,
    pub grievance: GrievanceId,
    pub category: String,
    pub status: GrievanceStatus,
    pub raised_at: Timestamp,
    pub days_waiting: u32,
    pub anonymous: bool,
}

#[uniffi::remote(Record)]
pub struct ReferralToFollowUp {
    pub household: HouseholdId,
    pub referral: ReferralId,
    pub provider: ProviderId,
    pub status: ReferralStatus,
    pub updated_at: Timestamp,
    pub days_without_news: u32,
}

#[uniffi::remote(Record)]
pub struct HandoverFilter {
    pub state: Option<HouseholdState>,
    pub min_priority: Option<Priority>,
    pub need: Option<NeedCategory>,
    pub registered_since: Option<Timestamp>,
}

#[uniffi::remote(Record)]
pub struct Handover {
    pub id: HandoverId,
    pub bytes: Vec<u8>,
    pub households: u32,
}

#[uniffi::remote(Record)]
pub struct ImportSummary {
    pub added: u32,
    pub updated: u32,
    pub skipped: u32,
}

#[uniffi::remote(Record)]
pub struct TaskItem {
    pub household: HouseholdId,
    pub task: TaskId,
    pub kind: TaskKind,
    pub due: Timestamp,
    pub overdue: bool,
    pub days_overdue: u32,
    pub days_left: u32,
    pub priority: Priority,
    pub note: Option<String>,
}

/// A calendar month (UTC): the period of a ledger and of a delivery list.
#[uniffi::remote(Record)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
}

/// What one donation gave a delivery (see `jiran_core::FundingLine`).
#[uniffi::remote(Record)]
pub struct FundingLine {
    pub donation: DonationId,
    pub amount: u64,
    pub kind: Option<String>,
    pub unit: Option<String>,
    pub item: Option<String>,
}

/// A delivery as lists and receipts show it: the household by its code only (see
/// `jiran_core::DeliveryLine`).
#[uniffi::remote(Record)]
pub struct DeliveryLine {
    pub id: DeliveryId,
    pub delivery_code: Option<String>,
    pub category: NeedCategory,
    pub description: String,
    pub given: Vec<FundingLine>,
    pub delivered_by: MemberId,
    pub delivered_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub code_confirmed: bool,
}

#[uniffi::remote(Enum)]
pub enum InputProblem {
    Empty,
    TooLong { max: u32 },
    NotOneLine,
    ControlCharacters,
    OutOfRange { min: i64, max: i64 },
    NotPositive,
    TooLarge,
    NotAnAmount,
    TooManyDecimals { decimals: u32 },
    NotADate,
    NotAMonth,
    InTheFuture,
    DueOutOfRange,
    FromAfterTo,
    PhoneCharacters,
    PhoneDigits,
    NationalIdCharacters,
    NationalIdLength,
    NotACurrency,
    NotARelayAddress,
    NotAnId,
    NotADeviceKey,
    NotAFederationKey,
    NoFederationKey,
    NoConsent,
    WithdrawalMeansErasure,
    NoMembers,
    TooManyMembers,
    MergeIsItsOwnAction,
    MergeIntoItself,
    MergeAcrossAntennas,
    KeepIsMerged,
    AlreadyMerged,
    HouseholdMerged,
    ObserverAssigned,
    TaskClosed,
    NoFunding,
    SameDonation,
    NotFundingThisDelivery,
    MoreThanFunded,
    OtherKindOfGift,
    NotADeliveryCode,
    NoDeliveryCode,
    WrongDeliveryCode,
    NoFreeDeliveryCode,
}
