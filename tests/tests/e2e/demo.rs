//! The README's demo runs and ends with three phones in agreement.

#[test]
fn test_the_demo_tells_its_story_and_the_phones_agree() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_demo"))
        .output()
        .expect("the demo runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the demo failed:\n{text}");
    for line in [
        "8 changes are not on the relay yet",
        "may be one family registered twice (score 100: same phone",
        "gave 350 TND through 2 deliveries",
        "identical on all three: true; all up to date: true",
    ] {
        assert!(text.contains(line), "the demo should say {line:?}:\n{text}");
    }
}
