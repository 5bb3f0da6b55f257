package org.jiran.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.unit.dp
import org.jiran.android.state.DuplicatesViewModel
import org.jiran.core.DuplicateReason
import org.jiran.core.HouseholdDetail

/** The lead's possible duplicates, side by side, each merged with one button. */
@Composable
fun DuplicatesScreen(duplicates: DuplicatesViewModel) {
    val ui by duplicates.ui.collectAsState()
    val words = LocalWords.current
    Column(Modifier.padding(24.dp).verticalScroll(rememberScrollState()), verticalArrangement = Arrangement.spacedBy(12.dp)) {
        Text(words.duplicatesTitle, style = MaterialTheme.typography.headlineSmall)
        ErrorLine(ui.error)
        if (ui.pairs.isEmpty()) Text(words.duplicatesNone)
        ui.pairs.forEachIndexed { index, pair ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(pair.suspicion.reasons.map { it.label() }.joinToString(" · "),
                        style = MaterialTheme.typography.labelLarge)
                    Row(horizontalArrangement = Arrangement.spacedBy(16.dp)) {
                        Household(pair.keep, words.duplicatesKept, Modifier.weight(1f))
                        Household(pair.other, words.duplicatesMerged, Modifier.weight(1f))
                    }
                    Button(onClick = { duplicates.merge(pair) }, Modifier.fillMaxWidth().testTag("merge-$index")) {
                        Text(words.duplicatesMerge)
                    }
                }
            }
        }
    }
}

@Composable
private fun Household(detail: HouseholdDetail, role: String, modifier: Modifier) {
    val words = LocalWords.current
    Column(modifier) {
        Text(role, style = MaterialTheme.typography.labelMedium)
        Text(detail.members.firstOrNull()?.name.orEmpty(), style = MaterialTheme.typography.titleMedium)
        Text(words.householdSize(detail.members.size))
        detail.phone?.let { Text(leftToRight(it)) }
        Text(detail.address, style = MaterialTheme.typography.bodySmall)
    }
}

@Composable
private fun DuplicateReason.label(): String = LocalWords.current.let {
    when (this) {
        DuplicateReason.SAME_PHONE -> it.duplicateSamePhone
        DuplicateReason.SIMILAR_NAME -> it.duplicateSimilarName
        DuplicateReason.SAME_LANDMARK -> it.duplicateSameLandmark
        DuplicateReason.SAME_SIZE -> it.duplicateSameSize
    }
}
