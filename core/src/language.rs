//! The languages the antenna's shared documents are written in: the transparency report
//! ([`crate::TransparencyReport::to_html`]) and the delivery receipt
//! ([`crate::DeliveryReceipt::to_text`]). Those of the antennas in Tunisia and France:
//! English, French and Arabic (right to left).
//!
//! The words of each language are one [`Words`] value (`words.rs`): a language missing a word
//! does not compile, and no sentence is assembled from English pieces.

mod words;

pub(crate) use words::Words;

/// A language a report or a receipt is written in, chosen by the caller (the member's screen
/// language, or the donors'). Numbers stay in Western digits in every language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    /// English, left to right.
    English,
    /// French, left to right.
    French,
    /// Arabic, right to left.
    Arabic,
}

impl Language {
    /// Every language, in declaration order.
    pub const ALL: [Language; 3] = [Language::English, Language::French, Language::Arabic];

    /// The BCP 47 language code: `en`, `fr` or `ar` (what HTML's `lang` says).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
            Language::Arabic => "ar",
        }
    }

    /// Whether the language is written right to left (Arabic): pages say `dir="rtl"` and the
    /// report's chart is mirrored.
    pub fn is_right_to_left(self) -> bool {
        matches!(self, Language::Arabic)
    }

    /// The language of a code such as `fr`, `fr-FR` or `ar_TN` (case does not matter), `None`
    /// for a language the documents are not written in.
    pub fn parse(code: &str) -> Option<Language> {
        let primary = code.split(['-', '_']).next()?.to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The words of this language.
    pub(crate) fn words(self) -> &'static Words {
        match self {
            Language::English => &words::ENGLISH,
            Language::French => &words::FRENCH,
            Language::Arabic => &words::ARABIC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_codes_and_directions() {
        let codes: Vec<_> = Language::ALL.iter().map(|l| l.code()).collect();
        assert_eq!(codes, ["en", "fr", "ar"]);
        assert!(Language::Arabic.is_right_to_left());
        assert!(!Language::French.is_right_to_left());
        for (code, language) in [
            ("fr-FR", Language::French),
            ("AR_tn", Language::Arabic),
            ("en", Language::English),
        ] {
            assert_eq!(Language::parse(code), Some(language), "{code}");
        }
        assert_eq!(Language::parse("de"), None);
    }
}
