package org.jiran.tests

import java.time.Duration
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlinx.coroutines.runBlocking
import org.jiran.core.DonationStatus
import org.jiran.core.Funding
import org.jiran.core.Gift
import org.jiran.core.DonationProblem
import org.jiran.core.InputProblem
import org.jiran.core.JiranException
import org.jiran.core.NeedCategory
import org.jiran.core.NewDelivery
import org.jiran.core.NewDonation
import org.jiran.core.NewNeed
import org.jiran.core.Role
import org.jiran.core.StoreChange
import org.jiran.core.StoreObserver
import org.jiran.core.SyncState
import org.jiran.core.SyncStatus
import org.jiran.core.Urgency
import org.junit.jupiter.api.Test

/** The generated Kotlin bindings over the real library, two phones and a real relay. */
class ScenarioTest {
    private class Recorder : StoreObserver {
        val changes = CopyOnWriteArrayList<StoreChange>()
        val statuses = CopyOnWriteArrayList<SyncStatus>()
        override fun onChange(change: StoreChange) { changes.add(change) }
        override fun onSyncStatus(status: SyncStatus) { statuses.add(status) }
    }

    @Test
    fun `a household registered with consent on one phone arrives with its need and delivery on the lead's`() = runBlocking {
        Relay().use { relay ->
            val lead = relay.phone("leila")
            val antenna = lead.join(relay.url, relay.firstInvite, "Leila's phone", "Leila")
            assertEquals(Role.LEAD, lead.antennas().single().role)
            val seen = Recorder()
            val subscription = lead.observe(seen)

            val invite = lead.invite(antenna, Role.VOLUNTEER, 1u, 48u)
            val sami = relay.phone("sami")
            assertEquals(antenna, sami.join(relay.url, invite.code, "Sami's phone", "Sami"))
            val status = sami.waitUntilUpToDate(antenna, Duration.ofSeconds(30))
            assertTrue(status?.state is SyncState.UpToDate, "Sami's phone: $status")

            val donation = lead.recordDonation(antenna, NewDonation(
                gift = Gift.Money(50_000u, "TND"), donor = null, custodian = null,
                status = DonationStatus.RECEIVED, restrictedTo = NeedCategory.FOOD, recordedAt = null,
            ))
            val fatma = sami.registerHousehold(antenna, household("Fatma Ben Ali", "+216 98 123 456"))
            sami.addNeed(fatma, NewNeed(NeedCategory.FOOD, "family of five", Urgency.HIGH))
            eventually("the donation on Sami's phone") {
                sami.donationBalances(antenna).singleOrNull { it.id == donation }
            }
            val delivery = sami.recordDelivery(antenna, NewDelivery(
                fatma, NeedCategory.FOOD, "food parcel", listOf(Funding(donation, 12_000u)), null,
            ))

            val detail = eventually("the delivery on the lead's phone") {
                runCatching { lead.household(fatma) }.getOrNull()?.takeIf { it.deliveries.isNotEmpty() }
            }
            assertEquals("Fatma Ben Ali", detail.members.first().name)
            assertTrue(detail.consent.keepData)
            assertEquals(listOf(NeedCategory.FOOD), detail.needs.map { it.category })
            assertEquals(delivery, detail.deliveries.single().id)
            assertEquals(fatma, lead.search(antenna, "فاطمة", 5u).first().id, "found in Arabic script")
            val balance = eventually("the balance") {
                lead.donationBalances(antenna).singleOrNull { it.delivered == 12_000uL }
            }
            assertEquals(38_000uL, balance.remaining)
            assertEquals(1u, balance.householdsReached)

            eventually("the household change on the lead's observer") {
                seen.changes.firstOrNull { it == StoreChange.Household(antenna, fatma) }
            }
            eventually("an up-to-date status with a sentence") {
                seen.statuses.firstOrNull { it.antenna == antenna && it.state is SyncState.UpToDate && it.message.isNotBlank() }
            }
            subscription.cancel()
            lead.close()
            sami.close()
        }
    }

    @Test
    fun `errors arrive as Kotlin exceptions with messages a volunteer can act on`() = runBlocking {
        Relay().use { relay ->
            val phone = relay.phone("amel")
            val refused = assertFailsWith<JiranException.InviteRefused> {
                phone.join(relay.url, "not-a-code", "Amel's phone", "Amel")
            }
            assertTrue("ask your antenna lead" in refused.detail, refused.detail)
            assertFailsWith<JiranException.RelayUnreachable> {
                phone.join("http://127.0.0.1:9", "x", "Amel's phone", "Amel")
            }
            assertTrue(phone.antennas().isEmpty(), "a refused join records nothing")

            val antenna = phone.join(relay.url, relay.firstInvite, "Amel's phone", "Amel")
            phone.waitUntilUpToDate(antenna, Duration.ofSeconds(30))
            val invalid = assertFailsWith<JiranException.InvalidInput> {
                phone.registerHousehold(antenna, household("   "))
            }
            assertEquals(InputProblem.Empty, invalid.problem, invalid.detail)
            assertTrue("name" in invalid.field, invalid.field)
            val badId = assertFailsWith<JiranException.InvalidInput> { phone.household("not a household id") }
            assertEquals(InputProblem.NotAnId, badId.problem, badId.detail)
            val notFound = assertFailsWith<JiranException.DonationUnavailable> {
                val fatma = phone.registerHousehold(antenna, household("Fatma"))
                val pledged = phone.recordDonation(antenna, NewDonation(
                    Gift.Money(1_000u, "TND"), null, null, DonationStatus.PLEDGED, null, null,
                ))
                phone.recordDelivery(antenna, NewDelivery(fatma, NeedCategory.FOOD, "parcel", listOf(Funding(pledged, 500u)), null))
            }
            assertEquals(DonationProblem.NOT_RECEIVED, notFound.reason, notFound.detail)
            assertTrue(phone.overview(antenna).balances.all { it.delivered == 0uL }, "the refused delivery left nothing")
            phone.close()
        }
    }
}
