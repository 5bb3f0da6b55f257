package org.jiran.screens.words

import org.jiran.core.DonationProblem
import org.jiran.core.InputProblem
import org.jiran.core.InputProblem.*
import org.jiran.core.Missing
import org.jiran.core.Role

internal val EnglishErrors = ErrorWords(
    field = { name ->
        when (name) {
            "name", "display_name" -> "Name"
            "device_name" -> "Phone's name"
            "phone" -> "Phone"
            "address" -> "Address"
            "landmark" -> "Landmark"
            "national_id" -> "National ID"
            "birth_year" -> "Year of birth"
            "amount" -> "Amount"
            "description" -> "What was given"
            "text", "note" -> "Note"
            "outcome" -> "Outcome"
            "code", "delivery_code" -> "Delivery code"
            "relay_url" -> "Relay address"
            "members" -> "Members"
            "keep_data" -> "Consent"
            "funding" -> "Donation"
            "due" -> "Due date"
            "assigned_to" -> "Assignee"
            else -> null
        }
    },
    problem = { p ->
        when (p) {
            is Empty -> "must not be empty"
            is TooLong -> "is too long (${p.max} characters at most)"
            is NotOneLine -> "must be on one line"
            is ControlCharacters -> "contains characters that cannot be shown"
            is OutOfRange -> "must be between ${p.min} and ${p.max}"
            is NotPositive -> "must be more than zero"
            is TooLarge -> "is too large"
            is NotAnAmount -> "must be an amount written with digits, like 12.5"
            is TooManyDecimals -> if (p.decimals == 0u) "must be a whole amount" else "has too many decimals (${p.decimals} at most)"
            is NotADate -> "must be a date like 2026-03-31"
            is NotAMonth -> "must be a month like 2026-03"
            is InTheFuture -> "cannot be in the future"
            is DueOutOfRange -> "must be between a week ago and a year from now"
            is FromAfterTo -> "the first month must not be after the last"
            is PhoneCharacters -> "may contain only digits, spaces, dashes and a leading +"
            is PhoneDigits -> "must have between 6 and 20 digits"
            is NationalIdCharacters -> "may contain only letters, digits, spaces and dashes"
            is NationalIdLength -> "must have between 4 and 20 letters and digits"
            is NotACurrency -> "must be a currency code like TND or EUR"
            is NotARelayAddress -> "must start with http:// or https://"
            is NotAnId -> "is not valid here; go back and try again"
            is NotADeviceKey -> "is not a phone's key"
            is NotAFederationKey -> "is not a federation key; copy it again from the lead who made it"
            is NoFederationKey -> "enter the key your antennas share first"
            is NoConsent -> "the family must agree that the antenna keeps its data"
            is WithdrawalMeansErasure -> "to withdraw consent, erase the household"
            is NoMembers -> "add at least one person"
            is TooManyMembers -> "too many people in one household"
            is MergeIsItsOwnAction -> "use Merge on the possible duplicates"
            is MergeIntoItself -> "a household cannot be merged into itself"
            is MergeAcrossAntennas -> "households of two antennas cannot be merged"
            is KeepIsMerged -> "this household is itself merged into another"
            is AlreadyMerged -> "this household is already merged into another"
            is HouseholdMerged -> "this household was merged into another; deliver to that one"
            is ObserverAssigned -> "an observer cannot record the outcome; choose a volunteer or a lead"
            is TaskClosed -> "this task is already done or cancelled"
            is NoFunding -> "choose the donation that pays for it"
            is SameDonation -> "choose another donation"
            is NotFundingThisDelivery -> "this donation does not pay for this delivery"
            is MoreThanFunded -> "is more than that donation gives this delivery"
            is OtherKindOfGift -> "funding moves only between donations of the same kind"
            is NotADeliveryCode -> "must be the household's six-character code, like K7M-4PQ"
            is NoDeliveryCode -> "the household has no delivery code yet: issue one first"
            is WrongDeliveryCode -> "this is not the household's code"
            is NoFreeDeliveryCode -> "no free code was found; try again"
        }
    },
    fieldProblem = { f, p -> "$f: $p" },
    fileRefused = "This file cannot be imported. Nothing was imported.",
    notFound = { m ->
        when (m) {
            Missing.ANTENNA -> "This antenna is not on this phone."
            Missing.HOUSEHOLD -> "This household is not on this phone yet. Sync, then try again."
            Missing.DONATION -> "This donation is not on this phone yet. Sync, then try again."
            Missing.DELIVERY -> "This delivery is not on this phone yet. Sync, then try again."
            Missing.MEMBER -> "This person is not a member of the antenna."
            Missing.RECORD -> "This is not on this phone any more. Go back to the list."
        }
    },
    erased = "This household was erased; nothing more can be recorded about it.",
    notPermitted = { role ->
        when (role) {
            null -> "This phone is not a member of the antenna."
            Role.LEAD -> "Not even a lead may do this."
            Role.VOLUNTEER -> "A volunteer may not do this: ask your lead."
            Role.OBSERVER -> "An observer may not do this: ask your lead."
        }
    },
    lastLead = "The antenna needs at least one lead: make another member a lead first.",
    donation = { d ->
        when (d) {
            DonationProblem.TOO_LITTLE_LEFT -> "This donation has too little left."
            DonationProblem.NOT_RECEIVED -> "This donation is pledged, not received yet."
            DonationProblem.RESTRICTED -> "This donation may only pay for another need."
        }
    },
    inviteRefused = "This invite is unknown, used or expired: ask your lead for a new one.",
    needsNewInvite = "The relay no longer knows this phone: ask your lead for a new invite.",
    relayUnreachable = "The relay cannot be reached. Check the connection and try again.",
    relayProblem = "The relay answered something unexpected: check its address or tell its operator.",
    updateTheApp = "This phone holds data from a newer Jiran: update the app.",
    storage = "This phone could not save: check its free space.",
    internal = "Something went wrong in Jiran. Please report it.",
)
