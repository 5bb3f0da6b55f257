package org.jiran.android.state

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdId
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.NewHousehold
import org.jiran.core.NewPerson
import org.jiran.core.Priority
import org.jiran.core.Relationship
import org.jiran.core.VulnerabilityFlags

/** The registration form, as typed so far. */
data class RegisterForm(
    val headName: String = "",
    val birthYear: String = "",
    val phone: String = "",
    val address: String = "",
    val priority: Priority = Priority.NORMAL,
    val shock: String = "",
    val flags: VulnerabilityFlags = VulnerabilityFlags(
        elderly = false, disability = false, chronicIllness = false,
        childUnderFive = false, pregnant = false, lostInformalIncome = false,
    ),
    /** Read to the family and agreed: keep their data in the antenna (required). */
    val consentKeepData: Boolean = false,
    val consentShareWithMunicipality: Boolean = false,
    val consentContactByPhone: Boolean = false,
)

data class RegisterState(
    val form: RegisterForm = RegisterForm(),
    /** Why the last attempt was refused (the field named by the core); null otherwise. */
    val error: String? = null,
    val registered: HouseholdId? = null,
) {
    /** The consent is not a detail: the button stays off until it is given. */
    val canRegister: Boolean get() = form.consentKeepData && form.headName.isNotBlank()
}

/**
 * Registers a household with its consent. The rules (names, phone numbers, years, consent)
 * are the core's; this form only refuses to send without consent, and shows the core's
 * answer otherwise. Registration is local and immediate; sync follows in the background.
 */
class RegisterHouseholdViewModel(
    private val store: JiranStoreInterface,
    private val antenna: AntennaId,
) {
    private val state = MutableStateFlow(RegisterState())
    val ui: StateFlow<RegisterState> = state.asStateFlow()

    fun edit(change: (RegisterForm) -> RegisterForm) =
        state.update { it.copy(form = change(it.form), error = null) }

    /** Records the household; returns its id, or null with [RegisterState.error] set. */
    fun register(): HouseholdId? {
        val form = state.value.form
        if (!form.consentKeepData) {
            state.update { it.copy(error = "Ask the family for consent to keep their data first.") }
            return null
        }
        val year = form.birthYear.trim().takeIf { it.isNotEmpty() }?.let {
            it.toUShortOrNull() ?: run {
                state.update { s -> s.copy(error = "birth year: must be a year like 1961") }
                return null
            }
        }
        return try {
            val id = store.registerHousehold(antenna, NewHousehold(
                members = listOf(NewPerson(form.headName, year, Relationship.HEAD, form.flags)),
                phone = form.phone.trim().ifEmpty { null },
                address = form.address.trim(),
                coordinates = null,
                keepData = true,
                shareWithMunicipality = form.consentShareWithMunicipality,
                contactByPhone = form.consentContactByPhone,
                priority = form.priority,
                shock = form.shock.trim().ifEmpty { null },
            ))
            state.update { it.copy(registered = id, error = null) }
            id
        } catch (e: JiranException) {
            state.update { it.copy(error = e.message) }
            null
        }
    }
}
