package org.jiran.android.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.CloudDone
import androidx.compose.material.icons.filled.CloudOff
import androidx.compose.material.icons.filled.CloudSync
import androidx.compose.material.icons.filled.ErrorOutline
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import org.jiran.android.state.BannerTone
import org.jiran.android.state.SyncBanner

/** The sync line on every screen. Offline is shown calmly: work goes on and is kept. */
@Composable
fun SyncBar(banner: SyncBanner) {
    val colors = MaterialTheme.colorScheme
    val (icon, background) = when (banner.tone) {
        BannerTone.CALM -> Icons.Filled.CloudOff to colors.surfaceVariant
        BannerTone.BUSY -> Icons.Filled.CloudSync to colors.secondaryContainer
        BannerTone.DONE -> Icons.Filled.CloudDone to colors.surface
        BannerTone.ACTION -> Icons.Filled.ErrorOutline to colors.errorContainer
    }
    Row(
        Modifier.fillMaxWidth().background(background).padding(horizontal = 16.dp, vertical = 8.dp),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        Icon(icon, contentDescription = null)
        Text(banner.message, Modifier.padding(start = 12.dp), style = MaterialTheme.typography.bodyMedium)
    }
}
