package org.jiran.android.state

import org.jiran.core.SyncState
import org.jiran.core.SyncStatus

/** How the always-visible sync line looks. Offline is normal work, not an error. */
enum class BannerTone { CALM, BUSY, DONE, ACTION }

/** The sync line at the top of every screen. */
data class SyncBanner(
    val tone: BannerTone,
    /** The sentence from the core, in English: the fallback where a screen has no words. */
    val message: String,
    /** Changes made on this phone that the relay has not confirmed yet. */
    val pendingChanges: ULong,
    /** What sync is doing, for a screen to say in its own language; null before the first report. */
    val state: SyncState? = null,
) {
    companion object {
        /** Before the engine reported anything: the phone works offline meanwhile. */
        val STARTING = SyncBanner(BannerTone.CALM, "", 0u)

        fun of(status: SyncStatus): SyncBanner = SyncBanner(
            tone = when (status.state) {
                is SyncState.Offline -> BannerTone.CALM
                is SyncState.Connecting, is SyncState.Syncing -> BannerTone.BUSY
                is SyncState.UpToDate -> BannerTone.DONE
                is SyncState.NeedsAction -> BannerTone.ACTION
            },
            message = status.message,
            pendingChanges = status.pendingChanges,
            state = status.state,
        )
    }
}
