package org.jiran.android.ui

import androidx.compose.foundation.clickable
import androidx.compose.foundation.horizontalScroll
import androidx.compose.foundation.layout.Arrangement
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
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import org.jiran.android.R
import org.jiran.android.state.HouseholdListViewModel
import org.jiran.core.AntennaId
import org.jiran.core.HouseholdId
import org.jiran.core.JiranStore
import org.jiran.core.NeedCategory
import org.jiran.core.Priority

@Composable
fun HouseholdListScreen(store: JiranStore, antenna: AntennaId, onOpen: (HouseholdId) -> Unit, onRegister: () -> Unit) {
    val list = viewModel(key = "list-$antenna") { Held { scope -> HouseholdListViewModel(store, antenna, scope) } }.model
    val ui by list.ui.collectAsStateWithLifecycle()
    Scaffold(
        floatingActionButton = {
            ExtendedFloatingActionButton(onClick = onRegister, icon = { Icon(Icons.Filled.Add, null) },
                text = { Text(stringResource(R.string.register_button)) })
        },
    ) { padding ->
        Column(Modifier.padding(padding).fillMaxSize()) {
            OutlinedTextField(ui.query, list::onQuery, Modifier.fillMaxWidth().padding(12.dp),
                placeholder = { Text(stringResource(R.string.search_hint)) }, singleLine = true)
            Row(Modifier.horizontalScroll(rememberScrollState()).padding(horizontal = 12.dp),
                horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                for (priority in listOf(Priority.HIGH, Priority.URGENT)) {
                    FilterChip(ui.minPriority == priority,
                        onClick = { list.onMinPriority(if (ui.minPriority == priority) null else priority) },
                        label = { Text("≥ " + stringResource(priority.label())) })
                }
                for (need in NeedCategory.entries) {
                    FilterChip(ui.need == need, onClick = { list.onNeed(if (ui.need == need) null else need) },
                        label = { Text(stringResource(need.label())) })
                }
            }
            ui.error?.let { Text(it, Modifier.padding(12.dp), color = MaterialTheme.colorScheme.error) }
            if (ui.households.isEmpty()) {
                Text(stringResource(R.string.no_households), Modifier.padding(24.dp))
            }
            LazyColumn {
                items(ui.households, key = { it.id }) { line ->
                    val here = line.headName != null
                    ListItem(
                        headlineContent = { Text(line.headName ?: stringResource(R.string.household_not_here_yet)) },
                        supportingContent = {
                            Text(line.openNeeds.map { stringResource(it.label()) }.joinToString(" · ") +
                                "  " + stringResource(R.string.household_size, line.size.toInt()))
                        },
                        trailingContent = { Text(stringResource(line.priority.label())) },
                        modifier = if (here) Modifier.clickable { onOpen(line.id) } else Modifier,
                    )
                    HorizontalDivider()
                }
            }
        }
    }
}
