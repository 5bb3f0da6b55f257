package org.jiran.screens

import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.size
import androidx.compose.runtime.getValue
import androidx.compose.runtime.key
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.setValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onNodeWithTag
import androidx.compose.ui.test.onNodeWithText
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.performTextInput
import androidx.compose.ui.unit.dp
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import org.jiran.core.JiranStore
import org.jiran.core.NewHousehold
import org.jiran.core.NewPerson
import org.jiran.core.Priority
import org.jiran.core.Relationship
import org.jiran.core.VulnerabilityFlags
import org.jiran.screens.words.Language
import org.jiran.tests.Relay
import org.junit.Rule
import org.junit.Test

/**
 * The screens driven as people use them, against real stores and a real relay process: a lead
 * joins and invites; a volunteer joins with the QR code's link, registers a family with the
 * relay down, and the lead sees the family once it is back. Every screen on the way is
 * rendered in English, French and Arabic to `target/screens`.
 */
@OptIn(ExperimentalTestApi::class)
class ScreensTest {
    @get:Rule
    val rule = createComposeRule()

    private var language by mutableStateOf(Language.ENGLISH)
    private var phone by mutableStateOf<JiranStore?>(null)

    private fun show(store: JiranStore, relay: Relay) {
        phone = store
        rule.waitForIdle()
    }

    private fun renderAll(name: String) {
        for (each in Language.entries) {
            language = each
            rule.render(name, each.tag)
        }
        language = Language.ENGLISH
        rule.waitForIdle()
    }

    private fun waitFor(tag: String? = null, text: String? = null) {
        val matcher = tag?.let(::hasTestTag) ?: hasText(text!!, substring = true)
        rule.waitUntilAtLeastOneExists(matcher, timeoutMillis = 30_000)
    }

    @Test
    fun a_lead_invites_a_volunteer_who_registers_a_family_offline_and_the_lead_sees_it() {
        Relay().use { relay ->
            val lead = relay.phone("lead")
            val volunteer = relay.phone("volunteer")
            rule.setContent {
                JiranTheme(language) {
                    Box(Modifier.size(420.dp, 760.dp).testTag(SCREEN)) {
                        val store = phone
                        if (store != null) key(store) { JiranApp(store, "test phone", relay.url) }
                    }
                }
            }

            // The lead joins with the code `antenna create` printed.
            show(lead, relay)
            renderAll("join")
            rule.onNodeWithTag("join-name").performTextInput("Leila")
            rule.onNodeWithTag("join-code").performTextInput(relay.firstInvite)
            rule.onNodeWithTag("join-button").performClick()
            waitFor(tag = "households")
            waitFor(tag = "team")
            renderAll("households-empty")

            // The team, and an invite for a volunteer as a QR code.
            rule.onNodeWithTag("team").performClick()
            waitFor(text = "Leila")
            rule.onNodeWithTag("invite-volunteer").performClick()
            waitFor(tag = "invite-link")
            val link = rule.onNodeWithTag("invite-link").fetchSemanticsNode()
                .config.getOrNull(SemanticsProperties.Text)!!.joinToString("")
            assertTrue(link.startsWith("jiran://join?relay="), link)
            renderAll("team-invite")

            // The volunteer's phone reads the QR code's link and joins.
            show(volunteer, relay)
            rule.onNodeWithTag("join-name").performTextInput("Sami")
            rule.onNodeWithTag("join-code").performTextInput(link)
            rule.onNodeWithTag("join-button").performClick()
            waitFor(tag = "households")
            assertTrue(rule.onAllNodes(hasTestTag("team")).fetchSemanticsNodes().isEmpty(), "a volunteer has no team screen")

            // The relay goes down; the volunteer registers a family all the same.
            relay.stop()
            rule.onNodeWithTag("register").performClick()
            rule.onNodeWithTag("head-name").performTextInput("فاطمة بن علي")
            rule.onNodeWithTag("phone").performTextInput("+216 22 123 456")
            rule.onNodeWithTag("address").performTextInput("Rue de la Mosquée, near the pharmacy")
            rule.onNodeWithTag("add-member").performScrollTo().performClick()
            rule.onNodeWithTag("member-name-0").performScrollTo().performTextInput("Youssef")
            rule.onNodeWithTag("consent-keep").performScrollTo().performClick()
            rule.onNodeWithTag("consent-phone").performScrollTo().performClick()
            renderAll("register")
            rule.onNodeWithTag("register-save").performScrollTo().performClick()
            waitFor(text = "فاطمة بن علي")
            waitFor(text = "2 people")
            waitFor(text = "Youssef · Child")
            rule.onNodeWithTag("note").performScrollTo().performTextInput("Needs insulin every month")
            rule.onNodeWithTag("save-note").performScrollTo().performClick()
            waitFor(text = "Needs insulin every month")
            rule.onNodeWithTag("back").performClick()
            waitFor(text = "فاطمة بن علي")
            renderAll("households-offline")
            assertEquals(1, volunteer.antennas().size)

            // The relay is back: the family reaches the lead's list.
            relay.start()
            volunteer.syncNow()
            show(lead, relay)
            lead.syncNow()
            waitFor(text = "فاطمة بن علي")
            renderAll("households-lead")
            rule.onNodeWithText("فاطمة بن علي").performClick()
            waitFor(text = "Needs insulin every month")
            renderAll("household")

            // The lead, unaware, registers the same family again; the duplicates screen
            // shows the pair and one button merges it.
            lead.registerHousehold(lead.antennas().single().id, sameFamily())
            rule.onNodeWithTag("back").performClick()
            rule.onNodeWithTag("duplicates").performClick()
            waitFor(tag = "merge-0")
            renderAll("duplicates")
            rule.onNodeWithTag("merge-0").performClick()
            waitFor(text = "No family seems registered twice.")
            rule.onNodeWithTag("back").performClick()
            waitFor(tag = "households")
            assertEquals(1, rule.onAllNodes(hasText("فاطمة بن علي")).fetchSemanticsNodes().size)
        }
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
