package org.jiran.android.state

import java.net.URI
import java.net.URLDecoder
import java.net.URLEncoder
import java.nio.charset.StandardCharsets

/**
 * An invite as a QR code carries it: `jiran://join?relay=<relay URL>&code=<invite code>`.
 * A lead's phone shows it; a volunteer's phone scans it, so nobody types a relay address.
 */
data class InviteLink(val relayUrl: String, val code: String) {
    fun format(): String =
        "jiran://join?relay=${encode(relayUrl)}&code=${encode(code)}"

    companion object {
        /**
         * Reads a scanned or pasted text: a full link, or a bare code (then the relay comes
         * from [defaultRelay]). Null when it is neither.
         */
        fun parse(text: String, defaultRelay: String?): InviteLink? {
            val trimmed = text.trim()
            if (trimmed.isEmpty()) return null
            if (!trimmed.startsWith("jiran://")) {
                if (defaultRelay == null || !trimmed.all { it.isLetterOrDigit() || it == '-' || it == '_' }) return null
                return InviteLink(defaultRelay, trimmed)
            }
            val uri = runCatching { URI(trimmed) }.getOrNull() ?: return null
            if (uri.host != "join") return null
            val query = (uri.rawQuery ?: return null).split("&").mapNotNull {
                val parts = it.split("=", limit = 2)
                if (parts.size == 2) parts[0] to decode(parts[1]) else null
            }.toMap()
            val relay = query["relay"] ?: return null
            val code = query["code"] ?: return null
            if (!(relay.startsWith("https://") || relay.startsWith("http://")) || code.isBlank()) {
                return null
            }
            return InviteLink(relay, code)
        }

        private fun encode(s: String) = URLEncoder.encode(s, StandardCharsets.UTF_8)
        private fun decode(s: String) = URLDecoder.decode(s, StandardCharsets.UTF_8)
    }
}
