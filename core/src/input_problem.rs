//! What is wrong with an input, as a code an app can say in any language.
//!
//! [`crate::Error::Invalid`] names the field and one of these. The English sentence of each
//! (its `Display`) is the core's fallback; apps in French or Arabic match on the variant
//! instead. A problem never carries the value typed: values may be personal data, and errors
//! may travel to logs and other devices.

/// Why a value was refused. Exhaustive on purpose: an app that says problems in its own
/// words fails to build when a new one appears, until it is given words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InputProblem {
    // --- Any text ---
    /// A required value is missing or blank.
    #[error("must not be empty")]
    Empty,
    /// A text is longer than allowed.
    #[error("is too long ({max} characters at most)")]
    TooLong {
        /// The most characters allowed.
        max: u32,
    },
    /// A name or other one-line value holds a line break or control character.
    #[error("must be a single line without control characters")]
    NotOneLine,
    /// A free text holds control characters other than line breaks and tabs.
    #[error("contains control characters")]
    ControlCharacters,

    // --- Numbers, dates, places ---
    /// A number outside its range (a year of birth, a position, a count).
    #[error("must be between {min} and {max}")]
    OutOfRange {
        /// The smallest value allowed.
        min: i64,
        /// The largest value allowed.
        max: i64,
    },
    /// An amount or quantity of zero.
    #[error("must be greater than zero")]
    NotPositive,
    /// An amount too large to record.
    #[error("is too large")]
    TooLarge,
    /// Not an amount a person writes, like `12.5`.
    #[error("must be an amount written with digits, like 12.5")]
    NotAnAmount,
    /// An amount with more decimals than its currency has.
    #[error("has more decimals than its currency has ({decimals})")]
    TooManyDecimals {
        /// The currency's decimals (3 for TND, 2 for EUR, 0 for JPY).
        decimals: u32,
    },
    /// Not a date `YYYY-MM-DD`.
    #[error("must be a date written YYYY-MM-DD")]
    NotADate,
    /// Not a month `YYYY-MM`.
    #[error("must be a month written YYYY-MM")]
    NotAMonth,
    /// A date after today where only the past makes sense.
    #[error("is in the future")]
    InTheFuture,
    /// A task's due date too far in the past or the future.
    #[error("must be between a week ago and a year from now")]
    DueOutOfRange,
    /// The start of a period after its end.
    #[error("must not be after `to`")]
    FromAfterTo,

    // --- Identifiers people type ---
    /// A phone number with characters other than digits, spaces, dashes, dots, brackets and a
    /// leading `+`.
    #[error("may contain only digits, spaces, dashes, dots, brackets and a leading +")]
    PhoneCharacters,
    /// A phone number with too few or too many digits.
    #[error("must have between 6 and 20 digits")]
    PhoneDigits,
    /// A national ID with characters other than letters, digits, spaces, dashes and dots.
    #[error("may contain only letters, digits, spaces, dashes and dots")]
    NationalIdCharacters,
    /// A national ID with too few or too many letters and digits.
    #[error("must have between 4 and 20 letters and digits")]
    NationalIdLength,
    /// Not an ISO 4217 currency code.
    #[error("must be an ISO 4217 code of three capital letters, like TND or EUR")]
    NotACurrency,
    /// A relay address that is not `http://` or `https://`.
    #[error("must start with http:// or https://")]
    NotARelayAddress,
    /// Not an identifier of the kind expected (an app passed something else).
    #[error("is not a valid identifier")]
    NotAnId,
    /// Not a device's public key.
    #[error("is not a device's public key")]
    NotADeviceKey,
    /// Not a federation key.
    #[error("is not a federation key; copy it again from the lead who made it")]
    NotAFederationKey,
    /// Checking other antennas needs the federation key first.
    #[error("enter the key your antennas share first")]
    NoFederationKey,

    // --- Households ---
    /// Registration without the household's consent to keep its data.
    #[error("the household must agree that the antenna keeps its data")]
    NoConsent,
    /// Withdrawing consent to keep data is done by erasing the household.
    #[error("withdrawing consent to keep data means erasing the household")]
    WithdrawalMeansErasure,
    /// A household with nobody in it.
    #[error("a household has at least one person")]
    NoMembers,
    /// More people than one household holds.
    #[error("too many people in one household")]
    TooManyMembers,
    /// Setting the status `merged` by hand.
    #[error("merging households is its own action")]
    MergeIsItsOwnAction,
    /// Merging a household into itself.
    #[error("a household cannot be merged into itself")]
    MergeIntoItself,
    /// Merging households of two antennas.
    #[error("households of two antennas cannot be merged")]
    MergeAcrossAntennas,
    /// Keeping a household that is itself merged into another.
    #[error("this household is itself merged into another")]
    KeepIsMerged,
    /// Merging a household already merged into another.
    #[error("this household is already merged into another")]
    AlreadyMerged,
    /// Delivering to a household merged into another.
    #[error("was merged into another household; deliver to that one")]
    HouseholdMerged,

    // --- Tasks ---
    /// Assigning a task to an observer, who cannot record its outcome.
    #[error("is an observer, who cannot record the outcome; choose a volunteer or a lead")]
    ObserverAssigned,
    /// Changing a task already done or cancelled.
    #[error("is already done or cancelled")]
    TaskClosed,

    // --- Donations and deliveries ---
    /// A delivery without a donation that pays for it.
    #[error("name at least one donation that pays for it")]
    NoFunding,
    /// Moving funding from a donation to itself.
    #[error("must be another donation than the one the funding moves from")]
    SameDonation,
    /// Moving funding from a donation that does not fund the delivery.
    #[error("does not fund this delivery; pick one of the donations it lists")]
    NotFundingThisDelivery,
    /// Moving more than the donation gives the delivery.
    #[error("is more than that donation gives this delivery")]
    MoreThanFunded,
    /// Moving funding between different kinds of gift.
    #[error(
        "is another kind of gift: funding moves only between donations of the same currency, \
         goods item and unit, or service"
    )]
    OtherKindOfGift,
    /// Not a delivery code (six letters and digits, like `K7M-4PQ`).
    #[error("must be the six letters and digits of the household's delivery code, like K7M-4PQ")]
    NotADeliveryCode,
    /// Confirming with a code before the household has one.
    #[error(
        "the household has no delivery code yet: issue one, give it to the household, then confirm"
    )]
    NoDeliveryCode,
    /// A code that is not the household's.
    #[error("does not match this delivery's household")]
    WrongDeliveryCode,
    /// No unused delivery code could be drawn (vanishingly rare).
    #[error("no free delivery code was found; try again")]
    NoFreeDeliveryCode,
}
