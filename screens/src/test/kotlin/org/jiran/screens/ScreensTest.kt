package org.jiran.screens

import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.test.runDesktopComposeUiTest
import androidx.compose.ui.test.waitUntilAtLeastOneExists
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.jiran.core.JiranStore
import org.jiran.core.NewHousehold
import org.jiran.core.NewPerson
import org.jiran.core.Priority
import androidx.compose.ui.test.performTextClearance
import org.jiran.core.DonationStatus
import org.jiran.core.Gift
import org.jiran.core.NewDonation
import org.jiran.core.Relationship
import org.jiran.core.VulnerabilityFlags
import org.jiran.screens.words.Language
import org.jiran.tests.Relay
import org.junit.Test

/**
 * The screens driven as people use them, against real stores and a real relay process: a lead
 * joins and invites; a volunteer joins with the QR code's link, registers a family with the
 * relay down, and the lead sees the family once it is back. Every screen on the way is
 * rendered in English, French and Arabic to `target/screens`.
 */
@OptIn(ExperimentalTestApi::class)
class ScreensTest {
    private var language by mutableStateOf(Language.ENGLISH)
    private var phone by mutableStateOf<JiranStore?>(null)

    private fun SkikoComposeUiTest.show(store: JiranStore) {
        phone = store
        waitForIdle()
    }

    private fun SkikoComposeUiTest.renderAll(name: String) {
        for (each in Language.entries) {
            language = each
            render(name, each.tag)
        }
        language = Language.ENGLISH
        waitForIdle()
    }

    private fun SkikoComposeUiTest.waitFor(tag: String? = null, text: String? = null) {
        val matcher = tag?.let(::hasTestTag) ?: hasText(text!!, substring = true)
        waitUntilAtLeastOneExists(matcher, timeoutMillis = 30_000)
    }

    @Test
    fun a_lead_invites_a_volunteer_who_registers_a_family_offline_and_the_lead_sees_it() {
        // A phone-sized window, so that dialogs open where they would on a phone.
        runDesktopComposeUiTest(PHONE_WIDTH, PHONE_HEIGHT) { Relay().use { relay ->
            val lead = relay.phone("lead")
            val volunteer = relay.phone("volunteer")
            setContent {
                JiranTheme(language) {
                    val store = phone
                    if (store != null) key(store) { JiranApp(store, "test phone", relay.url) }
                }
            }

            // The lead joins with the code `antenna create` printed.
            show(lead)
            renderAll("join")
            onNodeWithTag("join-name").performTextInput("Leila")
            onNodeWithTag("join-code").performTextInput(relay.firstInvite)
            onNodeWithTag("join-button").performClick()
            waitFor(tag = "households")
            waitFor(tag = "team")
            renderAll("households-empty")

            // The team, and an invite for a volunteer as a QR code.
            onNodeWithTag("team").performClick()
            waitFor(text = "Leila")
            onNodeWithTag("invite-volunteer").performClick()
            waitFor(tag = "invite-link")
            val link = onNodeWithTag("invite-link").fetchSemanticsNode()
                .config.getOrNull(SemanticsProperties.Text)!!.joinToString("")
            assertTrue(link.startsWith("jiran://join?relay="), link)
            renderAll("team-invite")

            // The volunteer's phone reads the QR code's link and joins.
            show(volunteer)
            onNodeWithTag("join-name").performTextInput("Sami")
            onNodeWithTag("join-code").performTextInput(link)
            onNodeWithTag("join-button").performClick()
            waitFor(tag = "households")
            assertTrue(onAllNodes(hasTestTag("team")).fetchSemanticsNodes().isEmpty(), "a volunteer has no team screen")

            // The relay goes down; the volunteer registers a family all the same.
            relay.stop()
            onNodeWithTag("register").performClick()
            onNodeWithTag("head-name").performTextInput("فاطمة بن علي")
            onNodeWithTag("phone").performTextInput("+216 22 123 456")
            onNodeWithTag("address").performTextInput("Rue de la Mosquée, near the pharmacy")
            onNodeWithTag("add-member").performScrollTo().performClick()
            onNodeWithTag("member-name-0").performScrollTo().performTextInput("Youssef")
            onNodeWithTag("consent-keep").performScrollTo().performClick()
            onNodeWithTag("consent-phone").performScrollTo().performClick()
            renderAll("register")
            onNodeWithTag("register-save").performScrollTo().performClick()
            waitFor(text = "فاطمة بن علي")
            waitFor(text = "2 people")
            waitFor(text = "Youssef · Child")
            onNodeWithTag("note").performScrollTo().performTextInput("Needs insulin every month")
            onNodeWithTag("save-note").performScrollTo().performClick()
            waitFor(text = "Needs insulin every month")
            onNodeWithTag("back").performClick()
            waitFor(text = "فاطمة بن علي")
            renderAll("households-offline")
            // The sync line speaks the screen's language, not the core's English.
            language = Language.FRENCH
            waitFor(text = "Hors ligne : votre travail est gardé")
            language = Language.ENGLISH
            assertEquals(1, volunteer.antennas().size)

            // The relay is back: the family reaches the lead's list.
            relay.start()
            volunteer.syncNow()
            show(lead)
            lead.syncNow()
            waitFor(text = "فاطمة بن علي")
            renderAll("households-lead")
            onNodeWithText("فاطمة بن علي").performClick()
            waitFor(text = "Needs insulin every month")
            renderAll("household")

            // A donor's 100 dinars arrive; the lead gives part of them to the family, typed in
            // dinars as people write them, not in millimes.
            val antenna = lead.antennas().single().id
            lead.recordDonation(antenna, NewDonation(Gift.Money(100_000uL, "TND"), null, null, DonationStatus.RECEIVED, null, null))
            waitFor(tag = "record-delivery")
            waitUntil(timeoutMillis = 30_000) { onNodeWithTag("record-delivery").fetchSemanticsNode().config.contains(SemanticsProperties.Disabled).not() }
            onNodeWithTag("record-delivery").performScrollTo().performClick()
            waitFor(text = "100.000 TND")
            onNodeWithTag("delivery-description").performTextInput("Insulin")
            onNodeWithTag("delivery-amount").performTextInput("12.3456")
            onNodeWithTag("delivery-save").performClick()
            waitFor(text = "Amount: has too many decimals (3 at most)")
            renderAll("delivery-error")
            // The core's refusal is said in the screen's language, never in its English.
            language = Language.FRENCH
            waitFor(text = "Montant ou quantité : a trop de décimales")
            language = Language.ARABIC
            waitFor(text = "المبلغ أو الكمية: فيه أرقام عشرية كثيرة")
            language = Language.ENGLISH
            onNodeWithTag("delivery-amount").performTextClearance()
            onNodeWithTag("delivery-amount").performTextInput("12,5")
            onNodeWithTag("delivery-save").performClick()
            waitUntil(timeoutMillis = 30_000) { onAllNodes(hasTestTag("delivery-save")).fetchSemanticsNodes().isEmpty() }
            assertEquals(12_500uL, lead.donationBalances(antenna).single().delivered, "12,5 dinars are 12,500 millimes")

            // The lead, unaware, registers the same family again; the duplicates screen
            // shows the pair and one button merges it.
            lead.registerHousehold(antenna, sameFamily())
            onNodeWithTag("back").performClick()
            onNodeWithTag("duplicates").performClick()
            waitFor(tag = "merge-0")
            renderAll("duplicates")
            onNodeWithTag("merge-0").performClick()
            waitFor(text = "No family seems registered twice.")
            onNodeWithTag("back").performClick()
            waitFor(tag = "households")
            assertEquals(1, onAllNodes(hasText("فاطمة بن علي")).fetchSemanticsNodes().size)

            // Sami's phone is lost: the lead removes him from the team, after a confirmation.
            onNodeWithTag("team").performClick()
            waitFor(tag = "remove-Sami")
            renderAll("team")
            onNodeWithTag("remove-Sami").performClick()
            waitFor(tag = "confirm-remove")
            renderAll("team-remove")
            onNodeWithTag("confirm-remove").performClick()
            waitFor(text = "removed")
            assertTrue(lead.team(lead.antennas().single().id).single { it.displayName == "Sami" }.removedAt != null)
        } }
    }

    private fun sameFamily() = NewHousehold(
        members = listOf(NewPerson("فاطمة بن على", null, Relationship.HEAD, VulnerabilityFlags(
            elderly = false, disability = false, chronicIllness = false,
            childUnderFive = false, pregnant = false, lostInformalIncome = false,
        ))),
        phone = "+216 22 123 456",
        address = "Rue de la Mosquée",
        coordinates = null,
        keepData = true,
        shareWithMunicipality = false,
        contactByPhone = true,
        priority = Priority.HIGH,
        shock = null,
    )
}
