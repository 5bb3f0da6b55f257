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
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.NeedCategory
import org.jiran.core.NewDelivery
import org.jiran.core.NewNeed
import org.jiran.core.StoreChange
import org.jiran.core.Urgency

data class HouseholdDetailState(
    val household: HouseholdDetail? = null,
    /** Received donations with something left, to fund a delivery from. */
    val donations: List<DonationBalance> = emptyList(),
    val error: String? = null,
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

    /** Records a delivery funded by [amount] of [donation]; refused if it has too little left. */
    fun recordDelivery(category: NeedCategory, description: String, donation: String, amount: ULong): Boolean =
        act {
            store.recordDelivery(antenna, NewDelivery(
                household = household,
                category = category,
                description = description,
                funding = listOf(Funding(donation, amount)),
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
        state.update { it.copy(error = e.message) }
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
            state.update { it.copy(error = e.message) }
        }
    }
}
