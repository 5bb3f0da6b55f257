package org.jiran.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.foundation.rememberScrollState
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.jiran.android.state.HouseholdListViewModel
import org.jiran.core.HouseholdId
import org.jiran.core.NeedCategory
import org.jiran.core.Priority

/** The volunteer's main screen: search, filters, and the households by priority. */
@Composable
fun HouseholdListScreen(list: HouseholdListViewModel, onOpen: (HouseholdId) -> Unit, onRegister: () -> Unit) {
    val ui by list.ui.collectAsState()
    val words = LocalWords.current
    Box(Modifier.fillMaxSize()) {
        Column(Modifier.fillMaxSize()) {
            OutlinedTextField(ui.query, list::onQuery, Modifier.fillMaxWidth().padding(12.dp).testTag("search"),
                placeholder = { Text(words.searchHint) }, singleLine = true)
            Row(Modifier.horizontalScroll(rememberScrollState()).padding(horizontal = 12.dp),
                horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (priority in listOf(Priority.HIGH, Priority.URGENT)) {
                    FilterChip(ui.minPriority == priority,
                        onClick = { list.onMinPriority(if (ui.minPriority == priority) null else priority) },
                        label = { Text(words.atLeast(priority.label())) })
                }
                for (need in NeedCategory.entries) {
                    FilterChip(ui.need == need, onClick = { list.onNeed(if (ui.need == need) null else need) },
                        label = { Text(need.label()) })
                }
            }
            Box(Modifier.padding(12.dp)) { ErrorLine(ui.error) }
            if (ui.households.isEmpty()) {
                Text(words.noHouseholds, Modifier.padding(24.dp))
            }
            LazyColumn(Modifier.testTag("households")) {
                items(ui.households, key = { it.id }) { line ->
                    val here = line.headName != null
                    ListItem(
                        headlineContent = { Text(line.headName ?: words.householdNotHereYet) },
                        supportingContent = {
                            Text((line.openNeeds.map { it.label() } + words.householdSize(line.size.toInt()))
                                .joinToString(" · "))
                        },
                        trailingContent = { Text(line.priority.label()) },
                        modifier = if (here) Modifier.clickable { onOpen(line.id) } else Modifier,
                    )
                    HorizontalDivider()
                }
            }
        }
        ExtendedFloatingActionButton(onClick = onRegister, icon = { Icon(Icons.Filled.Add, null) },
            text = { Text(words.registerButton) },
            modifier = Modifier.align(Alignment.BottomEnd).padding(16.dp).testTag("register"))
    }
}
