package org.jiran.android.state

import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import org.jiran.core.AntennaId
import org.jiran.core.Invite
import org.jiran.core.JiranException
import org.jiran.core.JiranStoreInterface
import org.jiran.core.Role
import org.jiran.core.StoreChange
import org.jiran.core.TeamMember

/** The lead's team screen: who is in the antenna, and the invite being shown. */
data class TeamState(
    /** In the core's order: leads, volunteers, observers, each by name; removed members last. */
    val members: List<TeamMember> = emptyList(),
    /** The invite to show as a QR code, with the link it encodes. */
    val invite: Invite? = null,
    val link: InviteLink? = null,
    val inviting: Boolean = false,
    val error: JiranException? = null,
) {
    val canInvite: Boolean get() = !inviting
}

/**
 * The team of [antenna] and the lead's invites. An invite is made by the relay (one use,
 * [INVITE_HOURS] hours) and shown as the link a volunteer's phone scans, naming the relay
 * this phone syncs with, so that nobody types an address.
 */
class TeamViewModel(
    private val store: JiranStoreInterface,
    private val antenna: AntennaId,
    private val scope: CoroutineScope,
) : AutoCloseable {
    private val state = MutableStateFlow(TeamState())
    val ui: StateFlow<TeamState> = state.asStateFlow()
    private val following: Job

    init {
        reload()
        following = store.reloadOnChanges(scope, ::concerns, ::reload)
    }

    /** Asks the relay for an invite with [role]; needs a connection, and a lead. */
    fun invite(role: Role) {
        val relay = relayUrl()
        if (relay == null || state.value.inviting) return
        state.update { it.copy(inviting = true, error = null) }
        scope.launch {
            try {
                val invite = store.invite(antenna, role, 1u, INVITE_HOURS)
                state.update { it.copy(inviting = false, invite = invite, link = InviteLink(relay, invite.code)) }
            } catch (e: JiranException) {
                state.update { it.copy(inviting = false, error = e) }
            }
        }
    }

    /** Gives [member] another role (leads only; the core keeps at least one lead). */
    fun changeRole(member: TeamMember, role: Role): Boolean =
        act { store.changeRole(antenna, member.id, role) }

    /**
     * Removes [member] from the team, as for a lost phone (leads only): the relay stops
     * accepting their devices once the change reaches it.
     */
    fun remove(member: TeamMember): Boolean = act { store.removeMember(antenna, member.id) }

    private fun act(action: () -> Unit): Boolean = try {
        action()
        reload()
        true
    } catch (e: JiranException) {
        state.update { it.copy(error = e) }
        false
    }

    /** The relay the antenna syncs with; null for an antenna made on this device only. */
    fun relayUrl(): String? = try {
        store.antennas().firstOrNull { it.id == antenna }?.relayUrl
    } catch (e: JiranException) {
        null
    }

    override fun close() = following.cancel()

    private fun concerns(change: StoreChange): Boolean = when (change) {
        is StoreChange.Antenna -> change.antenna == antenna
        is StoreChange.Many -> true
        is StoreChange.Household, is StoreChange.HouseholdErased, is StoreChange.Ledger -> false
    }

    private fun reload() {
        try {
            state.update { it.copy(members = store.team(antenna), error = null) }
        } catch (e: JiranException) {
            state.update { it.copy(error = e) }
        }
    }

    private companion object {
        const val INVITE_HOURS = 48u
    }
}
