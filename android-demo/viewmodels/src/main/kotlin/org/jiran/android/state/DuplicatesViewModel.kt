package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdDetail
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.PossibleDuplicate
import org.jiran.core.StoreChange

/** A pair the core suspects is one family registered twice, with both households to compare. */
data class DuplicatePair(val suspicion: PossibleDuplicate, val keep: HouseholdDetail, val other: HouseholdDetail)

data class DuplicatesState(
    /** Most likely first (the core's order). */
    val pairs: List<DuplicatePair> = emptyList(),
    val error: JiranException? = null,
)

/**
 * The lead's list of possible duplicates: two volunteers who registered the same family
 * offline, side by side, merged with one action (nothing of the merged household is lost;
 * the core keeps its needs, notes and deliveries under the kept one).
 */
class DuplicatesViewModel(
    private val store: JiranStoreInterface,
    private val antenna: AntennaId,
    scope: CoroutineScope,
) : AutoCloseable {
    private val state = MutableStateFlow(DuplicatesState())
    val ui: StateFlow<DuplicatesState> = state.asStateFlow()
    private val following: Job

    init {
        reload()
        following = store.reloadOnChanges(scope, ::concerns, ::reload)
    }

    /** Merges [pair]'s other household into the one the core proposes to keep (leads only). */
    fun merge(pair: DuplicatePair): Boolean = try {
        store.mergeHouseholds(pair.suspicion.keep, pair.suspicion.other)
        reload()
        true
    } catch (e: JiranException) {
        state.update { it.copy(error = e) }
        false
    }

    override fun close() = following.cancel()

    private fun concerns(change: StoreChange): Boolean = when (change) {
        is StoreChange.Household -> change.antenna == antenna
        is StoreChange.HouseholdErased -> change.antenna == antenna
        is StoreChange.Many -> true
        is StoreChange.Antenna, is StoreChange.Ledger -> false
    }

    private fun reload() {
        try {
            val pairs = store.possibleDuplicates(antenna).map {
                DuplicatePair(it, store.household(it.keep), store.household(it.other))
            }
            state.update { it.copy(pairs = pairs, error = null) }
        } catch (e: JiranException) {
            state.update { it.copy(error = e) }
        }
    }
}
