package org.jiran.android.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import kotlinx.coroutines.CoroutineScope

private val Olive = Color(0xFF55702E)

@Composable
fun JiranTheme(content: @Composable () -> Unit) {
    val colors = if (isSystemInDarkTheme()) darkColorScheme(primary = Olive) else lightColorScheme(primary = Olive)
    MaterialTheme(colorScheme = colors, content = content)
}

/**
 * Keeps a plain-Kotlin screen model (org.jiran.android.state) across configuration changes,
 * with the lifecycle's scope; the model itself knows nothing of Android.
 */
class Held<T>(make: (CoroutineScope) -> T) : ViewModel() {
    val model: T = make(viewModelScope)
}
