package org.jiran.screens.words

import org.jiran.core.DonationProblem
import org.jiran.core.InputProblem
import org.jiran.core.Missing
import org.jiran.core.Role

/**
 * The core's errors in one language. The core sends a code and its fields
 * (`JiranException`); these words say it. `problem` is an exhaustive `when` in each language,
 * so a new core problem fails the build until it has words in English, French and Arabic.
 */
data class ErrorWords(
    /** The label of a field the core names (`phone`, `birth_year`, ...); null for a field no screen shows. */
    val field: (String) -> String?,
    val problem: (InputProblem) -> String,
    /** A field's label and its problem in one sentence, with the language's punctuation. */
    val fieldProblem: (field: String, problem: String) -> String,
    val fileRefused: String,
    val notFound: (Missing) -> String,
    val erased: String,
    /** The member's role, or null when the phone is not a member of the antenna. */
    val notPermitted: (Role?) -> String,
    val lastLead: String,
    val donation: (DonationProblem) -> String,
    val inviteRefused: String,
    val needsNewInvite: String,
    val relayUnreachable: String,
    val relayProblem: String,
    val updateTheApp: String,
    val storage: String,
    val internal: String,
)
