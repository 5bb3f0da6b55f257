//! The mapping between Jiran's need categories and sectors and the words HSDS files use for
//! them (taxonomy terms, legal statuses), in the languages antennas write them in.

use crate::model::{NeedCategory, Sector};
use crate::search::fold;

/// The need category a taxonomy term's name (or any label) stands for, if one does.
pub fn need_category(term: &str) -> Option<NeedCategory> {
    const KEYS: &[(NeedCategory, &[&str])] = &[
        (
            NeedCategory::DigitalEquipment,
            &[
                "digital",
                "numerique",
                "computer",
                "informatique",
                "ordinateur",
                "internet",
                "رقمي",
                "حاسوب",
                "انترنت",
            ],
        ),
        (
            NeedCategory::Utilities,
            &[
                "utilit",
                "electric",
                "water",
                "eau",
                "energ",
                "facture",
                "كهرباء",
                "ماء",
            ],
        ),
        (
            NeedCategory::Food,
            &[
                "food",
                "meal",
                "pantry",
                "nutrition",
                "aliment",
                "repas",
                "طعام",
                "غذا",
            ],
        ),
        (
            NeedCategory::Medical,
            &[
                "health",
                "medic",
                "clinic",
                "dental",
                "pharma",
                "hospital",
                "hopital",
                "dispensaire",
                "sante",
                "prescription",
                "صحة",
                "صحي",
                "طبي",
            ],
        ),
        (
            NeedCategory::Rent,
            &[
                "housing",
                "rent",
                "shelter",
                "logement",
                "loyer",
                "hebergement",
                "سكن",
                "كراء",
            ],
        ),
        (
            NeedCategory::Education,
            &[
                "educat",
                "school",
                "tutor",
                "scolaire",
                "ecole",
                "تعليم",
                "مدرس",
            ],
        ),
    ];
    let folded = fold(term);
    KEYS.iter()
        .find(|(_, keys)| {
            folded
                .split(' ')
                .any(|word| keys.iter().any(|k| word.starts_with(k)))
        })
        .map(|(category, _)| *category)
}

pub(super) fn sector_word(sector: Sector) -> &'static str {
    match sector {
        Sector::Public => "public",
        Sector::Private => "private",
        Sector::NonProfit => "non-profit",
        Sector::Religious => "religious",
    }
}

pub(super) fn sector(legal_status: Option<&str>) -> Sector {
    let Some(status) = legal_status else {
        return Sector::NonProfit;
    };
    let folded = fold(status);
    let has = |keys: &[&str]| {
        folded
            .split(' ')
            .any(|word| keys.iter().any(|k| word.starts_with(k)))
    };
    if folded.contains("non profit")
        || folded.contains("nonprofit")
        || folded.contains("not for profit")
    {
        Sector::NonProfit
    } else if has(&[
        "religi", "mosque", "church", "eglise", "faith", "waqf", "diniy", "مسجد", "ديني",
    ]) {
        Sector::Religious
    } else if has(&[
        "public",
        "government",
        "gouvernement",
        "municipal",
        "ministry",
        "ministere",
        "state",
        "etat",
        "حكومي",
        "بلدي",
        "عمومي",
    ]) {
        Sector::Public
    } else if has(&[
        "private",
        "prive",
        "company",
        "business",
        "commercial",
        "entreprise",
        "societe",
        "limited",
        "ltd",
        "خاص",
    ]) {
        Sector::Private
    } else {
        Sector::NonProfit
    }
}

pub(super) fn category_label(category: NeedCategory) -> &'static str {
    match category {
        NeedCategory::Food => "Food",
        NeedCategory::Rent => "Rent and housing",
        NeedCategory::Medical => "Health and medical care",
        NeedCategory::Utilities => "Utilities (water, electricity, gas)",
        NeedCategory::Education => "Education",
        NeedCategory::DigitalEquipment => "Digital equipment",
        NeedCategory::Other => "Other",
    }
}
