package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.jiran.core.AntennaId
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface

/** The join screen: an invite typed or scanned, the volunteer's name, and the outcome. */
data class JoinState(
    val inviteText: String = "",
    val displayName: String = "",
    val joining: Boolean = false,
    /** Why the last attempt failed, as the core phrased it; null when it did not fail. */
    val error: JiranException? = null,
    /** Which kind of failure, so the screen can offer the right next step. */
    val errorKind: JoinError? = null,
    val joined: AntennaId? = null,
) {
    val canJoin: Boolean get() = !joining && inviteText.isNotBlank() && displayName.isNotBlank()
}

/** What a failed join asks of the volunteer (the screen says it in its language). */
enum class JoinError { NOT_AN_INVITE, ASK_FOR_NEW_INVITE, CHECK_CONNECTION, CORRECT_INPUT, OTHER }

/**
 * Joins an antenna. [defaultRelay] is used when only a bare code is typed; a scanned QR code
 * carries its relay. [deviceName] tells the lead which phone this is.
 */
class JoinViewModel(
    private val store: JiranStoreInterface,
    private val scope: CoroutineScope,
    private val defaultRelay: String?,
    private val deviceName: String,
) {
    private val state = MutableStateFlow(JoinState())
    val ui: StateFlow<JoinState> = state.asStateFlow()

    fun onInviteText(text: String) = state.update { it.copy(inviteText = text, error = null, errorKind = null) }

    fun onDisplayName(name: String) = state.update { it.copy(displayName = name, error = null, errorKind = null) }

    /** A QR code was scanned: it is the invite, so join at once if the name is filled in. */
    fun onScanned(text: String) {
        onInviteText(text)
        join()
    }

    /** Starts joining; the outcome arrives in [ui]. */
    fun join() {
        val current = state.value
        if (!current.canJoin) return
        val link = InviteLink.parse(current.inviteText, defaultRelay)
        if (link == null) {
            state.update {
                it.copy(error = null, errorKind = JoinError.NOT_AN_INVITE)
            }
            return
        }
        state.update { it.copy(joining = true, error = null, errorKind = null) }
        scope.launch {
            try {
                val antenna = store.join(link.relayUrl, link.code, deviceName, current.displayName.trim())
                state.update { it.copy(joining = false, joined = antenna) }
            } catch (e: JiranException) {
                val kind = when (e) {
                    is JiranException.InviteRefused, is JiranException.NeedsNewInvite -> JoinError.ASK_FOR_NEW_INVITE
                    is JiranException.RelayUnreachable -> JoinError.CHECK_CONNECTION
                    is JiranException.InvalidInput -> JoinError.CORRECT_INPUT
                    else -> JoinError.OTHER
                }
                state.update { it.copy(joining = false, error = e, errorKind = kind) }
            } catch (e: Exception) {
                // Anything else is a fault of ours; the volunteer can still retry.
                state.update { it.copy(joining = false, error = null, errorKind = JoinError.OTHER) }
            }
        }
    }
}
