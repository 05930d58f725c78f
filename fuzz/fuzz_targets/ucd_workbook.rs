//! cargo-fuzz target `ucd-workbook`: see journeycost_fuzz::TARGETS.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    (journeycost_fuzz::target("ucd-workbook").expect("a target of journeycost-fuzz").run)(data);
});
