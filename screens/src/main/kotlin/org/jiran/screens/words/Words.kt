package org.jiran.screens.words

/**
 * Every word the screens show, in one language. A data class, so that a language missing a
 * word does not compile: adding a word means writing it in English, French and Arabic.
 *
 * The core's own sentences (its errors and the sync line) still arrive in English and are
 * shown as they are; they are the fallback until the core sends codes (issue 16, item 2).
 */
data class Words(
    val appName: String,
    val back: String,
    val save: String,
    val cancel: String,
    // Join
    val joinTitle: String,
    val joinExplain: String,
    val joinCode: String,
    val joinYourName: String,
    val joinScan: String,
    val joinButton: String,
    val joinJoining: String,
    val joinAskNewInvite: String,
    val joinCheckConnection: String,
    val joinNotAnInvite: String,
    // Household list
    val householdsTitle: String,
    val searchHint: String,
    val householdNotHereYet: String,
    val householdSize: (Int) -> String,
    val registerButton: String,
    val noHouseholds: String,
    val atLeast: (String) -> String,
    // Register
    val registerTitle: String,
    val registerHeadName: String,
    val registerBirthYear: String,
    val registerPhone: String,
    val registerAddress: String,
    val registerShock: String,
    val registerPriority: String,
    val registerConsentTitle: String,
    val registerConsentKeep: String,
    val registerConsentMunicipality: String,
    val registerConsentPhone: String,
    val registerSave: String,
    // Household
    val householdNeeds: String,
    val householdPlan: String,
    val householdNotes: String,
    val householdDeliveries: String,
    val householdAddNote: String,
    val householdRecordDelivery: String,
    val householdNoDonation: String,
    val nothingYet: String,
    val deliveryFrom: String,
    val deliveryAmount: String,
    val deliveryDescription: String,
    val deliveryAcknowledged: String,
    // Team (leads)
    val teamTitle: String,
    val teamInviteVolunteer: String,
    val teamInviteLead: String,
    val teamInviteShow: String,
    val teamInviteTerms: (uses: Int, hours: Int) -> String,
    val teamYou: String,
    val teamRemoved: String,
    val teamNoRelay: String,
    // Sync
    val syncPending: (Int) -> String,
    val syncStarting: String,
    // Vocabulary
    val priorityLow: String,
    val priorityNormal: String,
    val priorityHigh: String,
    val priorityUrgent: String,
    val needFood: String,
    val needRent: String,
    val needMedical: String,
    val needUtilities: String,
    val needEducation: String,
    val needDigitalEquipment: String,
    val needOther: String,
    val roleLead: String,
    val roleVolunteer: String,
    val roleObserver: String,
)
