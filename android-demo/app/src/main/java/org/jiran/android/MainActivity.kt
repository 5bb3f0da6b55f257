package org.jiran.android

import android.os.Build
import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.rememberLauncherForActivityResult
import androidx.activity.compose.setContent
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import com.journeyapps.barcodescanner.ScanContract
import com.journeyapps.barcodescanner.ScanOptions
import java.util.Locale
import org.jiran.screens.JiranApp
import org.jiran.screens.JiranTheme
import org.jiran.screens.words.Language

/**
 * One activity around the shared screens (screens/src/main/kotlin, the same as on the
 * desktop). What is Android's stays here: the camera for the invite's QR code, the link the
 * app was opened with, and the store and connectivity in [JiranApplication].
 */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val store = (application as JiranApplication).store
        val invite = intent?.data?.toString()
        setContent {
            var onScanned by remember { mutableStateOf<((String) -> Unit)?>(null) }
            val camera = rememberLauncherForActivityResult(ScanContract()) { result ->
                result.contents?.let { text -> onScanned?.invoke(text) }
            }
            JiranTheme(Language.of(Locale.getDefault())) {
                Box(Modifier.safeDrawingPadding()) {
                    JiranApp(
                        store = store,
                        deviceName = Build.MODEL,
                        defaultRelay = BuildConfig.DEFAULT_RELAY.ifEmpty { null },
                        scanner = { handBack ->
                            onScanned = handBack
                            camera.launch(ScanOptions().setDesiredBarcodeFormats(ScanOptions.QR_CODE).setBeepEnabled(false))
                        },
                        openedLink = invite,
                    )
                }
            }
        }
    }
}
