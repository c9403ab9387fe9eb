//! Fuzz target: `results.json` bytes → text check → `Table::from_json` →
//! `merge` of the table alone and with a copy of itself (counts from the
//! file are checked before anything is sized by them). On success the merged
//! table has one row per point, in order, and its JSON reads back.
#![no_main]

use fabricsim::limits::text;
use fabricsim::sweep::{Table, table};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = text(data.to_vec()) else {
        return;
    };
    let Ok(t) = Table::from_json(&src) else {
        return;
    };
    let _ = table::merge(vec![("a".into(), t.clone()), ("b".into(), t.clone())]);
    if let Ok(m) = table::merge(vec![("a".into(), t)]) {
        assert_eq!(m.rows.len(), m.header.points, "one row per point");
        for (i, r) in m.rows.iter().enumerate() {
            assert_eq!(Table::point_of(r), i, "rows in point order");
        }
        let back = Table::from_json(&m.to_json()).expect("a merged table reads back");
        assert_eq!(back.rows.len(), m.rows.len());
    }
});
