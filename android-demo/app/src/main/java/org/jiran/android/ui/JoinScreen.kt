package org.jiran.android.ui

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
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import androidx.activity.compose.rememberLauncherForActivityResult
import android.os.Build
import org.jiran.android.R
import org.jiran.android.state.JoinError
import org.jiran.android.state.JoinViewModel
import org.jiran.core.AntennaId
import org.jiran.core.JiranStore

@Composable
fun JoinScreen(store: JiranStore, defaultRelay: String?, openedLink: String?, onJoined: (AntennaId) -> Unit) {
    val held = viewModel { Held { scope -> JoinViewModel(store, scope, defaultRelay, Build.MODEL) } }
    val join = held.model
    val ui by join.ui.collectAsStateWithLifecycle()
    val scanner = rememberLauncherForActivityResult(ScanContract()) { result ->
        result.contents?.let(join::onScanned)
    }
    LaunchedEffect(openedLink) { openedLink?.let(join::onInviteText) }
    LaunchedEffect(ui.joined) { ui.joined?.let(onJoined) }

    Column(Modifier.padding(24.dp), verticalArrangement = Arrangement.spacedBy(16.dp)) {
        Text(stringResource(R.string.join_title), style = MaterialTheme.typography.headlineSmall)
        Text(stringResource(R.string.join_explain))
        OutlinedTextField(ui.displayName, join::onDisplayName, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.join_your_name)) }, singleLine = true)
        OutlinedButton(
            onClick = { scanner.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setBeepEnabled(false)) },
            Modifier.fillMaxWidth(),
        ) { Text(stringResource(R.string.join_scan)) }
        OutlinedTextField(ui.inviteText, join::onInviteText, Modifier.fillMaxWidth(),
            label = { Text(stringResource(R.string.join_code)) }, singleLine = true)
        ui.error?.let { error ->
            val advice = when (ui.errorKind) {
                JoinError.ASK_FOR_NEW_INVITE -> stringResource(R.string.join_ask_new_invite)
                JoinError.CHECK_CONNECTION -> stringResource(R.string.join_check_connection)
                else -> error
            }
            Text(advice, color = MaterialTheme.colorScheme.error)
        }
        Button(onClick = join::join, enabled = ui.canJoin, modifier = Modifier.fillMaxWidth()) {
            Text(stringResource(if (ui.joining) R.string.join_joining else R.string.join_button))
        }
    }
}
