//! Every validator on any candidate bytes: a verdict, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use piiscan::engine::validators::Validator;

fuzz_target!(|data: &[u8]| {
    for v in Validator::ALL {
        let _ = v.validate(data);
    }
});
