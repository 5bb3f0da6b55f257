package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import org.jiran.core.AntennaId
import org.jiran.core.JiranStoreInterface

/** The sync line shown above every screen once the phone has joined [antenna]. */
class SyncStatusViewModel(
    private val store: JiranStoreInterface,
    private val antenna: AntennaId,
    scope: CoroutineScope,
) : AutoCloseable {
    private val state = MutableStateFlow(store.syncStatus(antenna)?.let(SyncBanner::of) ?: SyncBanner.STARTING)
    val ui: StateFlow<SyncBanner> = state.asStateFlow()
    private val following: Job = scope.launch {
        store.signals().collect { signal ->
            if (signal is StoreSignal.Sync && signal.status.antenna == antenna) {
                state.value = SyncBanner.of(signal.status)
            }
        }
    }

    /** Pull to refresh: try now instead of waiting out the retry delay. */
    fun syncNow() = store.syncNow()

    override fun close() = following.cancel()
}
