//! The rule-file loader and engine compiler: any text as a user rule file gives a rule
//! set or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::engine::Engine;
use piiscan::rules::RuleSet;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut set = RuleSet::builtin().unwrap();
    if set.merge_text("fuzz.toml", text).is_ok() {
        let _ = Engine::new(&set);
    }
});
