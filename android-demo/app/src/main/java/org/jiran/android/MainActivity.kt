package org.jiran.android

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.BackHandler
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.lifecycle.viewmodel.compose.viewModel
import org.jiran.android.state.SyncStatusViewModel
import org.jiran.android.ui.Held
import org.jiran.android.ui.HouseholdListScreen
import org.jiran.android.ui.HouseholdScreen
import org.jiran.android.ui.JiranTheme
import org.jiran.android.ui.JoinScreen
import org.jiran.android.ui.RegisterScreen
import org.jiran.android.ui.SyncBar

/** One activity; the screens are swapped by a small back-stack of destinations. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val store = (application as JiranApplication).store
        val invite = intent?.data?.toString()
        setContent {
            JiranTheme {
                var antenna by rememberSaveable { mutableStateOf(store.antennas().firstOrNull()?.id) }
                var household by rememberSaveable { mutableStateOf<String?>(null) }
                var registering by rememberSaveable { mutableStateOf(false) }
                BackHandler(enabled = household != null || registering) {
                    household = null
                    registering = false
                }
                val current = antenna
                if (current == null) {
                    JoinScreen(store, BuildConfig.DEFAULT_RELAY.ifEmpty { null }, invite) { antenna = it }
                } else {
                    // The sync line stays above every screen: offline is normal, and visible.
                    val sync = viewModel(key = "sync-$current") {
                        Held { scope -> SyncStatusViewModel(store, current, scope) }
                    }.model
                    val banner by sync.ui.collectAsStateWithLifecycle()
                    Column(Modifier.fillMaxSize().safeDrawingPadding()) {
                        SyncBar(banner)
                        when {
                            registering -> RegisterScreen(store, current) { id ->
                                registering = false
                                household = id
                            }
                            household != null -> HouseholdScreen(store, current, household!!)
                            else -> HouseholdListScreen(
                                store, current,
                                onOpen = { household = it },
                                onRegister = { registering = true },
                            )
                        }
                    }
                }
            }
        }
    }
}
