package org.jiran.android.state

import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import org.jiran.core.JiranStoreInterface
import org.jiran.core.StoreChange
import org.jiran.core.StoreObserver
import org.jiran.core.SyncStatus

/** What the store reports, as one stream the screens can collect. */
sealed interface StoreSignal {
    data class Changed(val change: StoreChange) : StoreSignal
    data class Sync(val status: SyncStatus) : StoreSignal
}

/**
 * Every change on disk and every sync status of [this] store, for as long as the flow is
 * collected. The subscription ends when the collector stops.
 */
fun JiranStoreInterface.signals(): Flow<StoreSignal> = callbackFlow {
    val subscription = observe(object : StoreObserver {
        override fun onChange(change: StoreChange) {
            trySend(StoreSignal.Changed(change))
        }

        override fun onSyncStatus(status: SyncStatus) {
            trySend(StoreSignal.Sync(status))
        }
    })
    awaitClose { subscription.cancel() }
}
