//! Jiran in one command: a relay on a temporary directory and three phones (a lead and two
//! volunteers) that work offline, come back and agree. `cargo run -p jiran-tests --bin demo`.

use std::time::Duration;

use jiran_core::sync::SyncState;
use jiran_core::testing::{cash, delivery_in_dinars, family, need};
use jiran_core::*;
use jiran_server::config::ServeArgs;
use jiran_tests::phone::{converge, Phone};

fn say(text: &str) {
    println!("{text}");
}

fn status(device: &Phone) -> String {
    device
        .engine
        .status(device.antenna)
        .map(|s| s.message())
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = tempfile::tempdir()?;
    let (antenna, lead_code) =
        jiran_server::create_antenna(data.path(), "La Marsa – Cité Erriadh", "La Marsa")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let args = ServeArgs {
        listen: listener.local_addr()?,
        data: data.path().to_owned(),
        config: None,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(async move {
        jiran_server::serve(&args, listener, async {
            let _ = stopped.await;
        })
        .await
    });
    say(&format!(
        "A relay runs at {url}, storing in {} (SQLite, nothing to set up).",
        data.path().display()
    ));
    say("Its operator created the antenna \"La Marsa – Cité Erriadh\" and gave Leila, the lead, an invite code.\n");

    let leila = Phone::join(&url, &lead_code, "Leila").await;
    leila.synced().await;
    let donation = leila
        .store
        .record_donation(antenna, cash(300, "Boulangerie Ennour"))?;
    say("Leila joined from her phone and recorded a 300 TND donation from the Ennour bakery.");
    let token = leila
        .store
        .relay_link(antenna)?
        .map(|l| l.token)
        .unwrap_or_default();
    let mut volunteers = Vec::new();
    for name in ["Sami", "Amel"] {
        let code = invite(&url, &token, antenna)?;
        volunteers.push(Phone::join(&url, &code, name).await);
    }
    let [sami, amel] = [&volunteers[0], &volunteers[1]];
    converge(&[&leila, sami, amel], Duration::from_secs(30)).await;
    say("She invited Sami and Amel; their phones joined and synced.");
    say(&format!("  Sami's phone: {}\n", status(sami)));

    for device in [&leila, sami, amel] {
        device.engine.set_online(false);
    }
    say("Morning, no coverage in the neighbourhood. Everyone keeps working offline:");
    let fatma = sami
        .store
        .register_household(antenna, family("Fatma Ben Ali", "+216 98 123 456"))?;
    sami.store
        .add_need(fatma, need(NeedCategory::Food, "5 people, no income"))?;
    sami.store.record_delivery(
        antenna,
        delivery_in_dinars(fatma, NeedCategory::Food, &donation, 200),
    )?;
    say("  Sami registered Fatma Ben Ali's family, noted a food need and gave 200 TND of food.");
    let again = amel
        .store
        .register_household(antenna, family("فاطمة بن علي", "+216 98 123 456"))?;
    amel.store
        .add_note(again, "met at the market; the eldest son lost his job")?;
    let hedi = amel
        .store
        .register_household(antenna, family("Hédi Chaouch", "+216 22 555 010"))?;
    amel.store
        .add_need(hedi, need(NeedCategory::Rent, "April rent"))?;
    amel.store.record_delivery(
        antenna,
        delivery_in_dinars(hedi, NeedCategory::Rent, &donation, 150),
    )?;
    say("  Amel met the same family (she typed the name in Arabic), and paid Hédi Chaouch's rent: 150 TND from the same donation.");
    leila.store.add_provider(
        antenna,
        NewProvider {
            name: "Municipal social office".into(),
            sector: Sector::Public,
            serves: vec![NeedCategory::Rent],
            contact: "+216 71 000 000".into(),
            opening_hours: "Mon–Fri 8:00–12:00".into(),
        },
    )?;
    say("  Leila added the municipal social office to the antenna's directory.");
    tokio::time::sleep(Duration::from_millis(100)).await;
    say(&format!("  Amel's phone: {}\n", status(amel)));

    say("Evening: the phones find a connection again, one after the other.");
    for device in [amel, &leila, sami] {
        device.engine.set_online(true);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    converge(&[&leila, sami, amel], Duration::from_secs(60)).await;
    say(&format!("  Leila's phone: {}\n", status(&leila)));

    say("What every phone now shows (identical on all three):");
    for h in leila
        .store
        .households(antenna, &HouseholdFilter::default())?
    {
        say(&format!(
            "  - {:<16} priority {:<6} open needs: {:?}",
            h.head_name.unwrap_or_default(),
            h.priority.as_str(),
            h.open_needs.iter().map(|n| n.as_str()).collect::<Vec<_>>()
        ));
    }
    for d in leila.store.possible_duplicates(antenna)? {
        say(&format!(
            "  ! two households may be one family registered twice (score {}: {}); a lead should review them.",
            d.score,
            d.reasons
                .iter()
                .map(|r| match r {
                    DuplicateReason::SamePhone => "same phone",
                    DuplicateReason::SimilarName => "similar name",
                    DuplicateReason::SameLandmark => "same address",
                    DuplicateReason::SameSize => "same size",
                })
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for o in leila.store.over_allocations(antenna)? {
        say(&format!(
            "  ! the {:.0} {unit} donation gave {:.0} {unit} through {} deliveries recorded offline; a lead must resolve it.",
            o.amount as f64 / 1000.0,
            o.allocated as f64 / 1000.0,
            o.deliveries.len(),
            unit = o.unit
        ));
    }
    let same =
        leila.fingerprint() == sami.fingerprint() && sami.fingerprint() == amel.fingerprint();
    let up_to_date = [&leila, sami, amel]
        .iter()
        .all(|d| d.engine.status(antenna).map(|s| s.state) == Some(SyncState::UpToDate));
    say(&format!(
        "\n{} documents on each phone; identical on all three: {same}; all up to date: {up_to_date}.",
        leila.fingerprint().len()
    ));
    let _ = stop.send(());
    relay.await??;
    if same && up_to_date {
        Ok(())
    } else {
        Err("the phones did not converge".into())
    }
}

fn invite(
    url: &str,
    token: &str,
    antenna: AntennaId,
) -> Result<String, Box<dyn std::error::Error>> {
    let mut response = ureq::post(&format!("{url}/v1/antennas/{antenna}/invites"))
        .header("Authorization", &format!("Bearer {token}"))
        .send_json(serde_json::json!({ "role": "volunteer" }))?;
    let body: serde_json::Value = response.body_mut().read_json()?;
    Ok(body["invite_code"].as_str().unwrap_or_default().to_owned())
}
