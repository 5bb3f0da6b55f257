//! A small tour of the core: two devices of one antenna work offline, then exchange their
//! documents and agree. Run: `cargo run -p jiran-core --example demo`.

use jiran_core::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lead_dir = tempfile::tempdir()?;
    let volunteer_dir = tempfile::tempdir()?;
    let lead = Store::open(lead_dir.path())?;
    let volunteer = Store::open(volunteer_dir.path())?;

    let (antenna, _) = lead.create_antenna(NewAntenna {
        name: "La Marsa – Cité Erriadh".into(),
        locality: "La Marsa".into(),
        lead_name: "Leila".into(),
    })?;
    let sami = lead.add_member(antenna, "Sami", Role::Volunteer)?;
    volunteer.join_antenna(antenna, &sami)?;
    let cash = lead.record_donation(
        antenna,
        NewDonation {
            gift: Gift::Money {
                amount_minor: 300_000,
                currency: "TND".into(),
            },
            donor: Some("Boulangerie Ennour".into()),
            custodian: None,
            status: DonationStatus::Received,
            restricted_to: None,
            recorded_at: None,
        },
    )?;
    exchange(&lead, &volunteer, antenna)?;
    println!("Leila created the antenna, added Sami and recorded a 300 TND donation.");

    // Offline, each on their own phone.
    let fatma = lead.register_household(antenna, family("فاطمة بن علي", "+216 98 123 456"))?;
    lead.add_need(
        fatma,
        NewNeed {
            category: NeedCategory::Rent,
            description: "April rent".into(),
            urgency: Urgency::High,
        },
    )?;
    lead.record_delivery(
        antenna,
        NewDelivery {
            household: fatma,
            category: NeedCategory::Rent,
            description: "April rent".into(),
            funding: vec![(cash.clone(), 200_000)],
            delivered_at: None,
        },
    )?;
    let hedi = volunteer.register_household(antenna, family("Hédi Chaouch", "+216 22 555 010"))?;
    volunteer.add_need(
        hedi,
        NewNeed {
            category: NeedCategory::Food,
            description: "5 people".into(),
            urgency: Urgency::Critical,
        },
    )?;
    volunteer.record_delivery(
        antenna,
        NewDelivery {
            household: hedi,
            category: NeedCategory::Food,
            description: "two food parcels".into(),
            funding: vec![(cash.clone(), 150_000)],
            delivered_at: None,
        },
    )?;
    println!("Offline: Leila registered a family and paid 200 TND of rent; Sami registered another and gave 150 TND of food.");

    exchange(&lead, &volunteer, antenna)?;
    println!("Back online, the phones exchanged their documents.\n");

    for (who, store) in [("Leila", &lead), ("Sami", &volunteer)] {
        println!("{who}'s phone:");
        for h in store.households(antenna, &HouseholdFilter::default())? {
            println!(
                "  {:<14} priority {:<7} open needs {:?}",
                h.head_name.unwrap_or_default(),
                h.priority.as_str(),
                h.open_needs
            );
        }
        println!(
            "  search \"fatma\" finds: {:?}",
            store
                .search(antenna, "fatma", 5)?
                .iter()
                .map(|h| h.head_name.clone().unwrap_or_default())
                .collect::<Vec<_>>()
        );
        for o in store.over_allocations(antenna)? {
            // TND has three decimals: 1 dinar = 1,000 millimes.
            println!(
                "  warning: a {:.3} {unit} donation has given {:.3} {unit} through {} deliveries \
                 recorded offline; a lead must resolve it",
                o.amount as f64 / 1000.0,
                o.allocated as f64 / 1000.0,
                o.deliveries.len(),
                unit = o.unit,
            );
        }
    }
    Ok(())
}

fn family(name: &str, phone: &str) -> NewHousehold {
    NewHousehold {
        members: vec![NewPerson {
            name: name.into(),
            birth_year: Some(1965),
            relationship: Relationship::Head,
            flags: Default::default(),
        }],
        phone: Some(phone.into()),
        address: "near the market".into(),
        coordinates: None,
        keep_data: true,
        share_with_municipality: false,
        contact_by_phone: true,
        priority: Priority::High,
        shock: Some("lost informal work in the lockdown".into()),
    }
}

/// Until the sync engine exists, devices exchange whole documents by hand.
fn exchange(a: &Store, b: &Store, antenna: AntennaId) -> Result<(), Box<dyn std::error::Error>> {
    for _ in 0..2 {
        for (from, to) in [(a, b), (b, a)] {
            for (id, _) in from.replication().documents(antenna)? {
                if let Some(bytes) = from.replication().export_document(id)? {
                    to.replication().import(id, &bytes)?;
                }
            }
        }
    }
    Ok(())
}
