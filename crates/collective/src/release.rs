//! The NCCL release whose cost model `auto` follows (`--nccl`,
//! [`crate::sim::Params::nccl`]; the models are in [`crate::tuning`]).

/// The NCCL release whose cost model `auto` reproduces.
///
/// The default, when `--nccl` does not ask for one, is 2.20.3 on every GPU.
/// 2.20.3 predates Blackwell (its tables are read as Hopper's there), but
/// under 2.28.3 `auto` runs PAT on communicators of one rank per node and
/// ring/LL all-gathers above 32 ranks per node, where fabricsim's
/// simulation of them is slow or far from the published training runs
/// (docs/collectives.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum NcclVersion {
    /// NCCL 2.20.3 (2024): Volta to Hopper tables.
    #[default]
    V2_20_3,
    /// NCCL 2.28.3 (2025): Blackwell tables, NVLS efficiency, PAT.
    V2_28_3,
}

impl NcclVersion {
    /// The modelled release for NCCL `major.minor`: 2.28.3 for 2.23 and
    /// later (PAT, the NVLS efficiency and the Blackwell tables arrived
    /// between 2.23 and 2.28), 2.20.3 before.
    pub fn for_release(major: u32, minor: u32) -> NcclVersion {
        if (major, minor) >= (2, 23) {
            NcclVersion::V2_28_3
        } else {
            NcclVersion::V2_20_3
        }
    }

    /// The model for a library version as logs print it (`2.18.5`,
    /// `2.18.5+cuda12.2`, `2.28.7`): [`NcclVersion::for_release`] of its
    /// major and minor numbers; `None` when it does not start with them.
    pub fn of_version(v: &str) -> Option<NcclVersion> {
        let mut it = v.trim().split(|c: char| !c.is_ascii_digit());
        let major = it.next()?.parse().ok()?;
        let minor = it.next()?.parse().ok()?;
        Some(NcclVersion::for_release(major, minor))
    }
}

impl std::fmt::Display for NcclVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NcclVersion::V2_20_3 => "2.20.3",
            NcclVersion::V2_28_3 => "2.28.3",
        })
    }
}

impl std::str::FromStr for NcclVersion {
    type Err = String;

    /// `2.20.3` / `2.20` or `2.28.3` / `2.28`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "2.20.3" | "2.20" => Ok(NcclVersion::V2_20_3),
            "2.28.3" | "2.28" => Ok(NcclVersion::V2_28_3),
            other => Err(format!(
                "unknown NCCL cost model '{other}': expected 2.20.3 or 2.28.3"
            )),
        }
    }
}

impl serde::Serialize for NcclVersion {
    /// As its name, `"2.20.3"` or `"2.28.3"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::NcclVersion;

    /// Versions as logs print them map to the model of their series: NCCL
    /// 2.23 introduced what 2.28.3's model has (PAT), so 2.23 and later are
    /// 2.28.3, earlier ones 2.20.3.
    #[test]
    fn library_versions_map_to_their_model() {
        let of = NcclVersion::of_version;
        assert_eq!(of("2.18.5+cuda12.2"), Some(NcclVersion::V2_20_3));
        assert_eq!(of("2.22.3"), Some(NcclVersion::V2_20_3));
        assert_eq!(of("2.23.4"), Some(NcclVersion::V2_28_3));
        assert_eq!(of(" 2.28.7+cuda13.0"), Some(NcclVersion::V2_28_3));
        assert_eq!(of("3.0"), Some(NcclVersion::V2_28_3));
        assert_eq!(of("2"), None);
        assert_eq!(of("unknown"), None);
    }
}
