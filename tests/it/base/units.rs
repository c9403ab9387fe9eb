//! Unit parsing and arithmetic (`fabricsim::units`).
//!
//! Expected values are derived by hand from the unit definitions in
//! docs/semantics.md ("K/M/G/T are powers of 1000, Ki/Mi/Gi/Ti powers of 1024;
//! B bytes, b bits"); the snapshot lists good and bad strings with the
//! parser's verdict and messages, reviewed by hand.

use fabricsim::units::{Bytes, BytesPerSec, Seconds};

#[test]
fn data_sizes_by_hand() {
    let cases: &[(&str, f64)] = &[
        ("1 GiB", 1024.0 * 1024.0 * 1024.0),
        ("64 MB", 64e6),
        ("64MiB", 64.0 * 1048576.0),
        ("8 Gb", 1e9),
        ("1.5 kB", 1500.0),
        ("1.5 KB", 1500.0),
        ("2 KiB", 2048.0),
        ("3 TB", 3e12),
        ("1 PB", 1e15),
        ("4096", 4096.0),
        ("0 B", 0.0),
        ("1e3 B", 1000.0),
    ];
    for &(s, want) in cases {
        assert_eq!(s.parse::<Bytes>().map(Bytes::get), Ok(want), "{s}");
    }
}

#[test]
fn bandwidths_by_hand() {
    let cases: &[(&str, f64)] = &[
        ("50 GB/s", 50e9),
        ("800 Gb/s", 100e9),
        ("400 Gbps", 50e9),
        ("400Gbps", 50e9),
        ("25 GBps", 25e9),
        ("10 kb/s", 1250.0),
        ("10 Kbps", 1250.0),
        ("1 GiB/s", 1073741824.0),
        ("3.2 TB/s", 3.2e12),
        ("100 Mb/s", 12.5e6),
    ];
    for &(s, want) in cases {
        let got = s.parse::<BytesPerSec>().map(BytesPerSec::get).unwrap();
        assert!((got - want).abs() <= want * 1e-15, "{s}: {got} != {want}");
    }
}

#[test]
fn durations_by_hand() {
    let cases: &[(&str, f64)] = &[
        ("300 ns", 300e-9),
        ("1.5 us", 1.5e-6),
        ("1.5 µs", 1.5e-6),
        ("1.5μs", 1.5e-6),
        ("2 ms", 2e-3),
        ("1 s", 1.0),
        ("0 ns", 0.0),
    ];
    for &(s, want) in cases {
        let got = s.parse::<Seconds>().map(Seconds::get).unwrap();
        assert!((got - want).abs() <= want * 1e-15, "{s}: {got} != {want}");
    }
}

#[test]
fn rejects_ambiguous_and_malformed() {
    for s in [
        "", " ", "-1 GB", "NaN GB", "inf B", "1 g", "1 gb", "1 mb", "GB", "1 GB/s", "1 s", "1 KIB",
    ] {
        assert!(s.parse::<Bytes>().is_err(), "bytes {s:?}");
    }
    for s in [
        "5 GB",
        "50",
        "1 s",
        "50 gb/s",
        "50 G",
        "-5 GB/s",
        "1e400 GB/s",
        "50 GB/h",
    ] {
        assert!(s.parse::<BytesPerSec>().is_err(), "bandwidth {s:?}");
    }
    for s in ["300", "1 m", "1 min", "5 GB", "-1 ns", "nan s", "1 Ms"] {
        assert!(s.parse::<Seconds>().is_err(), "duration {s:?}");
    }
}

#[test]
fn arithmetic_is_dimensional() {
    let size = Bytes(1e9);
    let bw = BytesPerSec(50e9);
    let t: Seconds = size / bw;
    assert_eq!(t, Seconds(0.02));
    let moved: Bytes = bw * Seconds(2.0);
    assert_eq!(moved, Bytes(100e9));
    assert_eq!(Seconds(2.0) * bw, Bytes(100e9));
    let rate: BytesPerSec = Bytes(10.0) / Seconds(4.0);
    assert_eq!(rate, BytesPerSec(2.5));
    assert_eq!(Bytes(1.0) + Bytes(2.0) - Bytes(0.5), Bytes(2.5));
    assert_eq!(
        [Seconds(1.0), Seconds(2.0)].iter().sum::<Seconds>(),
        Seconds(3.0)
    );
    assert_eq!(Bytes(3.0) * 2.0, Bytes(6.0));
    assert_eq!(2.0 * Bytes(3.0), Bytes(6.0));
    assert_eq!(Bytes(6.0) / 3.0, Bytes(2.0));
    assert_eq!(Bytes(6.0) / Bytes(3.0), 2.0);
    let mut b = Bytes(1.0);
    b += Bytes(1.0);
    b -= Bytes(0.5);
    assert_eq!(b, Bytes(1.5));
}

#[test]
fn display_round_trips_common_values() {
    for s in [
        "1 GiB", "64 MB", "300 ns", "1.5 us", "2 ms", "1 s", "50 GB/s", "100 GB/s", "0 B",
    ] {
        let shown = match s {
            _ if s.ends_with("/s") => s.parse::<BytesPerSec>().unwrap().to_string(),
            _ if s.ends_with('s') => s.parse::<Seconds>().unwrap().to_string(),
            _ => s.parse::<Bytes>().unwrap().to_string(),
        };
        assert_eq!(shown, s);
    }
    assert_eq!(
        "800 Gb/s".parse::<BytesPerSec>().unwrap().to_string(),
        "100 GB/s"
    );
}

#[test]
fn snapshot_good_and_bad_strings() {
    fn show<T: std::str::FromStr<Err = fabricsim::units::UnitError> + std::fmt::Display>(
        s: &str,
    ) -> String {
        match s.parse::<T>() {
            Ok(v) => format!("ok    {s:?} = {v}"),
            Err(e) => format!("error {s:?}: {e}"),
        }
    }
    let mut out = String::new();
    out.push_str("# data sizes\n");
    for s in [
        "1 GiB", "64 MB", "8 Gb", "1.5 kB", "4096", "1e400 B", "", "-1 GB", "1 g", "1 gb", "1 mb",
        "1 GB/s", "NaN B",
    ] {
        out.push_str(&show::<Bytes>(s));
        out.push('\n');
    }
    out.push_str("\n# bandwidths\n");
    for s in [
        "50 GB/s", "800 Gb/s", "400 Gbps", "10 kb/s", "5 GB", "50", "1 s", "50 gb/s", "inf GB/s",
        "-5 GB/s",
    ] {
        out.push_str(&show::<BytesPerSec>(s));
        out.push('\n');
    }
    out.push_str("\n# durations\n");
    for s in [
        "300 ns", "1.5 us", "2 ms", "1 s", "300", "1 m", "5 GB", "-1 ns",
    ] {
        out.push_str(&show::<Seconds>(s));
        out.push('\n');
    }
    insta::assert_snapshot!("units_good_and_bad", out);
}

/// Nonzero values below 1 B/s or 1 fs are refused (almost surely a unit
/// mistake, and they would underflow or overflow later); 0 stays valid for
/// durations, and the floors themselves are accepted.
#[test]
fn tiny_values_are_refused() {
    assert!("1e-310 b/s".parse::<BytesPerSec>().is_err());
    assert!("4 b/s".parse::<BytesPerSec>().is_err()); // 0.5 B/s
    assert_eq!(
        "8 b/s".parse::<BytesPerSec>().map(BytesPerSec::get),
        Ok(1.0)
    );
    assert!("1e-400 s".parse::<Seconds>().is_err());
    assert!("1e-16 s".parse::<Seconds>().is_err());
    assert!("1e-400 B".parse::<Bytes>().is_err()); // underflows to 0
    assert_eq!("1e-15 s".parse::<Seconds>().map(Seconds::get), Ok(1e-15));
    assert_eq!("0 s".parse::<Seconds>().map(Seconds::get), Ok(0.0));
    let e = "1e-310 b/s".parse::<BytesPerSec>().unwrap_err();
    assert!(e.to_string().contains("below 1 B/s"), "{e}");
}
