package org.jiran.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
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
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import org.jiran.android.R
import org.jiran.android.state.HouseholdDetailViewModel
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdId
import org.jiran.core.JiranStore
import org.jiran.core.NeedCategory

@Composable
fun HouseholdScreen(store: JiranStore, antenna: AntennaId, household: HouseholdId) {
    val screen = viewModel(key = "household-$household") {
        Held { scope -> HouseholdDetailViewModel(store, antenna, household, scope) }
    }.model
    val ui by screen.ui.collectAsStateWithLifecycle()
    var delivering by remember { mutableStateOf(false) }
    var note by remember { mutableStateOf("") }
    val detail = ui.household ?: return
    Column(Modifier.padding(24.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(8.dp)) {
        Text(detail.members.firstOrNull()?.name.orEmpty(), style = MaterialTheme.typography.headlineSmall)
        Text(detail.address)
        detail.phone?.takeIf { detail.consent.contactByPhone }?.let { Text(it) }
        Text(stringResource(detail.priority.label()), style = MaterialTheme.typography.labelLarge)

        Section(R.string.household_needs)
        detail.needs.forEach { Text("• " + stringResource(it.category.label()) + " — " + it.description) }
        Section(R.string.household_plan)
        detail.plan.forEach { Text("• " + it.description + (it.due?.let { d -> " ($d)" } ?: "")) }
        Section(R.string.household_notes)
        detail.notes.forEach { Text("• " + it.text) }
        OutlinedTextField(note, { note = it }, Modifier.fillMaxWidth(), label = { Text(stringResource(R.string.household_add_note)) })
        OutlinedButton(onClick = { if (screen.addNote(note)) note = "" }, enabled = note.isNotBlank()) {
            Text(stringResource(R.string.save))
        }
        Section(R.string.household_deliveries)
        detail.deliveries.forEach {
            Text("• " + it.description + if (it.acknowledged) " ✓ " + stringResource(R.string.delivery_acknowledged) else "")
        }
        ui.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Button(onClick = { delivering = true }, enabled = ui.donations.isNotEmpty(), modifier = Modifier.fillMaxWidth()) {
            Text(stringResource(R.string.household_record_delivery))
        }
    }
    if (delivering) DeliveryDialog(ui.donations.map { it.id to "${it.item ?: it.kind} · ${it.remaining} ${it.unit}" },
        onDismiss = { delivering = false },
        onSave = { category, description, donation, amount ->
            if (screen.recordDelivery(category, description, donation, amount)) delivering = false
        })
}

@Composable
private fun Section(title: Int) {
    Text(stringResource(title), Modifier.padding(top = 12.dp), style = MaterialTheme.typography.titleMedium)
}

@Composable
private fun DeliveryDialog(
    donations: List<Pair<String, String>>,
    onDismiss: () -> Unit,
    onSave: (NeedCategory, String, String, ULong) -> Unit,
) {
    var category by remember { mutableStateOf(NeedCategory.FOOD) }
    var description by remember { mutableStateOf("") }
    var donation by remember { mutableStateOf(donations.first().first) }
    var amount by remember { mutableStateOf("") }
    AlertDialog(
        onDismissRequest = onDismiss,
        title = { Text(stringResource(R.string.household_record_delivery)) },
        text = {
            Column(verticalArrangement = Arrangement.spacedBy(8.dp)) {
                NeedCategory.entries.chunked(3).forEach { row ->
                    androidx.compose.foundation.layout.Row(horizontalArrangement = Arrangement.spacedBy(4.dp)) {
                        row.forEach { c -> FilterChip(category == c, { category = c }, { Text(stringResource(c.label())) }) }
                    }
                }
                OutlinedTextField(description, { description = it }, label = { Text(stringResource(R.string.delivery_description)) })
                Text(stringResource(R.string.delivery_from))
                donations.forEach { (id, label) -> FilterChip(donation == id, { donation = id }, { Text(label) }) }
                OutlinedTextField(amount, { amount = it.filter(Char::isDigit) }, label = { Text(stringResource(R.string.delivery_amount)) },
                    keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number))
            }
        },
        confirmButton = {
            TextButton(onClick = { amount.toULongOrNull()?.let { onSave(category, description, donation, it) } },
                enabled = amount.toULongOrNull() != null) { Text(stringResource(R.string.save)) }
        },
        dismissButton = { TextButton(onClick = onDismiss) { Text(stringResource(R.string.cancel)) } },
    )
}
