package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow
import kotlinx.coroutines.launch
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

/**
 * Calls [reload] after every change on disk that [concerns] the screen, while [scope] lives
 * (or until the returned job is cancelled): what another phone merged appears without a
 * refresh.
 */
fun JiranStoreInterface.reloadOnChanges(
    scope: CoroutineScope,
    concerns: (StoreChange) -> Boolean,
    reload: () -> Unit,
): Job = scope.launch {
    signals().collect { signal -> if (signal is StoreSignal.Changed && concerns(signal.change)) reload() }
}
