package org.jiran.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.AlertDialog
import androidx.compose.material3.Button
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.material3.TextButton
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import org.jiran.android.state.HouseholdDetailViewModel
import org.jiran.android.state.remainingText
import org.jiran.core.JiranException
import org.jiran.core.NeedCategory

/**
 * One household at the door: who they are, their needs, plan, notes and deliveries; a note
 * or a delivery recorded here is on this phone at once and syncs after.
 */
@Composable
fun HouseholdScreen(screen: HouseholdDetailViewModel) {
    val ui by screen.ui.collectAsState()
    val words = LocalWords.current
    var delivering by remember { mutableStateOf(false) }
    var note by remember { mutableStateOf("") }
    val detail = ui.household
    Column(Modifier.padding(24.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        ErrorLine(ui.error)
        if (detail == null) return@Column
        Text(detail.members.firstOrNull()?.name.orEmpty(), style = MaterialTheme.typography.headlineSmall)
        Text(words.householdSize(detail.members.size) + " · " + detail.priority.label(),
            style = MaterialTheme.typography.labelLarge)
        detail.members.drop(1).forEach { member ->
            Text(member.name + " · " + member.relationship.label() + (member.birthYear?.let { " · $it" } ?: ""))
        }
        Text(detail.address)
        detail.phone?.takeIf { detail.consent.contactByPhone }?.let { Text(leftToRight(it)) }

        Section(words.householdNeeds)
        Lines(detail.needs.map { it.category.label() + " — " + it.description })
        Section(words.householdPlan)
        Lines(detail.plan.map { it.description + (it.due?.let { d -> " ($d)" } ?: "") })
        Section(words.householdNotes)
        Lines(detail.notes.map { it.text })
        OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth().testTag("note"),
            label = { Text(words.householdAddNote) })
        OutlinedButton(onClick = { if (screen.addNote(note)) note = "" }, enabled = note.isNotBlank(),
            modifier = Modifier.testTag("save-note")) {
            Text(words.save)
        }
        Section(words.householdDeliveries)
        Lines(detail.deliveries.map {
            it.category.label() + " — " + it.description + if (it.acknowledged) " ✓ " + words.deliveryAcknowledged else ""
        })
        if (ui.donations.isEmpty()) Text(words.householdNoDonation, style = MaterialTheme.typography.bodySmall)
        Button(onClick = { delivering = true }, enabled = ui.donations.isNotEmpty(),
            modifier = Modifier.fillMaxWidth().testTag("record-delivery")) {
            Text(words.householdRecordDelivery)
        }
    }
    if (delivering) DeliveryDialog(ui.donations.map { d -> d.id to (d.item?.let { "$it · " } ?: "") + remainingText(d) }, ui.error,
        onDismiss = { delivering = false },
        onSave = { category, description, donation, amount ->
            if (screen.recordDelivery(category, description, donation, amount)) delivering = false
        })
}

@Composable
private fun Section(title: String) {
    Text(title, Modifier.padding(top = 12.dp), style = MaterialTheme.typography.titleMedium)
}

@Composable
private fun Lines(lines: List<String>) {
    if (lines.isEmpty()) {
        Text(LocalWords.current.nothingYet, style = MaterialTheme.typography.bodySmall)
    }
    lines.forEach { Text("• $it") }
}

@OptIn(ExperimentalLayoutApi::class)
@Composable
private fun DeliveryDialog(
    donations: List<Pair<String, String>>,
    error: JiranException?,
    onDismiss: () -> Unit,
    onSave: (NeedCategory, String, String, String) -> Unit,
) {
    val words = LocalWords.current
    var category by remember { mutableStateOf(NeedCategory.FOOD) }
    var description by remember { mutableStateOf("") }
    var donation by remember { mutableStateOf(donations.first().first) }
    var amount by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(words.householdRecordDelivery) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                FlowRow(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                    NeedCategory.entries.forEach { c -> FilterChip(category == c, { category = c }, { Text(c.label()) }) }
                }
                OutlinedTextField(description, { description = it }, Modifier.testTag("delivery-description"),
                    label = { Text(words.deliveryDescription) })
                Text(words.deliveryFrom)
                donations.forEach { (id, label) -> FilterChip(donation == id, { donation = id }, { Text(label) }) }
                OutlinedTextField(amount, { amount = it }, Modifier.testTag("delivery-amount"),
                    label = { Text(words.deliveryAmount) }, singleLine = true,
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Decimal))
                ErrorLine(error)
            }
        },
        confirmButton = {
            TextButton(onClick = { onSave(category, description, donation, amount) },
                Modifier.testTag("delivery-save"), enabled = amount.isNotBlank()) { Text(words.save) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(words.cancel) } },
    )
}

/**
 * [text] kept left to right inside any paragraph (Unicode's left-to-right isolate): a phone
 * number in an Arabic screen reads "+216 22 123 456", not "456 123 22 216+".
 */
fun leftToRight(text: String): String = "\u2066$text\u2069"
