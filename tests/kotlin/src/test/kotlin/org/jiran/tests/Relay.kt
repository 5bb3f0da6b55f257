package org.jiran.tests

import java.io.File
import java.nio.file.Files
import java.nio.file.Path
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.delay
import kotlinx.coroutines.withTimeout
import org.jiran.core.JiranStore

/** A real jiran-relay process on a free loopback port, with one antenna made by its CLI. */
class Relay : AutoCloseable {
    private val binary = System.getProperty("jiran.relay") ?: error("jiran.relay is not set")
    val root: Path = Files.createTempDirectory("jiran-kotlin")
    private val data = root.resolve("relay").toString()

    /** The single-use invite `jiran-relay antenna create` printed for the first lead. */
    val firstInvite: String = run {
        val created = ProcessBuilder(binary, "antenna", "create", "La Marsa", "--data", data)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val out = created.inputStream.bufferedReader().readText()
        check(created.waitFor() == 0) { "antenna create failed: $out" }
        Regex("\"invite_code\"\\s*:\\s*\"([^\"]+)\"").find(out)!!.groupValues[1]
    }

    private val process: Process = ProcessBuilder(binary, "serve", "--listen", "127.0.0.1:0", "--data", data)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start()

    /** `http://127.0.0.1:PORT`, the last word of the relay's first line. */
    val url: String = process.inputStream.bufferedReader().readLine().trim().split(" ").last()
        .also { check(it.startsWith("http://127.0.0.1:")) { "relay said $it" } }

    /** A new phone's store in its own directory. */
    fun phone(name: String): JiranStore = JiranStore.open(root.resolve(name).toString())

    override fun close() {
        process.destroy()
        process.waitFor(10, TimeUnit.SECONDS)
        File(root.toString()).deleteRecursively()
    }
}

/** Polls [check] until it returns non-null, for at most 30 s. */
suspend fun <T : Any> eventually(what: String, check: () -> T?): T = withTimeout(30_000) {
    var value = check()
    while (value == null) {
        delay(50)
        value = check()
    }
    value
}.also { requireNotNull(it) { "timed out waiting for $what" } }
