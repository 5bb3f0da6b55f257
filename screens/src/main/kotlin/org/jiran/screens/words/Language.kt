package org.jiran.screens.words

import androidx.compose.ui.unit.LayoutDirection
import java.util.Locale

/** The languages the screens speak: those of the antennas in Tunisia and France. */
enum class Language(val tag: String, val words: Words, val direction: LayoutDirection) {
    ENGLISH("en", English, LayoutDirection.Ltr),
    FRENCH("fr", French, LayoutDirection.Ltr),
    ARABIC("ar", Arabic, LayoutDirection.Rtl),
    ;

    companion object {
        /** The language of [locale], or English when the screens do not speak it. */
        fun of(locale: Locale): Language = entries.firstOrNull { it.tag == locale.language } ?: ENGLISH
    }
}
