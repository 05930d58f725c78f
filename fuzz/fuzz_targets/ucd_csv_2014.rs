//! cargo-fuzz target `ucd-csv-2014`: see journeycost_fuzz::TARGETS.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (journeycost_fuzz::target("ucd-csv-2014").expect("a target of journeycost-fuzz").run)(data);
});
