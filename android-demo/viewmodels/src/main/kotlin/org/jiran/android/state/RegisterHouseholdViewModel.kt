package org.jiran.android.state

import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdId
import org.jiran.core.InputProblem
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.NewHousehold
import org.jiran.core.NewPerson
import org.jiran.core.Priority
import org.jiran.core.Relationship
import org.jiran.core.VulnerabilityFlags

/** Someone else in the household, as typed so far (the head is the form's own fields). */
data class MemberForm(
    val name: String = "",
    val birthYear: String = "",
    val relationship: Relationship = Relationship.CHILD,
)

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
    /** The other members, in the order typed; rows left without a name are not recorded. */
    val others: List<MemberForm> = emptyList(),
)

data class RegisterState(
    val form: RegisterForm = RegisterForm(),
    /** Why the last attempt was refused (the field named by the core); null otherwise. */
    val error: JiranException? = null,
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

    /** Adds an empty row for another member of the household. */
    fun addMember() = edit { it.copy(others = it.others + MemberForm()) }

    /** Changes the [index]th other member's row. */
    fun editMember(index: Int, change: (MemberForm) -> MemberForm) =
        edit { form -> form.copy(others = form.others.mapIndexed { i, m -> if (i == index) change(m) else m }) }

    /** Records the household; returns its id, or null with [RegisterState.error] set. */
    fun register(): HouseholdId? {
        val form = state.value.form
        val head = NewPerson(form.headName, (year(form.birthYear) ?: return null).getOrNull(), Relationship.HEAD, form.flags)
        val others = form.others.filter { it.name.isNotBlank() }.map { other ->
            NewPerson(other.name, (year(other.birthYear) ?: return null).getOrNull(), other.relationship, NO_FLAGS)
        }
        return try {
            val id = store.registerHousehold(antenna, NewHousehold(
                members = listOf(head) + others,
                phone = form.phone.trim().ifEmpty { null },
                address = form.address.trim(),
                coordinates = null,
                keepData = form.consentKeepData,
                shareWithMunicipality = form.consentShareWithMunicipality,
                contactByPhone = form.consentContactByPhone,
                priority = form.priority,
                shock = form.shock.trim().ifEmpty { null },
            ))
            state.update { it.copy(registered = id, error = null) }
            id
        } catch (e: JiranException) {
            state.update { it.copy(error = e) }
            null
        }
    }

    /**
     * A typed year of birth: success with null when left empty, null (with the error shown) when
     * it is not a number; the core judges whether the year is plausible.
     */
    private fun year(typed: String): Result<UShort?>? {
        val trimmed = typed.trim()
        if (trimmed.isEmpty()) return Result.success(null)
        return trimmed.toUShortOrNull()?.let { Result.success(it) } ?: run {
            val thisYear = java.time.Year.now().value.toLong()
            state.update { s ->
                s.copy(error = JiranException.InvalidInput("birth_year", InputProblem.OutOfRange(1900L, thisYear),
                    "birth_year: must be a year like 1961"))
            }
            null
        }
    }

    private companion object {
        val NO_FLAGS = VulnerabilityFlags(
            elderly = false, disability = false, chronicIllness = false,
            childUnderFive = false, pregnant = false, lostInformalIncome = false,
        )
    }
}
