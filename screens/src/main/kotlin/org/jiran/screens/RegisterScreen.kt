package org.jiran.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.ExperimentalLayoutApi
import androidx.compose.foundation.layout.FlowRow
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Checkbox
import androidx.compose.material3.FilterChip
import androidx.compose.material3.LocalTextStyle
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.style.TextDirection
import androidx.compose.ui.unit.dp
import org.jiran.android.state.RegisterHouseholdViewModel
import org.jiran.core.HouseholdId
import org.jiran.core.Priority
import org.jiran.core.Relationship

/** Registering a household with its consent; it is on this phone when the button returns. */
@OptIn(ExperimentalLayoutApi::class)
@Composable
fun RegisterScreen(form: RegisterHouseholdViewModel, onRegistered: (HouseholdId) -> Unit) {
    val ui by form.ui.collectAsState()
    val words = LocalWords.current
    val f = ui.form
    Column(Modifier.padding(24.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(words.registerTitle, style = MaterialTheme.typography.headlineSmall)
        OutlinedTextField(f.headName, { v -> form.edit { it.copy(headName = v) } }, Modifier.fillMaxWidth().testTag("head-name"),
            label = { Text(words.registerHeadName) }, singleLine = true)
        OutlinedTextField(f.birthYear, { v -> form.edit { it.copy(birthYear = v) } }, Modifier.fillMaxWidth(),
            label = { Text(words.registerBirthYear) }, singleLine = true,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number))
        OutlinedTextField(f.phone, { v -> form.edit { it.copy(phone = v) } }, Modifier.fillMaxWidth().testTag("phone"),
            label = { Text(words.registerPhone) }, singleLine = true,
            // Digits typed left to right, also in an Arabic screen.
            textStyle = LocalTextStyle.current.copy(textDirection = TextDirection.Ltr),
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone))
        OutlinedTextField(f.address, { v -> form.edit { it.copy(address = v) } }, Modifier.fillMaxWidth().testTag("address"),
            label = { Text(words.registerAddress) })
        OutlinedTextField(f.shock, { v -> form.edit { it.copy(shock = v) } }, Modifier.fillMaxWidth(),
            label = { Text(words.registerShock) })
        Text(words.registerMembers, style = MaterialTheme.typography.titleMedium)
        f.others.forEachIndexed { index, member ->
            OutlinedTextField(member.name, { v -> form.editMember(index) { it.copy(name = v) } },
                Modifier.fillMaxWidth().testTag("member-name-$index"), label = { Text(words.registerMemberName) }, singleLine = true)
            OutlinedTextField(member.birthYear, { v -> form.editMember(index) { it.copy(birthYear = v) } },
                Modifier.fillMaxWidth(), label = { Text(words.registerBirthYear) }, singleLine = true,
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Number))
            FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (relationship in Relationship.entries - Relationship.HEAD) {
                    FilterChip(member.relationship == relationship,
                        onClick = { form.editMember(index) { it.copy(relationship = relationship) } },
                        label = { Text(relationship.label()) })
                }
            }
        }
        OutlinedButton(onClick = form::addMember, Modifier.testTag("add-member")) { Text(words.registerAddMember) }
        Text(words.registerPriority, style = MaterialTheme.typography.titleMedium)
        FlowRow(horizontalArrangement = Arrangement.spacedBy(8.dp)) {
            for (priority in Priority.entries) {
                FilterChip(f.priority == priority, onClick = { form.edit { it.copy(priority = priority) } },
                    label = { Text(priority.label()) })
            }
        }
        Text(words.registerConsentTitle, style = MaterialTheme.typography.titleMedium)
        Consent(f.consentKeepData, words.registerConsentKeep, "consent-keep") { v -> form.edit { it.copy(consentKeepData = v) } }
        Consent(f.consentShareWithMunicipality, words.registerConsentMunicipality, "consent-municipality") { v ->
            form.edit { it.copy(consentShareWithMunicipality = v) }
        }
        Consent(f.consentContactByPhone, words.registerConsentPhone, "consent-phone") { v ->
            form.edit { it.copy(consentContactByPhone = v) }
        }
        ErrorLine(ui.error)
        Button(onClick = { form.register()?.let(onRegistered) }, enabled = ui.canRegister,
            modifier = Modifier.fillMaxWidth().testTag("register-save")) {
            Text(words.registerSave)
        }
    }
}

@Composable
private fun Consent(checked: Boolean, text: String, tag: String, onChange: (Boolean) -> Unit) {
    Row(verticalAlignment = Alignment.CenterVertically) {
        Checkbox(checked, onChange, Modifier.testTag(tag))
        Text(text)
    }
}
