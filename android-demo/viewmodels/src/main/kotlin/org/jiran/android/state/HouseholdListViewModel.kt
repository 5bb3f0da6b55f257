package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdFilter
import org.jiran.core.HouseholdListItem
import org.jiran.core.HouseholdSort
import org.jiran.core.HouseholdState
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.NeedCategory
import org.jiran.core.Priority
import org.jiran.core.StoreChange

/** The household list: search text, filters and the lines shown. */
data class HouseholdListState(
    val query: String = "",
    val minPriority: Priority? = null,
    val need: NeedCategory? = null,
    val households: List<HouseholdListItem> = emptyList(),
    val error: JiranException? = null,
)

/**
 * The volunteer's main screen. Typing searches by name or phone (any script); otherwise the
 * active households are listed by priority, filtered by priority and open need. The list
 * follows the store: households merged from other phones appear without a refresh.
 */
class HouseholdListViewModel(
    private val store: JiranStoreInterface,
    private val antenna: AntennaId,
    private val scope: CoroutineScope,
) : AutoCloseable {
    private val state = MutableStateFlow(HouseholdListState())
    val ui: StateFlow<HouseholdListState> = state.asStateFlow()
    private val following: Job

    init {
        reload()
        following = store.reloadOnChanges(scope, ::concerns, ::reload)
    }

    fun onQuery(text: String) {
        state.update { it.copy(query = text) }
        reload()
    }

    fun onMinPriority(priority: Priority?) {
        state.update { it.copy(minPriority = priority) }
        reload()
    }

    fun onNeed(need: NeedCategory?) {
        state.update { it.copy(need = need) }
        reload()
    }

    /** Stops following the store (the screen left). */
    override fun close() = following.cancel()

    private fun concerns(change: StoreChange): Boolean = when (change) {
        is StoreChange.Antenna -> change.antenna == antenna
        is StoreChange.Household -> change.antenna == antenna
        is StoreChange.HouseholdErased -> change.antenna == antenna
        is StoreChange.Ledger -> false
        is StoreChange.Many -> true
    }

    private fun reload() {
        val current = state.value
        try {
            val found = if (current.query.isNotBlank()) {
                store.search(antenna, current.query, SEARCH_LIMIT).filter { line ->
                    (current.minPriority == null || line.priority >= current.minPriority) &&
                        (current.need == null || current.need in line.openNeeds)
                }
            } else {
                store.households(antenna, HouseholdFilter(
                    state = HouseholdState.ACTIVE,
                    minPriority = current.minPriority,
                    need = current.need,
                    assignedTo = null,
                    sort = HouseholdSort.PRIORITY,
                    limit = null,
                ))
            }
            state.update { it.copy(households = found, error = null) }
        } catch (e: JiranException) {
            state.update { it.copy(error = e) }
        }
    }

    private companion object {
        const val SEARCH_LIMIT = 50u
    }
}
