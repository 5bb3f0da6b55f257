//! Rate limits where guessing pays (issue 17): joining, invites and the blinded index answer
//! 429 with `Retry-After` past their limit, and nothing else is affected.

use serde_json::json;

use crate::support::*;

/// `POST` returning (status, `Retry-After` seconds, body).
fn post_with_retry(url: &str, token: Option<&str>, body: serde_json::Value) -> (u16, Option<u64>) {
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent();
    let mut request = agent.post(url);
    if let Some(token) = token {
        request = request.header("Authorization", &format!("Bearer {token}"));
    }
    let response = request.send_json(body).unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (response.status().as_u16(), retry)
}

#[tokio::test]
async fn test_wrong_invite_codes_from_one_address_are_slowed_down() {
    let (_dir, relay, lead) = relay_with_limits(&format!(
        "joins_per_minute = 10\ninvites_per_hour = 3\nblinded_hashes_per_hour = 100\n\
         metrics_token = \"{METRICS_TOKEN}\"\n"
    ));
    let url = format!("{}/v1/join", relay.url);
    let mut statuses = Vec::new();
    for attempt in 0..6 {
        let (status, retry) = post_with_retry(
            &url,
            None,
            json!({ "invite_code": format!("guess-{attempt}"), "device_name": "x" }),
        );
        statuses.push(status);
        if status == 429 {
            assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "{retry:?}");
        }
    }
    // Two wrong codes use an address's minute (each counts five): then 429, not 403.
    assert_eq!(statuses[..2], [403, 403], "{statuses:?}");
    assert!(statuses[2..].iter().all(|s| *s == 429), "{statuses:?}");
    // Devices already joined are not affected.
    assert_serves(&relay, &lead).await;

    // Invites: three an hour per lead device.
    let invites = format!("{}/v1/antennas/{}/invites", relay.url, lead.antenna);
    let made: Vec<u16> = (0..4)
        .map(|_| post_with_retry(&invites, Some(&lead.token), json!({ "role": "volunteer" })).0)
        .collect();
    assert_eq!(made, [200, 200, 200, 429]);

    // The blinded index: 100 hashes an hour per antenna.
    let index = format!("{}/v1/antennas/{}/blinded-index", relay.url, lead.antenna);
    let hashes = |n: usize| -> Vec<String> { (0..n).map(|i| format!("{i:032x}")).collect() };
    let put = |n: usize| {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let response = agent
            .put(&index)
            .header("Authorization", &format!("Bearer {}", lead.token))
            .send_json(json!({ "contact": "Leila", "hashes": hashes(n) }))
            .unwrap();
        response.status().as_u16()
    };
    assert_eq!(put(60), 200);
    assert_eq!(put(60), 429, "120 hashes in an hour is past the limit");
    assert_eq!(
        put(30),
        200,
        "what is left of the hour's allowance still serves"
    );
    let text = metrics(&relay).1;
    assert!(text.contains("rate_limited_total"), "{text}");
}
