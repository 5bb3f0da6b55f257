//! A generated antenna with known duplicates, to measure duplicate detection: families with
//! common Tunisian names in Latin and Arabic script, and for some of them a second
//! registration by another volunteer, typed differently (spelling and transliteration
//! variants, a phone written another way or missing, the address typed again or a landmark
//! instead, a member more or less).
//!
//! Used by the floor on duplicate detection's precision and recall (the end-to-end test
//! `duplicates`) and by `duplicate_quality`, which measures them at 5,000 households.

use std::collections::HashSet;

use crate::{HouseholdId, NewHousehold, NewPerson, Priority, Relationship};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// First names, each with the ways volunteers wrote it.
const FIRST: &[&[&str]] = &[
    &["Mohamed", "Mohammed", "Mhamed", "محمد"],
    &["Fatma", "Fatima", "فاطمة"],
    &["Ahmed", "Ahmad", "أحمد"],
    &["Youssef", "Yousef", "يوسف"],
    &["Salma", "Selma", "سلمى"],
    &["Hedi", "Hédi", "الهادي"],
    &["Naima", "Naïma", "نعيمة"],
    &["Karim", "Kareem", "كريم"],
    &["Leila", "Leïla", "ليلى"],
    &["Amel", "Amal", "أمل"],
    &["Sami", "Samy", "سامي"],
    &["Rim", "Rym", "ريم"],
    &["Walid", "Oualid", "وليد"],
    &["Hend", "Hind", "هند"],
    &["Sonia", "Sounia", "سنية"],
    &["Mounir", "Monir", "منير"],
    &["Nabil", "Nebil", "نبيل"],
    &["Khadija", "Khedija", "خديجة"],
    &["Slim", "Selim", "سليم"],
    &["Imen", "Imene", "إيمان"],
];

/// Family names, each with the ways volunteers wrote it.
const FAMILY: &[&[&str]] = &[
    &["Ben Ali", "Benali", "BEN-ALI", "بن علي"],
    &["Trabelsi", "Trabelssi", "الطرابلسي"],
    &["Gharbi", "El Gharbi", "الغربي"],
    &["Chaouch", "Chaouche", "شاوش"],
    &["Khemiri", "Khmiri", "الخميري"],
    &["Jebali", "Jbali", "الجبالي"],
    &["Ayari", "Ayyari", "العياري"],
    &["Mejri", "Mejeri", "الماجري"],
    &["Hammami", "Hamami", "الحمامي"],
    &["Sassi", "Sassy", "ساسي"],
    &["Dridi", "Dridy", "الدريدي"],
    &["Zouari", "Zwari", "الزواري"],
    &["Baccouche", "Bakkouch", "بكوش"],
    &["Mansouri", "Mansoury", "المنصوري"],
    &["Ben Salah", "Bensalah", "بن صالح"],
    &["Ferchichi", "Farchichi", "الفرشيشي"],
];

const STREETS: &[&str] = &[
    "Rue Ibn Khaldoun",
    "Rue de la Mosquée",
    "Avenue Habib Bourguiba",
    "Rue Tahar Haddad",
    "Impasse des Oliviers",
    "Rue Farhat Hached",
    "Cité Ennour bloc",
    "Cité Erriadh bloc",
    "Rue du Marché",
    "Rue Ali Belhouane",
    "Rue de Marseille",
    "Rue Abou El Kacem Chebbi",
];

const LANDMARKS: &[&str] = &[
    "behind the Saf Saf café",
    "near the old hammam",
    "opposite the pharmacy",
    "next to the primary school",
    "by the bus stop",
];

/// One generated antenna: the households to register, in order, and which pairs (by index)
/// are one family registered twice.
#[derive(Debug)]
pub struct Families {
    /// Households to register, in order.
    pub households: Vec<NewHousehold>,
    /// Index pairs `(first registration, second registration)` of the same family.
    pub duplicates: HashSet<(usize, usize)>,
}

/// `count` households of which `duplicate_share` (0 to 1) are second registrations of an
/// earlier family; the same `seed` gives the same antenna.
pub fn generate(count: usize, duplicate_share: f64, seed: u64) -> Families {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut households: Vec<NewHousehold> = Vec::with_capacity(count);
    // What each household was generated from: (first, family, phone, street, number, size).
    let mut origins: Vec<(usize, usize, String, usize, u32, usize)> = Vec::new();
    let mut duplicates = HashSet::new();
    let mut phones = HashSet::new();
    while households.len() < count {
        let i = households.len();
        if i > 10 && rng.random_bool(duplicate_share) {
            let original = rng.random_range(0..i);
            if duplicates
                .iter()
                .any(|(a, b)| *a == original || *b == original)
            {
                continue;
            }
            let (first, family, phone, street, number, size) = origins[original].clone();
            let name = format!(
                "{} {}",
                pick(&mut rng, FIRST[first]),
                pick(&mut rng, FAMILY[family])
            );
            let phone = match rng.random_range(0..10) {
                0..=3 => Some(phone.clone()),
                4..=5 => Some(format!("+216 {}", spaced(&phone))),
                6..=8 => None,
                _ => Some(new_phone(&mut rng, &mut phones)),
            };
            let address = match rng.random_range(0..4) {
                0 => format!("{} {number}", STREETS[street]).to_uppercase(),
                1 => format!("{}, {number}", STREETS[street].to_lowercase()),
                2 => format!("{} {number}", STREETS[street]),
                _ => pick(&mut rng, LANDMARKS).to_owned(),
            };
            let size = match rng.random_range(0..10) {
                0..=6 => size,
                7..=8 => size + 1,
                _ => size.saturating_sub(1).max(1),
            };
            households.push(family_of(&name, Some(phone).flatten(), &address, size));
            origins.push(origins[original].clone());
            duplicates.insert((original, i));
        } else {
            let first = rng.random_range(0..FIRST.len());
            let family = rng.random_range(0..FAMILY.len());
            let phone = new_phone(&mut rng, &mut phones);
            let street = rng.random_range(0..STREETS.len());
            let number = rng.random_range(1..60);
            let size = rng.random_range(1..8);
            let name = format!(
                "{} {}",
                pick(&mut rng, FIRST[first]),
                pick(&mut rng, FAMILY[family])
            );
            let address = format!("{} {number}", STREETS[street]);
            let has_phone = rng.random_bool(0.8);
            households.push(family_of(
                &name,
                has_phone.then(|| phone.clone()),
                &address,
                size,
            ));
            origins.push((first, family, phone, street, number, size));
        }
    }
    Families {
        households,
        duplicates,
    }
}

/// Precision and recall of `found` (pairs of registered households) against the known
/// duplicates, given the id each generated household was registered under.
pub fn precision_recall(
    families: &Families,
    ids: &[HouseholdId],
    found: &[(HouseholdId, HouseholdId)],
) -> (f64, f64) {
    let truth: HashSet<(HouseholdId, HouseholdId)> = families
        .duplicates
        .iter()
        .map(|&(a, b)| ordered(ids[a], ids[b]))
        .collect();
    let found: HashSet<_> = found.iter().map(|&(a, b)| ordered(a, b)).collect();
    let right = found.intersection(&truth).count() as f64;
    let precision = if found.is_empty() {
        1.0
    } else {
        right / found.len() as f64
    };
    (precision, right / truth.len().max(1) as f64)
}

fn ordered(a: HouseholdId, b: HouseholdId) -> (HouseholdId, HouseholdId) {
    (a.min(b), a.max(b))
}

fn pick<'a>(rng: &mut StdRng, options: &[&'a str]) -> &'a str {
    options[rng.random_range(0..options.len())]
}

fn new_phone(rng: &mut StdRng, used: &mut HashSet<String>) -> String {
    loop {
        let phone = format!("{}", rng.random_range(20_000_000..99_999_999u32));
        if used.insert(phone.clone()) {
            return phone;
        }
    }
}

fn spaced(phone: &str) -> String {
    format!("{} {} {}", &phone[..2], &phone[2..5], &phone[5..])
}

fn family_of(name: &str, phone: Option<String>, address: &str, size: usize) -> NewHousehold {
    let mut members = vec![NewPerson {
        name: name.to_owned(),
        birth_year: Some(1975),
        relationship: Relationship::Head,
        flags: Default::default(),
    }];
    for n in 1..size {
        members.push(NewPerson {
            name: format!("Child {n}"),
            birth_year: Some(2010),
            relationship: Relationship::Child,
            flags: Default::default(),
        });
    }
    NewHousehold {
        members,
        phone,
        address: address.to_owned(),
        coordinates: None,
        keep_data: true,
        share_with_municipality: false,
        contact_by_phone: true,
        priority: Priority::Normal,
        shock: None,
    }
}
