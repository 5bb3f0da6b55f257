package org.jiran.desktop

import androidx.compose.ui.unit.dp
import androidx.compose.ui.window.Window
import androidx.compose.ui.window.application
import androidx.compose.ui.window.rememberWindowState
import java.io.File
import java.net.InetAddress
import java.util.Locale
import org.jiran.core.JiranStore
import org.jiran.screens.JiranApp
import org.jiran.screens.JiranTheme
import org.jiran.screens.words.Language

/**
 * Jiran on a lead's laptop (Linux, Windows, macOS): the phones' screens in a window, over a
 * store of its own, for reviewing an antenna offline.
 *
 * `jiran-desktop [--store DIR] [--relay URL] [--language en|fr|ar]`: the store defaults to
 * `~/.local/share/jiran-desktop`; the relay is used for a bare invite code typed by hand; the
 * language defaults to the system's.
 */
fun main(args: Array<String>) {
    val options = args.toList().chunked(2).associate { it[0] to it.getOrElse(1) { "" } }
    val directory = options["--store"] ?: File(System.getProperty("user.home"), ".local/share/jiran-desktop").path
    val language = options["--language"]?.let { tag -> Language.entries.firstOrNull { it.tag == tag } }
        ?: Language.of(Locale.getDefault())
    File(directory).mkdirs()
    val store = JiranStore.open(directory)
    store.setOnline(true)
    val deviceName = runCatching { InetAddress.getLocalHost().hostName }.getOrDefault("laptop")
    application {
        Window(onCloseRequest = ::exitApplication, title = language.words.appName,
            state = rememberWindowState(width = 480.dp, height = 800.dp)) {
            JiranTheme(language) {
                JiranApp(store, deviceName, options["--relay"])
            }
        }
    }
}
