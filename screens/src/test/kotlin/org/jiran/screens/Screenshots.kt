package org.jiran.screens

import androidx.compose.ui.graphics.toAwtImage
import androidx.compose.ui.semantics.SemanticsActions
import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.semantics.getOrNull
import androidx.compose.ui.test.ExperimentalTestApi
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SkikoComposeUiTest
import androidx.compose.ui.text.TextLayoutResult
import java.awt.image.BufferedImage
import java.io.File
import javax.imageio.ImageIO
import kotlin.test.assertTrue
import kotlin.test.fail

/** Where the renders go (`screens/target/screens`, from the pom), one PNG per screen and language. */
val screenshots = File(System.getProperty("jiran.screenshots") ?: "target/screens")

/**
 * Renders the whole window (dialogs included) to `<name>-<language>.png`, and fails when the render is
 * blank (a single colour, or almost nothing drawn) or when any text on it was cut (its layout
 * overflowed the room it was given: a clipped label, or a line ellipsised).
 */
@OptIn(ExperimentalTestApi::class)
fun SkikoComposeUiTest.render(name: String, language: String): File {
    waitForIdle()
    val image = captureToImage().toAwtImage()
    screenshots.mkdirs()
    val file = File(screenshots, "$name-$language.png")
    ImageIO.write(image, "png", file)
    assertTrue(drawnShare(image) > 0.01, "$file is blank")
    val cut = onAllNodesWithText().filter { text ->
        val layouts = mutableListOf<TextLayoutResult>()
        val action = text.config.getOrNull(SemanticsActions.GetTextLayoutResult)?.action
        action?.invoke(layouts)
        layouts.any(::isCut)
    }.map { it.config.getOrNull(SemanticsProperties.Text)?.joinToString() }
    if (cut.isNotEmpty()) fail("$file has text cut off: $cut")
    return file
}

/**
 * Whether a text did not fit in the width it was given (a line longer than its box, an
 * ellipsis, or lines beyond its maximum). Height is not judged: the fonts here are taller
 * than Material's line heights by a pixel without anything being hidden.
 */
private fun isCut(layout: TextLayoutResult): Boolean {
    val room = layout.layoutInput.constraints.maxWidth + 0.5f
    return layout.multiParagraph.didExceedMaxLines || (0 until layout.lineCount).any { line ->
        layout.isLineEllipsized(line) || layout.getLineRight(line) - layout.getLineLeft(line) > room
    }
}

@OptIn(ExperimentalTestApi::class)
private fun SkikoComposeUiTest.onAllNodesWithText() =
    onAllNodes(SemanticsMatcher.keyIsDefined(SemanticsProperties.Text), useUnmergedTree = true)
        .fetchSemanticsNodes()

/** The share of pixels that differ from the most common colour (the background). */
private fun drawnShare(image: BufferedImage): Double {
    val counts = HashMap<Int, Int>()
    for (y in 0 until image.height) for (x in 0 until image.width) counts.merge(image.getRGB(x, y), 1, Int::plus)
    val background = counts.values.maxOrNull() ?: return 0.0
    return 1.0 - background.toDouble() / (image.width * image.height)
}

/** The test window: a common Android phone's size in dp (at density 1). */
const val PHONE_WIDTH = 412
const val PHONE_HEIGHT = 800
