//! base: units, limits, bad inputs, hardening, safe output.

mod corpus;
mod fuzz_regressions;
mod hardening;
mod safe_output;
mod units;
