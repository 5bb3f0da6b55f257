package org.jiran.screens

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.testTag
import org.jiran.core.JiranException
import org.jiran.screens.words.ErrorWords

/**
 * The core's error in the screen's language, from its code and fields; the core's English
 * sentence (`detail`) is never shown inside a French or Arabic screen. Exhaustive: a new kind
 * of error fails the build here until it has words.
 */
fun ErrorWords.say(error: JiranException): String = when (error) {
    is JiranException.InvalidInput -> {
        val problem = problem(error.problem)
        field(error.field)?.let { fieldProblem(it, problem) } ?: problem.replaceFirstChar { it.titlecase() }
    }
    is JiranException.FileRefused -> fileRefused
    is JiranException.NotFound -> notFound(error.missing)
    is JiranException.Erased -> erased
    is JiranException.NotPermitted -> notPermitted(error.role)
    is JiranException.LastLead -> lastLead
    is JiranException.DonationUnavailable -> donation(error.reason)
    is JiranException.InviteRefused -> inviteRefused
    is JiranException.NeedsNewInvite -> needsNewInvite
    is JiranException.RelayUnreachable -> relayUnreachable
    is JiranException.RelayProblem -> relayProblem
    is JiranException.UpdateTheApp -> updateTheApp
    is JiranException.StorageProblem -> storage
    is JiranException.Internal -> internal
}

/** An error line under a form or list, in the screen's language; nothing when there is none. */
@Composable
fun ErrorLine(error: JiranException?) {
    error ?: return
    Text(LocalWords.current.errors.say(error), Modifier.testTag("error"), color = MaterialTheme.colorScheme.error)
}
