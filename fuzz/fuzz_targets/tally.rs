//! cargo-fuzz target `tally`: see journeycost_fuzz::TARGETS.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (journeycost_fuzz::target("tally").expect("a target of journeycost-fuzz").run)(data);
});
