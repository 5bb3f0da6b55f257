package org.jiran.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.selection.SelectionContainer
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.jiran.android.state.TeamViewModel
import org.jiran.core.Role
import org.jiran.core.TeamMember

/**
 * The lead's team: who is in the antenna with which role (a lead can change it, or remove a
 * member whose phone is lost, after a confirmation), and an invite shown as a QR code (and as
 * its link, to paste on a laptop), made by the relay when the lead asks.
 */
@Composable
fun TeamScreen(team: TeamViewModel) {
    val ui by team.ui.collectAsState()
    val words = LocalWords.current
    val relay = remember(team) { team.relayUrl() }
    var removing by remember { mutableStateOf<TeamMember?>(null) }
    Column(Modifier.padding(24.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(words.teamTitle, style = MaterialTheme.typography.headlineSmall)
        ui.members.forEach { member ->
            val notes = listOfNotNull(
                words.teamYou.takeIf { member.isMe },
                words.teamRemoved.takeIf { member.removedAt != null },
            )
            ListItem(
                headlineContent = { Text(member.displayName) },
                supportingContent = if (notes.isEmpty()) null else ({ Text(notes.joinToString(" · ")) }),
                trailingContent = { Text(member.role.label()) },
            )
            if (!member.isMe && member.removedAt == null) {
                Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                    val other = if (member.role == Role.LEAD) Role.VOLUNTEER else Role.LEAD
                    OutlinedButton(onClick = { team.changeRole(member, other) }) { Text(words.teamMake(other.label())) }
                    TextButton(onClick = { removing = member }, Modifier.testTag("remove-${member.displayName}")) {
                        Text(words.teamRemove, color = MaterialTheme.colorScheme.error)
                    }
                }
            }
            HorizontalDivider()
        }
        if (relay == null) {
            Text(words.teamNoRelay)
        } else {
            Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                Button(onClick = { team.invite(Role.VOLUNTEER) }, enabled = ui.canInvite,
                    modifier = Modifier.testTag("invite-volunteer")) { Text(words.teamInviteVolunteer) }
                OutlinedButton(onClick = { team.invite(Role.LEAD) }, enabled = ui.canInvite) { Text(words.teamInviteLead) }
            }
        }
        ErrorLine(ui.error)
        val invite = ui.invite
        val link = ui.link
        if (invite != null && link != null) {
            Column(Modifier.fillMaxWidth(), horizontalAlignment = Alignment.CenterHorizontally,
                verticalArrangement = Arrangement.spacedBy(8.dp)) {
                Text(words.teamInviteShow)
                QrCode(link.format())
                Text(invite.role.label() + " · " + words.teamInviteTerms(invite.uses.toInt(), invite.expiresInHours.toInt()),
                    style = MaterialTheme.typography.bodySmall)
                SelectionContainer { Text(link.format(), Modifier.testTag("invite-link"), style = MaterialTheme.typography.bodySmall) }
            }
        }
    }
    removing?.let { member ->
        AlertDialog(
            onDismissRequest = { removing = null },
            title = { Text(words.teamRemoveTitle(member.displayName)) },
            text = { Text(words.teamRemoveExplain) },
            confirmButton = {
                TextButton(onClick = { team.remove(member); removing = null }, Modifier.testTag("confirm-remove")) {
                    Text(words.teamRemove, color = MaterialTheme.colorScheme.error)
                }
            },
            dismissButton = { TextButton(onClick = { removing = null }) { Text(words.cancel) } },
        )
    }
}
