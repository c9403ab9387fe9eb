//! The `--fail` syntax: [`FailureSpec`] parsed from a flag (`FromStr`) and
//! printed back in canonical form (`Display`), with the checks of rules F1
//! and F4 that need no fabric (kinds, indices, percentages within 0% to
//! 100%).

use std::fmt;
use std::str::FromStr;

use super::{Amount, FailureSpec, What};
use crate::pattern::Pattern;
use fabricsim_base::diag::did_you_mean;

/// The kinds and forms of `--fail`, for messages.
const FLAG_FORMS: &str = "link:A,B, switch:PATTERN, rail:N, plane:N, random:PERCENT%[:SEED[:TIERS]] or random:LANES[:SEED[:TIERS]]";

/// Largest rail or plane index accepted.
pub(crate) const MAX_INDEX: u64 = u32::MAX as u64;

fn parse_ids(text: &str) -> Result<Vec<Pattern>, String> {
    text.split('+').map(|t| Pattern::parse(t.trim())).collect()
}

fn parse_index(text: &str, kind: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&i| i <= MAX_INDEX)
        .ok_or_else(|| format!("{kind} \"{text}\" is not an index such as {kind}:3"))
}

/// `"1%"` or `"0.5 %"` → percent in `[0, 100]`.
pub(crate) fn parse_percent(text: &str) -> Result<f64, String> {
    let num = text
        .trim()
        .strip_suffix('%')
        .ok_or_else(|| format!("\"{text}\" is not a percentage: write e.g. \"1%\" or \"0.5%\""))?;
    let x: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("\"{text}\" is not a percentage: write e.g. \"1%\" or \"0.5%\""))?;
    if (0.0..=100.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!(
            "random failure fraction \"{text}\" is outside 0% to 100%"
        ))
    }
}

impl FromStr for FailureSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<FailureSpec, String> {
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("\"{s}\": expected KIND:WHAT, one of {FLAG_FORMS}"))?;
        let what = match kind.trim() {
            "link" => {
                let (a, b) = match (rest.split_once(','), rest.matches('-').count()) {
                    (Some((a, b)), _) if !b.contains(',') => (a, b),
                    (None, 1) => rest.split_once('-').expect("one '-'"),
                    _ => {
                        return Err(format!(
                            "\"{s}\": write link:A,B with the two endpoints, e.g. link:leaf3,spine12"
                        ));
                    }
                };
                What::Link(parse_ids(a)?, parse_ids(b)?)
            }
            "switch" => What::Switch(parse_ids(rest)?),
            "rail" => What::Rail(parse_index(rest, "rail")?),
            "plane" => What::Plane(parse_index(rest, "plane")?),
            "random" => {
                let mut parts = rest.splitn(3, ':');
                let amount = parts.next().unwrap_or_default();
                let seed = match parts.next() {
                    Some(seed) => seed.trim().parse::<u64>().map_err(|_| {
                        format!("\"{s}\": seed \"{seed}\" is not a non-negative integer")
                    })?,
                    None => 0,
                };
                let tiers: Vec<String> = match parts.next() {
                    Some(t) => t.split('+').map(|x| x.trim().to_string()).collect(),
                    None => Vec::new(),
                };
                if tiers.iter().any(String::is_empty) {
                    return Err(format!(
                        "\"{s}\": write the tiers as TIER+TIER, e.g. random:1%:7:leaf+spine"
                    ));
                }
                let amount = if amount.trim().ends_with('%') {
                    Amount::Percent(parse_percent(amount)?)
                } else {
                    Amount::Lanes(amount.trim().parse::<u64>().map_err(|_| {
                        format!("\"{s}\": write random:1%:7 (a percentage and a seed) or random:4:7 (a number of lanes)")
                    })?)
                };
                What::Random {
                    amount,
                    seed,
                    tiers,
                }
            }
            other => {
                let hint = did_you_mean(
                    other,
                    ["link", "switch", "rail", "plane", "random"].into_iter(),
                )
                .map(|c| format!(" (did you mean \"{c}\"?)"))
                .unwrap_or_default();
                return Err(format!(
                    "unknown failure kind \"{other}\"{hint}; the forms are {FLAG_FORMS}"
                ));
            }
        };
        Ok(FailureSpec(what))
    }
}

fn join(ps: &[Pattern]) -> String {
    ps.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("+")
}

impl fmt::Display for FailureSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            What::Link(a, b) => write!(f, "link:{},{}", join(a), join(b)),
            What::Switch(s) => write!(f, "switch:{}", join(s)),
            What::Rail(r) => write!(f, "rail:{r}"),
            What::Plane(p) => write!(f, "plane:{p}"),
            What::Random {
                amount,
                seed,
                tiers,
            } => {
                match amount {
                    Amount::Percent(p) => write!(f, "random:{p}%:{seed}")?,
                    Amount::Lanes(n) => write!(f, "random:{n}:{seed}")?,
                }
                if !tiers.is_empty() {
                    write!(f, ":{}", tiers.join("+"))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_print_canonically() {
        for (flag, shown) in [
            ("link:leaf3,spine12", "link:leaf3,spine12"),
            ("link:leaf3-spine12", "link:leaf3,spine12"),
            (
                "link: leaf[0..=1] , spine0+spine1",
                "link:leaf[0..2],spine0+spine1",
            ),
            ("switch:spine[0..2]", "switch:spine[0..2]"),
            ("rail:3", "rail:3"),
            ("plane:1", "plane:1"),
            ("random:1%:7", "random:1%:7"),
            ("random:0.5%", "random:0.5%:0"),
            ("random:4:9", "random:4:9"),
            ("random:1%:7:leaf+spine", "random:1%:7:leaf+spine"),
        ] {
            let f: FailureSpec = flag.parse().unwrap_or_else(|e| panic!("{flag}: {e}"));
            assert_eq!(f.to_string(), shown, "{flag}");
            assert_eq!(
                shown.parse::<FailureSpec>().unwrap(),
                f,
                "{shown} round trip"
            );
        }
    }

    #[test]
    fn bad_flags_say_what_is_wrong() {
        for (flag, says) in [
            ("spine0", "expected KIND:WHAT"),
            ("swtich:spine0", "did you mean \"switch\"?"),
            ("link:a-b-c", "write link:A,B"),
            ("link:a,b,c", "write link:A,B"),
            ("switch:spine[0..", "unclosed"),
            ("rail:x", "not an index"),
            ("random:150%:7", "outside 0% to 100%"),
            ("random:-1%", "outside 0% to 100%"),
            ("random:1%:x", "seed"),
            ("random:lots", "random:1%:7"),
            ("random:1%:7:leaf+", "TIER+TIER"),
        ] {
            let e = flag.parse::<FailureSpec>().unwrap_err();
            assert!(e.contains(says), "{flag}: {e}");
        }
    }

    #[test]
    fn percent_bounds() {
        assert_eq!(parse_percent("0%"), Ok(0.0));
        assert_eq!(parse_percent(" 100 %"), Ok(100.0));
        assert!(parse_percent("100.01%").is_err());
        assert!(parse_percent("NaN%").is_err());
        assert!(parse_percent("1").is_err());
    }
}
