package org.jiran.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.jiran.android.state.JoinError
import org.jiran.android.state.JoinViewModel
import org.jiran.core.AntennaId

/**
 * Joining an antenna: the volunteer's name, then the lead's QR code or invite code. [onScan]
 * opens the platform's camera (null where there is none, as on a laptop: paste the link).
 */
@Composable
fun JoinScreen(join: JoinViewModel, onScan: (() -> Unit)?, onJoined: (AntennaId) -> Unit) {
    val ui by join.ui.collectAsState()
    val words = LocalWords.current
    LaunchedEffect(ui.joined) { ui.joined?.let(onJoined) }
    Column(Modifier.padding(24.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text(words.joinTitle, style = MaterialTheme.typography.headlineSmall)
        Text(words.joinExplain)
        OutlinedTextField(ui.displayName, join::onDisplayName, Modifier.fillMaxWidth().testTag("join-name"),
            label = { Text(words.joinYourName) }, singleLine = true)
        if (onScan != null) {
            OutlinedButton(onClick = onScan, Modifier.fillMaxWidth()) { Text(words.joinScan) }
        }
        OutlinedTextField(ui.inviteText, join::onInviteText, Modifier.fillMaxWidth().testTag("join-code"),
            label = { Text(words.joinCode) }, singleLine = true)
        ui.errorKind?.let { kind ->
            val advice = when (kind) {
                JoinError.NOT_AN_INVITE -> words.joinNotAnInvite
                JoinError.ASK_FOR_NEW_INVITE -> words.joinAskNewInvite
                JoinError.CHECK_CONNECTION -> words.joinCheckConnection
                JoinError.CORRECT_INPUT, JoinError.OTHER -> ui.error?.let(words.errors::say) ?: words.errors.internal
            }
            Text(advice, Modifier.testTag("error"), color = MaterialTheme.colorScheme.error)
        }
        Button(onClick = join::join, enabled = ui.canJoin, modifier = Modifier.fillMaxWidth().testTag("join-button")) {
            Text(if (ui.joining) words.joinJoining else words.joinButton)
        }
    }
}
