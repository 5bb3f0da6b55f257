package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.jiran.core.AntennaId
import org.jiran.core.DonationBalance
import org.jiran.core.DonationStatus
import org.jiran.core.Funding
import org.jiran.core.HouseholdDetail
import org.jiran.core.HouseholdId
import org.jiran.core.InputProblem
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.NeedCategory
import org.jiran.core.NewDelivery
import org.jiran.core.NewNeed
import org.jiran.core.StoreChange
import org.jiran.core.Urgency
import org.jiran.core.moneyFromText
import org.jiran.core.moneyText

data class HouseholdDetailState(
    val household: HouseholdDetail? = null,
    /** Received donations with something left, to fund a delivery from. */
    val donations: List<DonationBalance> = emptyList(),
    val error: JiranException? = null,
)

/**
 * One household: profile, needs, plan, notes and deliveries, and the actions a volunteer
 * takes at the door. Follows merges from other phones while open.
 */
class HouseholdDetailViewModel(
    private val store: JiranStoreInterface,
    private val antenna: AntennaId,
    private val household: HouseholdId,
    scope: CoroutineScope,
) : AutoCloseable {
    private val state = MutableStateFlow(HouseholdDetailState())
    val ui: StateFlow<HouseholdDetailState> = state.asStateFlow()
    private val following: Job

    init {
        reload()
        following = store.reloadOnChanges(scope, ::concerns, ::reload)
    }

    fun addNeed(category: NeedCategory, description: String, urgency: Urgency): Boolean =
        act { store.addNeed(household, NewNeed(category, description, urgency)) }

    fun addNote(text: String): Boolean = act { store.addNote(household, text) }

    /**
     * Records a delivery funded by [typed] of [donation], as the volunteer typed it: money in
     * major units ("50", "12,5", "١٢٫٥"; the core converts), goods and hours as whole numbers.
     * Refused, with [HouseholdDetailState.error] set, if the amount is unreadable or the
     * donation has too little left.
     */
    fun recordDelivery(category: NeedCategory, description: String, donation: String, typed: String): Boolean =
        act {
            val balance = state.value.donations.first { it.id == donation }
            store.recordDelivery(antenna, NewDelivery(
                household = household,
                category = category,
                description = description,
                funding = listOf(Funding(donation, amountOf(balance, typed))),
                deliveredAt = null,
            ))
        }

    override fun close() = following.cancel()

    private fun concerns(change: StoreChange): Boolean = when (change) {
        is StoreChange.Household -> change.household == household
        // Reloading an erased household shows that it is gone.
        is StoreChange.HouseholdErased -> change.household == household
        is StoreChange.Ledger -> change.antenna == antenna
        is StoreChange.Antenna -> false
        is StoreChange.Many -> true
    }

    private fun act(action: () -> Unit): Boolean = try {
        action()
        reload()
        true
    } catch (e: JiranException) {
        state.update { it.copy(error = e) }
        false
    }

    private fun reload() {
        try {
            val detail = store.household(household)
            val usable = store.donationBalances(antenna).filter {
                it.status == DonationStatus.RECEIVED && it.remaining > 0u
            }
            state.update { it.copy(household = detail, donations = usable, error = null) }
        } catch (e: JiranException) {
            state.update { it.copy(error = e) }
        }
    }
}

/** What [balance] has left as people read it: money in major units with its currency, goods in their unit. */
fun remainingText(balance: DonationBalance): String = when (balance.kind) {
    "money" -> moneyText(balance.remaining, balance.unit) + " " + balance.unit
    else -> "${balance.remaining} ${balance.unit}"
}

/** [typed] as an amount of [balance]'s unit: money through the core's conversion, goods and hours as whole numbers. */
private fun amountOf(balance: DonationBalance, typed: String): ULong = when (balance.kind) {
    "money" -> moneyFromText(typed, balance.unit)
    else -> typed.trim().toULongOrNull()
        ?: throw JiranException.InvalidInput("amount", InputProblem.NotAnAmount, "amount: must be a whole number")
}
