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
