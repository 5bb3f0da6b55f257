//! Which households of an antenna may be one family registered twice.
//!
//! Pure functions over [`Fingerprint`]s (what the store's derived tables hold); the store
//! feeds them and acts on their answers. Scores are evidence for a lead to review, never an
//! automatic merge: two neighbours may share a phone, and "Mohamed Ben Ali" is a common name.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::ids::HouseholdId;
use crate::search;

/// Why two households may be one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DuplicateReason {
    /// The same phone number (spaces, dashes and the country prefix ignored).
    SamePhone,
    /// Head-of-household names that sound alike across spellings and scripts (Mohamed /
    /// Mohammed / Mhamed / محمد, Ben Ali / Benali, accents and case ignored).
    SimilarName,
    /// The same address or landmark, as far as the words typed go.
    SameLandmark,
    /// The same number of members.
    SameSize,
}

/// Two households a lead should look at together, with how sure the antenna can be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PossibleDuplicate {
    /// The older household (registered first), the natural one to keep.
    pub keep: HouseholdId,
    /// The newer household, the natural one to merge into `keep`.
    pub other: HouseholdId,
    /// 0 to 100: how much evidence points to one family. Pairs under
    /// [`LISTED_FROM`] are not listed.
    pub score: u8,
    /// The evidence, strongest first.
    pub reasons: Vec<DuplicateReason>,
}

/// The score from which a pair is listed: a shared phone alone, or a similar name at a similar
/// address, is enough; a common name alone is not.
pub const LISTED_FROM: u8 = 60;

const PHONE: u8 = 60;
const NAME: u8 = 35;
const LANDMARK: u8 = 25;
const SIZE: u8 = 10;

/// What duplicate detection knows of one household.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The household.
    pub id: HouseholdId,
    /// When it was registered (milliseconds), to order a pair.
    pub registered_at: i64,
    /// The head of household's name, as typed.
    pub head_name: Option<String>,
    /// The phone number, as typed.
    pub phone: Option<String>,
    /// The address or landmark, as typed.
    pub address: String,
    /// Members.
    pub size: u32,
}

/// A fingerprint prepared for comparison.
struct Prepared<'a> {
    fp: &'a Fingerprint,
    phone: Option<String>,
    /// Phonetic key of each word of the head's name.
    name_keys: Vec<String>,
    /// Phonetic key of the whole name written as one word.
    joined_key: String,
    address_words: BTreeSet<String>,
}

impl<'a> Prepared<'a> {
    fn new(fp: &'a Fingerprint) -> Self {
        let name = fp.head_name.as_deref().unwrap_or("");
        let folded = search::fold(name);
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        let name_keys = words
            .iter()
            .map(|w| search::phonetic_key(w))
            .filter(|k| !k.is_empty())
            .collect();
        Prepared {
            fp,
            phone: fp.phone.as_deref().and_then(search::phone_key),
            name_keys,
            joined_key: search::phonetic_key(&words.concat()),
            address_words: search::fold(&fp.address)
                .split(' ')
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

fn similar_names(a: &Prepared<'_>, b: &Prepared<'_>) -> bool {
    if a.joined_key.is_empty() || b.joined_key.is_empty() {
        return false;
    }
    if a.joined_key == b.joined_key {
        return true;
    }
    // Every word of the shorter name sounds like a word of the longer one ("Fatma Ben Ali"
    // and "Fatma Benali" are caught above; "Fatma Ben Ali" and "Fatma Ben Ali Trabelsi" here).
    let (short, long) = if a.name_keys.len() <= b.name_keys.len() {
        (a, b)
    } else {
        (b, a)
    };
    short.name_keys.len() >= 2 && short.name_keys.iter().all(|k| long.name_keys.contains(k))
}

/// The same address: the same house numbers (when both give any) and at least two thirds of
/// the words in common ("Rue de la Mosquée 3" is not "Rue de la Mosquée 4").
fn same_landmark(a: &Prepared<'_>, b: &Prepared<'_>) -> bool {
    let numbers = |p: &Prepared<'_>| -> BTreeSet<String> {
        p.address_words
            .iter()
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
            .cloned()
            .collect()
    };
    let (a_numbers, b_numbers) = (numbers(a), numbers(b));
    if !a_numbers.is_empty() && !b_numbers.is_empty() && a_numbers != b_numbers {
        return false;
    }
    let shared = a.address_words.intersection(&b.address_words).count();
    let all = a.address_words.union(&b.address_words).count();
    all > 0 && shared * 3 >= all * 2
}

fn compare(a: &Prepared<'_>, b: &Prepared<'_>) -> Option<PossibleDuplicate> {
    let mut score = 0u8;
    let mut reasons = Vec::new();
    if a.phone.is_some() && a.phone == b.phone {
        score += PHONE;
        reasons.push(DuplicateReason::SamePhone);
    }
    if similar_names(a, b) {
        score += NAME;
        reasons.push(DuplicateReason::SimilarName);
    }
    if same_landmark(a, b) {
        score += LANDMARK;
        reasons.push(DuplicateReason::SameLandmark);
    }
    if a.fp.size == b.fp.size && !reasons.is_empty() {
        score += SIZE;
        reasons.push(DuplicateReason::SameSize);
    }
    let score = score.min(100);
    if score < LISTED_FROM {
        return None;
    }
    let (keep, other) = if (a.fp.registered_at, a.fp.id) <= (b.fp.registered_at, b.fp.id) {
        (a.fp.id, b.fp.id)
    } else {
        (b.fp.id, a.fp.id)
    };
    Some(PossibleDuplicate {
        keep,
        other,
        score,
        reasons,
    })
}

/// Every listed pair among `households`, highest score first (then oldest first).
///
/// Only pairs that share a phone, a whole name's sound or two of its words' sounds are
/// compared (blocking): a pair with none of these cannot reach [`LISTED_FROM`] (see
/// `similar_names`), and blocks stay small even in an antenna where every other head is
/// called Mohamed.
pub fn find(households: &[Fingerprint]) -> Vec<PossibleDuplicate> {
    let prepared: Vec<Prepared<'_>> = households.iter().map(Prepared::new).collect();
    let mut blocks: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, p) in prepared.iter().enumerate() {
        if let Some(phone) = &p.phone {
            blocks.entry(format!("p:{phone}")).or_default().push(i);
        }
        blocks
            .entry(format!("j:{}", p.joined_key))
            .or_default()
            .push(i);
        // Names that may be similar share at least two word sounds (see `similar_names`):
        // block on each pair, which keeps blocks small even for common first names.
        for (n, first) in p.name_keys.iter().enumerate().take(6) {
            for second in p.name_keys.iter().skip(n + 1).take(5) {
                let (x, y) = if first <= second {
                    (first, second)
                } else {
                    (second, first)
                };
                blocks.entry(format!("k:{x}|{y}")).or_default().push(i);
            }
        }
    }
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    let mut out = Vec::new();
    for members in blocks.values() {
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                let pair = (i.min(j), i.max(j));
                if i == j || !seen.insert(pair) {
                    continue;
                }
                if let Some(found) = compare(&prepared[pair.0], &prepared[pair.1]) {
                    out.push(found);
                }
            }
        }
    }
    let registered: HashMap<HouseholdId, i64> =
        households.iter().map(|h| (h.id, h.registered_at)).collect();
    out.sort_by_key(|d| {
        (
            std::cmp::Reverse(d.score),
            registered.get(&d.keep).copied(),
            d.keep,
            d.other,
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(name: &str, phone: Option<&str>, address: &str, size: u32, at: i64) -> Fingerprint {
        Fingerprint {
            id: HouseholdId::random(),
            registered_at: at,
            head_name: Some(name.into()),
            phone: phone.map(Into::into),
            address: address.into(),
            size,
        }
    }

    #[test]
    fn test_a_shared_phone_is_listed_whatever_the_prefix_and_spacing() {
        let a = fp("Fatma Trabelsi", Some("+216 98 123 456"), "rue 5", 3, 1);
        let b = fp("Amel Gharbi", Some("98-123-456"), "cité Erriadh", 2, 2);
        let found = find(&[a.clone(), b.clone()]);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].keep, found[0].other), (a.id, b.id));
        assert_eq!(found[0].reasons, [DuplicateReason::SamePhone]);
        assert_eq!(found[0].score, 60);
    }

    #[test]
    fn test_spelling_and_script_variants_at_the_same_landmark_are_listed() {
        let base = fp("Mohamed Ben Ali", None, "Rue Ibn Khaldoun 12", 4, 1);
        for variant in [
            "Mohammed Benali",
            "MHAMED BEN-ALI",
            "محمد بن علي",
            "Mohamed Ben Ali",
        ] {
            let other = fp(variant, None, "rue ibn khaldoun 12", 4, 2);
            let found = find(&[base.clone(), other]);
            assert_eq!(found.len(), 1, "{variant}");
            assert_eq!(
                found[0].reasons,
                [
                    DuplicateReason::SimilarName,
                    DuplicateReason::SameLandmark,
                    DuplicateReason::SameSize
                ]
            );
            assert_eq!(found[0].score, 70);
        }
    }

    #[test]
    fn test_a_common_name_alone_or_a_shared_street_alone_is_not_listed() {
        let a = fp("Mohamed Ben Ali", None, "Rue Ibn Khaldoun 12", 4, 1);
        let b = fp(
            "Mohamed Ben Ali",
            None,
            "Cité Ennour, behind the mosque",
            4,
            2,
        );
        let c = fp("Salma Dridi", None, "Rue Ibn Khaldoun 12", 4, 3);
        let d = fp("Mohamed Ben Ali", None, "Rue Ibn Khaldoun 14", 4, 4);
        assert!(find(&[a, b, c, d]).is_empty());
    }
}
