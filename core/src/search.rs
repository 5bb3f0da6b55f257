//! Search keys for names and phone numbers, so a volunteer finds a household however its name
//! was typed: any case, with or without accents, in Arabic script or in Latin
//! transliteration ("Mohamed", "Mohammed", "Mhamed" and "محمد" all meet).
//!
//! Pure functions; the store keeps their output in a local table that it can rebuild from the
//! household documents at any time.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lowercase, accents and Arabic diacritics removed, punctuation turned into spaces, spaces
/// collapsed: "  Hédi  BEN-Ali " becomes "hedi ben ali".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text
        .nfkd()
        .filter(|c| !is_combining_mark(*c) && !is_tatweel(*c))
    {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

fn is_tatweel(c: char) -> bool {
    c == '\u{0640}'
}

/// A script-independent consonant skeleton of one word, for fuzzy matching across spelling
/// and transliteration variants. Vowels and weak letters are dropped except at the start,
/// letters that transliterate alike are merged and doubled letters collapse. Different names
/// can share a key (Mohamed and Mahmoud do): it widens a search, it does not decide identity.
pub fn phonetic_key(word: &str) -> String {
    let folded = fold(word);
    let mut classes: Vec<char> = Vec::with_capacity(folded.len());
    let mut chars: Vec<char> = folded.chars().filter(|c| !c.is_whitespace()).collect();
    // The Arabic article is not written in Latin transliterations (الطرابلسي, Trabelsi).
    if chars.len() > 3 && chars.starts_with(&['ا', 'ل']) {
        chars.drain(..2);
    }
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        // Latin digraphs used to transliterate single Arabic letters.
        let (class, width) = match (c, next) {
            ('c' | 's', Some('h')) => (Some('s'), 2),
            ('k', Some('h')) => (Some('k'), 2),
            ('g', Some('h')) => (Some('g'), 2),
            ('t', Some('h')) => (Some('t'), 2),
            ('d', Some('h')) => (Some('d'), 2),
            ('d', Some('j')) => (Some('g'), 2),
            ('o', Some('u')) => (Some('a'), 2),
            _ => (letter_class(c), 1),
        };
        if let Some(class) = class {
            classes.push(class);
        }
        i += width;
    }
    let mut key = String::with_capacity(classes.len());
    let mut previous = None;
    for (i, class) in classes.iter().copied().enumerate() {
        // A doubled letter ("mm", or a shadda already folded away) counts once.
        if previous == Some(class) {
            continue;
        }
        previous = Some(class);
        if class != 'a' || i == 0 {
            key.push(class);
        }
    }
    key
}

/// The class of one folded character: `a` for vowels and weak letters, a consonant letter
/// otherwise, `None` for characters that carry no sound (ta marbuta, hamza seats, digits).
fn letter_class(c: char) -> Option<char> {
    Some(match c {
        'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'w' => 'a',
        'b' | 'p' => 'b',
        't' => 't',
        'c' | 'k' | 'q' => 'k',
        'g' | 'j' => 'g',
        'x' => 'k',
        'v' | 'f' => 'f',
        'z' => 'z',
        'h' | 'd' | 'r' | 's' | 'l' | 'm' | 'n' => c,
        // Arabic letters (after NFKD, hamza forms are split into base letter + mark).
        'ا' | 'ى' | 'ي' | 'و' | 'ع' | 'ء' | 'ئ' | 'ؤ' | 'أ' | 'إ' | 'آ' => 'a',
        'ب' | 'پ' => 'b',
        'ت' | 'ط' | 'ث' => 't',
        'ج' | 'غ' | 'گ' => 'g',
        'ح' | 'ه' => 'h',
        'خ' | 'ك' | 'ق' | 'ڨ' => 'k',
        'د' | 'ض' | 'ذ' => 'd',
        'ر' => 'r',
        'ز' | 'ظ' => 'z',
        'س' | 'ص' | 'ش' => 's',
        'ف' | 'ڤ' => 'f',
        'ل' => 'l',
        'م' => 'm',
        'ن' => 'n',
        _ => return None,
    })
}

/// The digits of a phone number, without a leading international prefix marker.
pub fn phone_digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// The last eight digits of a phone number (a Tunisian or French subscriber number without
/// its prefix), or `None` when too few digits were typed to mean anything.
pub fn phone_key(phone: &str) -> Option<String> {
    let digits = phone_digits(phone);
    (digits.len() >= 6).then(|| digits[digits.len().saturating_sub(8)..].to_owned())
}

/// The search terms of one name: each folded word and its phonetic key, and the same for
/// adjacent words and the whole name written as one word (so "Ben Ali" meets "Benali").
pub fn name_terms(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut terms = Vec::new();
    for word in folded.split(' ').filter(|w| !w.is_empty()) {
        terms.push(format!("w:{word}"));
        let key = phonetic_key(word);
        if !key.is_empty() {
            terms.push(format!("k:{key}"));
        }
    }
    // Words written together or apart ("Ben Ali", "Benali"): each adjacent pair and the
    // whole name, joined.
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut joined: Vec<String> = words.windows(2).map(|pair| pair.concat()).collect();
    joined.push(words.concat());
    for word in joined {
        terms.push(format!("w:{word}"));
        let key = phonetic_key(&word);
        if !key.is_empty() {
            terms.push(format!("k:{key}"));
        }
    }
    terms.sort();
    terms.dedup();
    terms
}

/// How a query is matched: each of its words must match some term of the household, by
/// folded prefix or by phonetic-key prefix; a query of digits also matches phone numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// Per word: the folded word and its phonetic key.
    pub words: Vec<(String, String)>,
    /// The query's digits, when it looks like a phone number (at least 3 digits, no letters).
    pub digits: Option<String>,
}

impl Query {
    /// Parses what the volunteer typed.
    pub fn parse(typed: &str) -> Query {
        let folded = fold(typed);
        let letters = folded.chars().any(char::is_alphabetic);
        let digits = phone_digits(typed);
        let digits = (!letters && digits.len() >= 3).then_some(digits);
        let words = if letters {
            folded
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(|w| (w.to_owned(), phonetic_key(w)))
                .collect()
        } else {
            Vec::new()
        };
        Query { words, digits }
    }

    /// Nothing to search for.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.digits.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_key(a: &str, b: &str) {
        assert_eq!(phonetic_key(a), phonetic_key(b), "{a} vs {b}");
    }

    #[test]
    fn test_fold_ignores_case_accents_and_punctuation() {
        assert_eq!(fold("  Hédi  BEN-Ali "), "hedi ben ali");
        assert_eq!(fold("Çağla Öztürk"), "cagla ozturk");
        assert_eq!(fold("مُحَمَّد"), "محمد");
    }

    #[test]
    fn test_transliteration_variants_share_a_key() {
        for v in [
            "Mohammed", "Mhamed", "Muhammad", "محمد", "MOHAMED", "Mohamed",
        ] {
            same_key("Mohamed", v);
        }
        same_key("Fatma", "فاطمة");
        same_key("Fatima", "Fatma");
        same_key("Youssef", "يوسف");
        same_key("Youssef", "Yousef");
        same_key("Ahmed", "أحمد");
        same_key("Chaouch", "شاوش");
        same_key("Abdelkader", "عبدالقادر");
        same_key("Hédi", "Hedi");
        same_key("Trabelsi", "الطرابلسي");
        same_key("Jebali", "الجبالي");
    }

    #[test]
    fn test_different_names_keep_different_keys() {
        assert_ne!(phonetic_key("Mohamed"), phonetic_key("Ahmed"));
        assert_ne!(phonetic_key("Fatma"), phonetic_key("Salma"));
        assert_ne!(phonetic_key("Ali"), phonetic_key("Adel"));
    }

    #[test]
    fn test_name_terms_join_split_family_names() {
        let split = name_terms("Ben Ali");
        let joined = name_terms("Benali");
        let arabic = name_terms("بن علي");
        let key = format!("k:{}", phonetic_key("benali"));
        assert!(split.contains(&key) && joined.contains(&key) && arabic.contains(&key));
    }

    #[test]
    fn test_queries_split_words_and_digits() {
        let q = Query::parse("98 123");
        assert_eq!(q.digits.as_deref(), Some("98123"));
        assert!(q.words.is_empty());
        let q = Query::parse("Fatma Ben");
        assert_eq!(q.words.len(), 2);
        assert!(q.digits.is_none());
        assert!(Query::parse("  ").is_empty());
    }
}
