use journeycost::io::{read_catalogue, read_deflators, read_events, read_persons};
use journeycost::scenario::Scenario;
use proptest::prelude::*;

/// Bytes that look like CSV often enough to reach the field parsers: pieces of valid rows,
/// quotes, separators, line ends, a BOM and invalid UTF-8, in any order.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"code,agency,unit_cost,price_year,unit\n".to_vec()),
        Just(b"person_id,pathway,date,code,quantity,end_date,probability,cost,demand\n".to_vec()),
        Just(b"year,index\n".to_vec()),
        Just(b"2024-02-29".to_vec()),
        Just(b"2019/20".to_vec()),
        Just(b"1.5".to_vec()),
        Just(b"-0".to_vec()),
        Just(b"99999999999999999999999999999999".to_vec()),
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\n".to_vec()),
        Just("\u{feff}".as_bytes().to_vec()),
        Just(vec![0xff, 0xc3]),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(crate::config(512))]

    #[test]
    fn readers_never_panic(bytes in csvish()) {
        let cat = read_catalogue("c.csv", bytes.as_slice());
        let _ = read_deflators("d.csv", bytes.as_slice());
        let _ = read_events("e.csv", bytes.as_slice(), cat.as_ref().ok().map(|c| &c.catalogue));
        let _ = read_events("e.csv", bytes.as_slice(), None);
        let _ = read_persons("p.csv", bytes.as_slice());
    }

    #[test]
    fn readers_never_panic_on_raw_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = read_catalogue("c.csv", bytes.as_slice());
        let _ = read_deflators("d.csv", bytes.as_slice());
        let _ = read_events("e.csv", bytes.as_slice(), None);
        let _ = read_persons("p.csv", bytes.as_slice());
    }

    #[test]
    fn scenario_parser_never_panics(text in "\\PC{0,200}") {
        let _ = Scenario::parse(&text, std::path::Path::new(""), "s.toml");
    }
}

#[test]
fn every_error_names_its_source() {
    let e =
        read_events("events.csv", b"person_id,pathway,date,code\n,old,2024-01-01,X\n".as_slice(), None).unwrap_err();
    assert_eq!(e.to_string(), "events.csv line 2, field \"person_id\": expected a value, found an empty field");
}
