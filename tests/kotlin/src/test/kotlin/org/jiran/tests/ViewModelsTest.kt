package org.jiran.tests

import java.time.Duration
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.jiran.android.state.BannerTone
import org.jiran.android.state.HouseholdDetailViewModel
import org.jiran.android.state.HouseholdListViewModel
import org.jiran.android.state.InviteLink
import org.jiran.android.state.JoinError
import org.jiran.android.state.JoinViewModel
import org.jiran.android.state.RegisterHouseholdViewModel
import org.jiran.android.state.SyncStatusViewModel
import org.jiran.core.DonationStatus
import org.jiran.core.Gift
import org.jiran.core.JiranException
import org.jiran.core.InputProblem
import org.jiran.core.DonationProblem
import org.jiran.core.NeedCategory
import org.jiran.core.NewDonation
import org.jiran.core.NewNeed
import org.jiran.core.Priority
import org.jiran.core.Role
import org.jiran.core.Urgency
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Test

/** The Android demo's screen logic, on the JVM, over real stores and a real relay. */
class ViewModelsTest {
    private val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    @AfterEach
    fun stop() = scope.cancel()

    @Test
    fun `an invite link survives the QR code and junk is refused`() {
        val link = InviteLink("https://relay.example.org/jiran", "7Hq-2kP x")
        assertEquals(link, InviteLink.parse(link.format(), defaultRelay = null))
        assertEquals(InviteLink("https://r.example", "ABC123"), InviteLink.parse(" ABC123 ", "https://r.example"))
        assertNull(InviteLink.parse("ABC123", defaultRelay = null), "a bare code needs a known relay")
        assertNull(InviteLink.parse("jiran://join?relay=ftp://x&code=1", null))
        assertNull(InviteLink.parse("https://evil.example/?code=1", "https://r.example"), "not a code")
        assertNull(InviteLink.parse("jiran://join?relay=https://r.example", null), "no code")
    }

    @Test
    fun `a volunteer joins by scanning, registers with consent and sees the list follow other phones`() = runBlocking {
        Relay().use { relay ->
            val lead = relay.phone("leila")
            val antenna = lead.join(relay.url, relay.firstInvite, "Leila's phone", "Leila")
            val invite = lead.invite(antenna, Role.VOLUNTEER, 1u, 24u)

            // Joining: a wrong code asks for a new invite; the scanned QR code joins.
            val sami = relay.phone("sami")
            val join = JoinViewModel(sami, scope, defaultRelay = relay.url, deviceName = "Sami's phone")
            join.onDisplayName("Sami")
            join.onInviteText("WRONGCODE")
            join.join()
            val refused = withTimeout(30_000) { join.ui.first { it.error != null } }
            assertEquals(JoinError.ASK_FOR_NEW_INVITE, refused.errorKind, refused.error?.message)
            join.onScanned(InviteLink(relay.url, invite.code).format())
            assertEquals(antenna, withTimeout(30_000) { join.ui.first { it.joined != null } }.joined)
            sami.waitUntilUpToDate(antenna, Duration.ofSeconds(30))

            // Registering: refused without consent, recorded with it.
            val register = RegisterHouseholdViewModel(sami, antenna)
            register.edit { it.copy(headName = "Fatma Ben Ali", phone = "+216 98 123 456", priority = Priority.HIGH) }
            assertFalse(register.ui.value.canRegister)
            assertNull(register.register())
            assertEquals(InputProblem.NoConsent, (register.ui.value.error as JiranException.InvalidInput).problem,
                "the core itself refuses a household without consent")
            register.edit { it.copy(birthYear = "nineteen") }
            register.edit { it.copy(consentKeepData = true) }
            assertNull(register.register(), "a year that is not a number")
            register.edit { it.copy(birthYear = "1961") }
            val fatma = assertNotNull(register.register())

            // The list on the lead's phone follows: Fatma arrives, then her food need.
            val list = HouseholdListViewModel(lead, antenna, scope)
            val sync = SyncStatusViewModel(lead, antenna, scope)
            list.onNeed(NeedCategory.FOOD)
            sami.addNeed(fatma, NewNeed(NeedCategory.FOOD, "", Urgency.HIGH))
            val listed = withTimeout(30_000) { list.ui.first { s -> s.households.any { it.id == fatma && it.headName != null } } }
            assertEquals("Fatma Ben Ali", listed.households.single().headName)
            list.onNeed(NeedCategory.RENT)
            assertTrue(list.ui.value.households.isEmpty(), "no rent need")
            list.onNeed(null)
            list.onQuery("فاطمة")
            assertEquals(listOf(fatma), list.ui.value.households.map { it.id })
            withTimeout(30_000) { sync.ui.first { it.tone == BannerTone.DONE } }

            // Offline is calm, not an error, and still counts what waits to be sent.
            lead.setOnline(false)
            lead.addNote(fatma, "called back, no answer")
            val offline = withTimeout(30_000) { sync.ui.first { it.tone == BannerTone.CALM && it.pendingChanges > 0u } }
            assertTrue(offline.message.isNotBlank())
            lead.setOnline(true)
            withTimeout(30_000) { sync.ui.first { it.tone == BannerTone.DONE && it.pendingChanges == 0uL } }
            list.close()
            sync.close()
            lead.close()
            sami.close()
        }
    }

    @Test
    fun `the household screen records a delivery and refuses one the donation cannot fund`() = runBlocking {
        Relay().use { relay ->
            val lead = relay.phone("leila")
            val antenna = lead.join(relay.url, relay.firstInvite, "Leila's phone", "Leila")
            lead.waitUntilUpToDate(antenna, Duration.ofSeconds(30))
            val fatma = lead.registerHousehold(antenna, household("Fatma Ben Ali"))
            val donation = lead.recordDonation(antenna, NewDonation(
                Gift.Goods("food parcel", 10u, "parcels"), "Épicerie Kamel", null, DonationStatus.RECEIVED, null, null,
            ))
            val screen = HouseholdDetailViewModel(lead, antenna, fatma, scope)
            assertEquals(listOf(donation), screen.ui.value.donations.map { it.id })

            assertFalse(screen.recordDelivery(NeedCategory.FOOD, "parcels", donation, "11"))
            val tooMany = screen.ui.value.error as JiranException.DonationUnavailable
            assertEquals(DonationProblem.TOO_LITTLE_LEFT, tooMany.reason, tooMany.detail)
            assertFalse(screen.recordDelivery(NeedCategory.FOOD, "parcels", donation, "1.5"))
            assertEquals(InputProblem.NotAnAmount, (screen.ui.value.error as JiranException.InvalidInput).problem,
                "parcels are counted whole")
            assertTrue(lead.household(fatma).deliveries.isEmpty(), "the refused delivery recorded nothing")

            assertTrue(screen.recordDelivery(NeedCategory.FOOD, "two parcels", donation, "2"))
            val shown = screen.ui.value
            assertNull(shown.error)
            assertEquals("two parcels", shown.household!!.deliveries.single().description)
            assertEquals(8uL, shown.donations.single().remaining)
            screen.close()
            lead.close()
        }
    }
}
