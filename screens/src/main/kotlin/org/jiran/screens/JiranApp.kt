package org.jiran.screens

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.jiran.android.state.DuplicatesViewModel
import org.jiran.android.state.HouseholdDetailViewModel
import org.jiran.android.state.HouseholdListViewModel
import org.jiran.android.state.JoinViewModel
import org.jiran.android.state.RegisterHouseholdViewModel
import org.jiran.android.state.SyncStatusViewModel
import org.jiran.android.state.TeamViewModel
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdId
import org.jiran.core.JiranStoreInterface
import org.jiran.core.Role

/** Where the person is in the app, once their device is in an antenna. */
sealed interface Destination {
    data object Households : Destination
    data class Household(val id: HouseholdId) : Destination
    data object Register : Destination
    data object Team : Destination
    data object Duplicates : Destination
}

/**
 * Jiran's screens, the same on a phone and on a lead's laptop: join when the device is in no
 * antenna, then the sync line above the households, a household, registration and (leads) the
 * team. [scanner] opens the platform's QR scanner and hands back what it read (null where
 * there is no camera); [openedLink] is an invite link the app was opened with.
 */
@Composable
fun JiranApp(
    store: JiranStoreInterface,
    deviceName: String,
    defaultRelay: String?,
    scanner: (((String) -> Unit) -> Unit)? = null,
    openedLink: String? = null,
    start: Destination = Destination.Households,
) {
    var antenna by remember { mutableStateOf(store.antennas().firstOrNull()?.id) }
    var at by remember { mutableStateOf(start) }
    Surface(Modifier.fillMaxSize(), color = MaterialTheme.colorScheme.background) {
        val current = antenna
        if (current == null) {
            val join = rememberModel("join") { scope -> JoinViewModel(store, scope, defaultRelay, deviceName) }
            LaunchedEffect(openedLink) { openedLink?.let(join::onInviteText) }
            JoinScreen(join, scanner?.let { scan -> { scan(join::onScanned) } }) { antenna = it }
        } else {
            AntennaScreens(store, current, at) { at = it }
        }
    }
}

@Composable
private fun AntennaScreens(store: JiranStoreInterface, antenna: AntennaId, at: Destination, go: (Destination) -> Unit) {
    val words = LocalWords.current
    val sync = rememberModel("sync-$antenna") { scope -> SyncStatusViewModel(store, antenna, scope) }
    val banner by sync.ui.collectAsState()
    val isLead = remember(antenna, banner) { store.antennas().firstOrNull { it.id == antenna }?.role == Role.LEAD }
    Column(Modifier.fillMaxSize()) {
        // The sync line stays above every screen: offline is normal, and visible.
        SyncBar(banner)
        Row(Modifier.fillMaxWidth().padding(horizontal = 8.dp), verticalAlignment = Alignment.CenterVertically) {
            if (at != Destination.Households) {
                TextButton(onClick = { go(Destination.Households) }, Modifier.testTag("back")) { Text(words.back) }
            }
            Text(words.householdsTitle.takeIf { at == Destination.Households } ?: "", Modifier.weight(1f).padding(8.dp),
                style = MaterialTheme.typography.titleLarge)
            if (isLead && at != Destination.Duplicates) {
                TextButton(onClick = { go(Destination.Duplicates) }, Modifier.testTag("duplicates")) {
                    Text(words.duplicatesTitle)
                }
            }
            if (isLead && at != Destination.Team) {
                TextButton(onClick = { go(Destination.Team) }, Modifier.testTag("team")) { Text(words.teamTitle) }
            }
        }
        when (at) {
            Destination.Households -> HouseholdListScreen(
                rememberModel("list-$antenna") { scope -> HouseholdListViewModel(store, antenna, scope) },
                onOpen = { go(Destination.Household(it)) },
                onRegister = { go(Destination.Register) },
            )
            is Destination.Household -> HouseholdScreen(
                rememberModel("household-${at.id}") { scope -> HouseholdDetailViewModel(store, antenna, at.id, scope) },
            )
            Destination.Register -> RegisterScreen(rememberModel("register-$antenna") { RegisterHouseholdViewModel(store, antenna) }) {
                go(Destination.Household(it))
            }
            Destination.Duplicates -> DuplicatesScreen(
                rememberModel("duplicates-$antenna") { scope -> DuplicatesViewModel(store, antenna, scope) },
            )
            Destination.Team -> TeamScreen(rememberModel("team-$antenna") { scope -> TeamViewModel(store, antenna, scope) })
        }
    }
}
