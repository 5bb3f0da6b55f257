package org.jiran.android.ui

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import org.jiran.android.R
import org.jiran.android.state.RegisterHouseholdViewModel
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdId
import org.jiran.core.JiranStore
import org.jiran.core.Priority

@Composable
fun RegisterScreen(store: JiranStore, antenna: AntennaId, onRegistered: (HouseholdId) -> Unit) {
    val form = viewModel(key = "register-$antenna") { Held { RegisterHouseholdViewModel(store, antenna) } }.model
    val ui by form.ui.collectAsStateWithLifecycle()
    val f = ui.form
    Column(Modifier.padding(24.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(stringResource(R.string.register_title), style = MaterialTheme.typography.headlineSmall)
        OutlinedTextField(f.headName, { v -> form.edit { it.copy(headName = v) } }, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.register_head_name)) }, singleLine = true)
        OutlinedTextField(f.birthYear, { v -> form.edit { it.copy(birthYear = v) } }, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.register_birth_year)) }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number))
        OutlinedTextField(f.phone, { v -> form.edit { it.copy(phone = v) } }, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.register_phone)) }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone))
        OutlinedTextField(f.address, { v -> form.edit { it.copy(address = v) } }, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.register_address)) })
        OutlinedTextField(f.shock, { v -> form.edit { it.copy(shock = v) } }, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.register_shock)) })
        Row(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            for (priority in Priority.entries) {
                FilterChip(f.priority == priority, onClick = { form.edit { it.copy(priority = priority) } },
                    label = { Text(stringResource(priority.label())) })
            }
        }
        Text(stringResource(R.string.register_consent_title), style = MaterialTheme.typography.titleMedium)
        Consent(f.consentKeepData, R.string.register_consent_keep) { v -> form.edit { it.copy(consentKeepData = v) } }
        Consent(f.consentShareWithMunicipality, R.string.register_consent_municipality) { v ->
            form.edit { it.copy(consentShareWithMunicipality = v) }
        }
        Consent(f.consentContactByPhone, R.string.register_consent_phone) { v -> form.edit { it.copy(consentContactByPhone = v) } }
        ui.error?.let { Text(it, color = MaterialTheme.colorScheme.error) }
        Button(onClick = { form.register()?.let(onRegistered) }, enabled = ui.canRegister, modifier = Modifier.fillMaxWidth()) {
            Text(stringResource(R.string.register_save))
        }
    }
}

@Composable
private fun Consent(checked: Boolean, text: Int, onChange: (Boolean) -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        Checkbox(checked, onChange)
        Text(stringResource(text))
    }
}
