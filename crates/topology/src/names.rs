//! Node names in messages: looking names up and hinting at the one meant.

use std::collections::HashMap;

use crate::NodeId;
use fabricsim_base::diag::did_you_mean;

/// For an unknown id `prefixN`, the range of declared `prefix<number>` ids,
/// e.g. `declared are gpu0 to gpu7`, which explains off-by-one mistakes.
fn numbered_range<'a>(unknown: &str, names: impl Iterator<Item = &'a String>) -> Option<String> {
    let prefix = unknown.trim_end_matches(|c: char| c.is_ascii_digit());
    if prefix.len() == unknown.len() {
        return None;
    }
    let mut nums: Vec<u64> = names
        .filter_map(|n| n.strip_prefix(prefix))
        .filter(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|rest| rest.parse().ok())
        .collect();
    nums.sort_unstable();
    let (lo, hi) = (*nums.first()?, *nums.last()?);
    Some(if hi - lo + 1 == nums.len() as u64 {
        format!("declared are {prefix}{lo} to {prefix}{hi}")
    } else {
        format!(
            "{} ids named {prefix}<number> are declared, from {prefix}{lo} to {prefix}{hi}",
            nums.len()
        )
    })
}

/// Looks `names` up in `index`, pushing the ids found onto `ids`; returns
/// the names not found, in order.
pub(crate) fn lookup_names(
    index: &HashMap<String, NodeId>,
    names: &[String],
    ids: &mut Vec<NodeId>,
) -> Vec<String> {
    let mut unknown = Vec::new();
    for n in names {
        match index.get(n) {
            Some(&id) => ids.push(id),
            None => unknown.push(n.clone()),
        }
    }
    unknown
}

/// A hint for an unknown node name: the numbered range it falls outside of,
/// or the closest declared name (skipped above 100,000 names, where the
/// search would cost more than the error is worth).
pub(crate) fn name_hint(index: &HashMap<String, NodeId>, unknown: &str) -> Option<String> {
    if index.len() > 100_000 {
        return None;
    }
    numbered_range(unknown, index.keys()).or_else(|| {
        let mut cands: Vec<&str> = index.keys().map(String::as_str).collect();
        cands.sort_unstable();
        did_you_mean(unknown, cands.into_iter()).map(|c| format!("did you mean \"{c}\"?"))
    })
}
