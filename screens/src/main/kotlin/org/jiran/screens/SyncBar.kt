package org.jiran.screens

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CheckCircle
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.filled.Refresh
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.jiran.android.state.BannerTone
import org.jiran.android.state.SyncBanner
import org.jiran.core.SyncProblem
import org.jiran.core.SyncState
import org.jiran.screens.words.Words

/** The sync line on every screen. Offline is shown calmly: work goes on and is kept. */
@Composable
fun SyncBar(banner: SyncBanner) {
    val colors = MaterialTheme.colorScheme
    val words = LocalWords.current
    val (icon, background) = when (banner.tone) {
        BannerTone.CALM -> Icons.Filled.Info to colors.surfaceVariant
        BannerTone.BUSY -> Icons.Filled.Refresh to colors.secondaryContainer
        BannerTone.DONE -> Icons.Filled.CheckCircle to colors.surface
        BannerTone.ACTION -> Icons.Filled.Warning to colors.errorContainer
    }
    Row(
        Modifier.fillMaxWidth().background(background).padding(horizontal = 16.dp, vertical = 8.dp).testTag("sync"),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(icon, contentDescription = null)
        Column(Modifier.padding(start = 12.dp)) {
            Text(banner.state?.let { words.sentence(it) } ?: words.syncStarting, style = MaterialTheme.typography.bodyMedium)
            if (banner.pendingChanges > 0u) {
                Text(words.syncPending(banner.pendingChanges.toInt()), style = MaterialTheme.typography.bodySmall)
            }
        }
    }
}

/** What sync is doing, in the screens' language (the core's English sentence is not shown). */
private fun Words.sentence(state: SyncState): String = when (state) {
    is SyncState.Offline -> syncOffline
    is SyncState.Connecting -> syncConnecting
    is SyncState.Syncing -> syncSyncing(state.documentsLeft.toInt())
    is SyncState.UpToDate -> syncUpToDate
    is SyncState.NeedsAction -> when (val problem = state.problem) {
        is SyncProblem.Revoked -> syncRevoked
        is SyncProblem.TokenRefused -> syncTokenRefused
        is SyncProblem.DocumentsRefused -> syncDocumentsRefused(problem.documents.toInt())
        is SyncProblem.RelayStorage -> syncRelayStorage
        is SyncProblem.LocalStorage -> syncLocalStorage
    }
}
