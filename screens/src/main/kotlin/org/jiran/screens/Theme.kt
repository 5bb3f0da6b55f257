package org.jiran.screens

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.DisposableEffect
import androidx.compose.runtime.remember
import androidx.compose.runtime.rememberCoroutineScope
import androidx.compose.runtime.staticCompositionLocalOf
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.platform.LocalLayoutDirection
import kotlinx.coroutines.CoroutineScope
import org.jiran.screens.words.English
import org.jiran.screens.words.Language
import org.jiran.screens.words.Words

private val Olive = Color(0xFF55702E)

/** The words of the language the screens were started in. */
val LocalWords = staticCompositionLocalOf<Words> { English }

/**
 * Jiran's colours and [language]: its words for every screen inside, and its direction
 * (Arabic lays every screen out right to left).
 */
@Composable
fun JiranTheme(language: Language, content: @Composable () -> Unit) {
    val colors = if (isSystemInDarkTheme()) darkColorScheme(primary = Olive) else lightColorScheme(primary = Olive)
    CompositionLocalProvider(LocalWords provides language.words, LocalLayoutDirection provides language.direction) {
        MaterialTheme(colorScheme = colors, content = content)
    }
}

/**
 * A plain-Kotlin screen model (org.jiran.android.state) kept while the screen is shown, with
 * a scope that ends when it leaves; [key] makes a new one when what it shows changes.
 */
@Composable
fun <T> rememberModel(key: Any, make: (CoroutineScope) -> T): T {
    val scope = rememberCoroutineScope()
    val model = remember(key) { make(scope) }
    DisposableEffect(model) { onDispose { (model as? AutoCloseable)?.close() } }
    return model
}
