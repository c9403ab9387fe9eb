//! The results table of a sweep: cells, CSV and JSON text (one row per
//! point, sorted by point), reading the JSON back, and merging shards.
//!
//! CSV and JSON carry the same values: a CSV cell is the JSON value's text
//! (strings unquoted, RFC 4180 quoting where needed), an empty CSV cell is
//! JSON `null`. Floats are printed in the shortest form that reads back to
//! the same `f64` (Rust's `Display` in CSV, `serde_json`'s in JSON), so both
//! files are exact and byte-identical across runs.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

use super::PlotSpec;

/// One value of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// No value: an empty CSV cell, JSON `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Always finite.
    Float(f64),
    /// A string.
    Str(String),
}

impl Cell {
    /// An axis value as the user wrote it: arrays and tables as inline TOML text.
    pub fn from_toml(v: &toml::Value) -> Cell {
        match v {
            toml::Value::String(s) => Cell::Str(s.clone()),
            toml::Value::Integer(i) => Cell::Int(*i),
            toml::Value::Float(f) if f.is_finite() => Cell::Float(*f),
            toml::Value::Boolean(b) => Cell::Bool(*b),
            other => Cell::Str(other.to_string()),
        }
    }

    /// The CSV text of the cell (unquoted).
    pub fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Bool(b) => b.to_string(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => f.to_string(),
            Cell::Str(s) => s.clone(),
        }
    }

    /// The number in the cell, if any.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Cell::Int(i) => Some(*i as f64),
            Cell::Float(f) => Some(*f),
            _ => None,
        }
    }

    fn from_json(v: &serde_json::Value) -> Result<Cell, TableError> {
        Ok(match v {
            serde_json::Value::Null => Cell::Null,
            serde_json::Value::Bool(b) => Cell::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Cell::Int(i),
                None => Cell::Float(n.as_f64().ok_or(TableError::NumberOutOfRange)?),
            },
            serde_json::Value::String(s) => Cell::Str(s.clone()),
            other => return Err(TableError::Value(other.to_string())),
        })
    }
}

impl Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Null => s.serialize_none(),
            Cell::Bool(b) => s.serialize_bool(*b),
            Cell::Int(i) => s.serialize_i64(*i),
            Cell::Float(f) => s.serialize_f64(*f),
            Cell::Str(x) => s.serialize_str(x),
        }
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Cell, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Cell::from_json(&v).map_err(serde::de::Error::custom)
    }
}

/// `--shard I/N`: the points `p` with `p % N == I`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// `I`: this shard's index, `0 ≤ I < N`.
    pub index: usize,
    /// `N`: the number of shards.
    pub count: usize,
}

impl std::fmt::Display for Shard {
    /// `I/N`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("\"{s}\": write I/N with 0 ≤ I < N, e.g. 0/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// An axis in the JSON header.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AxisHeader {
    /// The axis key (its column name).
    pub name: String,
    /// Its values as written ([`Cell::from_toml`]).
    pub values: Vec<Cell>,
}

/// Everything in `results.json` but the rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The sweep's name.
    pub sweep: String,
    /// `collective` or `job`.
    pub kind: String,
    /// [`super::Sweep::fingerprint`].
    pub fingerprint: String,
    /// Points of the whole grid.
    pub points: usize,
    /// The shard these rows are, `null` for a whole sweep.
    pub shard: Option<Shard>,
    /// False when the run was interrupted (Ctrl-C): rows are missing.
    pub complete: bool,
    /// Rows with an error.
    pub errors: usize,
    /// The axes, in grid order.
    pub axes: Vec<AxisHeader>,
    /// The sweep's `[plot]` table, if given.
    pub plot: Option<PlotSpec>,
    /// Every column: `point`, the axes, the metrics, `error`.
    pub columns: Vec<String>,
}

/// A results table: header and rows (each row's cells in column order,
/// the first the point index), sorted by point.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Everything but the rows.
    pub header: Header,
    /// One row per point run, cells in column order.
    pub rows: Vec<Vec<Cell>>,
}

struct RowOut<'a> {
    columns: &'a [String],
    cells: &'a [Cell],
}

impl Serialize for RowOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.cells.len()))?;
        for (c, v) in self.columns.iter().zip(self.cells) {
            m.serialize_entry(c, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct DocOut<'a> {
    #[serde(flatten)]
    header: &'a Header,
    rows: Vec<RowOut<'a>>,
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Table {
    /// The index of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.columns.iter().position(|c| c == name)
    }

    /// `results.csv`: a header line, then one line per row.
    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        let line = |cells: Vec<String>| {
            cells
                .iter()
                .map(|c| csv_field(c))
                .collect::<Vec<_>>()
                .join(",")
        };
        s += &line(self.header.columns.clone());
        s.push('\n');
        for r in &self.rows {
            let _ = writeln!(s, "{}", line(r.iter().map(Cell::text).collect()));
        }
        s
    }

    /// `results.json`: the header's fields, then `rows` (objects with the
    /// columns as keys, in column order).
    pub fn to_json(&self) -> String {
        let doc = DocOut {
            header: &self.header,
            rows: self
                .rows
                .iter()
                .map(|r| RowOut {
                    columns: &self.header.columns,
                    cells: r,
                })
                .collect(),
        };
        let mut s = serde_json::to_string_pretty(&doc).expect("a table serializes");
        s.push('\n');
        s
    }

    /// Reads `results.json` back.
    pub fn from_json(text: &str) -> Result<Table, TableError> {
        let not = |e: serde_json::Error| TableError::NotResults(e.to_string());
        let v: serde_json::Value = serde_json::from_str(text).map_err(not)?;
        let header: Header = serde_json::from_value(v.clone()).map_err(not)?;
        let rows = v
            .get("rows")
            .and_then(|r| r.as_array())
            .ok_or(TableError::NoRows)?;
        let mut out = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let cells = header
                .columns
                .iter()
                .map(|c| match r.get(c) {
                    Some(x) => Cell::from_json(x),
                    None => Err(TableError::MissingColumn {
                        row: i,
                        column: c.clone(),
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if !matches!(cells.first(), Some(Cell::Int(p)) if *p >= 0) {
                return Err(TableError::NoPointIndex { row: i });
            }
            out.push(cells);
        }
        Ok(Table { header, rows: out })
    }

    /// The point index of a row.
    pub fn point_of(row: &[Cell]) -> usize {
        match row.first() {
            Some(Cell::Int(p)) => *p as usize,
            _ => usize::MAX,
        }
    }
}

/// Counts the rows with an error (a non-empty last cell).
pub fn count_errors(rows: &[Vec<Cell>]) -> usize {
    rows.iter()
        .filter(|r| matches!(r.last(), Some(Cell::Str(s)) if !s.is_empty()))
        .count()
}

/// Why a `results.json` could not be read back.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TableError {
    /// Not JSON, or no sweep header.
    #[error("not a results.json: {0}")]
    NotResults(String),
    /// No `rows` array.
    #[error("not a results.json: no \"rows\" array")]
    NoRows,
    /// A row lacks one of the header's columns.
    #[error("row {row} has no column \"{column}\"")]
    MissingColumn {
        /// Row index (0-based).
        row: usize,
        /// The column.
        column: String,
    },
    /// A row's first cell is not a point index.
    #[error("row {row} has no point index")]
    NoPointIndex {
        /// Row index (0-based).
        row: usize,
    },
    /// A number no cell type holds.
    #[error("a number out of range")]
    NumberOutOfRange,
    /// An array or object where a cell belongs.
    #[error("unexpected value {0} in a table")]
    Value(String),
}

/// Why shard tables could not be merged (each names the shard's folder).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No tables.
    #[error("nothing to merge")]
    Empty,
    /// A header claims more points than a sweep may have.
    #[error(
        "{name} claims {points} points; a sweep has at most {}",
        crate::MAX_POINTS
    )]
    TooManyPoints {
        /// The shard's name.
        name: String,
        /// Points it claims.
        points: usize,
    },
    /// A shard count of 0 or above the number of points.
    #[error(
        "{name} claims to be one of {count} shards of a {points}-point sweep: \
         there are between 1 and {} shards",
        (*points).max(1)
    )]
    ShardCount {
        /// The shard's name.
        name: String,
        /// Shards it claims.
        count: usize,
        /// Points of the sweep.
        points: usize,
    },
    /// More tables than shards.
    #[error("{given} folders given for {count} shard(s): a shard is repeated or from another run")]
    TooManyShards {
        /// Tables given.
        given: usize,
        /// Shards of the sweep.
        count: usize,
    },
    /// Tables of different sweeps (or base files, or calibrations).
    #[error(
        "{name} is from another sweep than {first} (fingerprint {fingerprint} vs {first_fingerprint}): \
         shards must come from the same sweep file and base files"
    )]
    OtherSweep {
        /// The shard's name.
        name: String,
        /// The first shard's name.
        first: String,
        /// This shard's fingerprint.
        fingerprint: String,
        /// The first shard's fingerprint.
        first_fingerprint: String,
    },
    /// A shard index not below its count.
    #[error("{name} claims to be shard {shard}: the index must be below the count")]
    ShardIndex {
        /// The shard's name.
        name: String,
        /// The shard it claims to be.
        shard: Shard,
    },
    /// Shards of different counts.
    #[error("{name} is shard {shard} but {first} is one of {count} shards")]
    CountMismatch {
        /// The shard's name.
        name: String,
        /// The shard it is.
        shard: Shard,
        /// The first shard's name.
        first: String,
        /// The first shard's count.
        count: usize,
    },
    /// Two tables of the same shard.
    #[error("{name} and {other} are both shard {shard}")]
    Repeated {
        /// The shard's name.
        name: String,
        /// The other table's name.
        other: String,
        /// The shard.
        shard: Shard,
    },
    /// A shard that was interrupted.
    #[error("{name} (shard {shard}) was interrupted and is incomplete: run it again")]
    Incomplete {
        /// The shard's name.
        name: String,
        /// The shard.
        shard: Shard,
    },
    /// A row of a point another shard owns.
    #[error("{name}: point {point} does not belong to shard {shard}")]
    Misplaced {
        /// The shard's name.
        name: String,
        /// The point.
        point: usize,
        /// The shard.
        shard: Shard,
    },
    /// Shards not given.
    #[error("missing shard(s) {}", shards.iter().map(Shard::to_string).collect::<Vec<_>>().join(", "))]
    Missing {
        /// The shards not given.
        shards: Vec<Shard>,
    },
    /// Rows do not cover the points once each.
    #[error("the shards hold {rows} rows for {points} points: a point is missing or repeated")]
    RowCount {
        /// Rows in all shards.
        rows: usize,
        /// Points of the sweep.
        points: usize,
    },
}

/// Joins the tables of the shards `I/N` of one sweep (named by `names` in
/// messages) into the table of the whole sweep. Refuses tables of different
/// sweeps, shard counts, repeated or missing shards, interrupted shards and
/// repeated or misplaced points.
pub fn merge(tables: Vec<(String, Table)>) -> Result<Table, MergeError> {
    let Some((first_name, first)) = tables.first() else {
        return Err(MergeError::Empty);
    };
    let h0 = first.header.clone();
    // Counts come from files: checked before anything is sized by them.
    if h0.points > crate::MAX_POINTS {
        return Err(MergeError::TooManyPoints {
            name: first_name.clone(),
            points: h0.points,
        });
    }
    let count = h0.shard.map_or(1, |s| s.count);
    if count == 0 || count > h0.points.max(1) {
        return Err(MergeError::ShardCount {
            name: first_name.clone(),
            count,
            points: h0.points,
        });
    }
    if tables.len() > count {
        return Err(MergeError::TooManyShards {
            given: tables.len(),
            count,
        });
    }
    let mut seen: Vec<Option<&str>> = vec![None; count];
    for (name, t) in &tables {
        let h = &t.header;
        if h.fingerprint != h0.fingerprint || h.columns != h0.columns || h.points != h0.points {
            return Err(MergeError::OtherSweep {
                name: name.clone(),
                first: first_name.clone(),
                fingerprint: h.fingerprint.clone(),
                first_fingerprint: h0.fingerprint.clone(),
            });
        }
        let s = h.shard.unwrap_or(Shard { index: 0, count: 1 });
        if s.index >= s.count {
            return Err(MergeError::ShardIndex {
                name: name.clone(),
                shard: s,
            });
        }
        if s.count != count {
            return Err(MergeError::CountMismatch {
                name: name.clone(),
                shard: s,
                first: first_name.clone(),
                count,
            });
        }
        if let Some(other) = seen[s.index] {
            return Err(MergeError::Repeated {
                name: name.clone(),
                other: other.into(),
                shard: s,
            });
        }
        seen[s.index] = Some(name);
        if !h.complete {
            return Err(MergeError::Incomplete {
                name: name.clone(),
                shard: s,
            });
        }
        for r in &t.rows {
            let p = Table::point_of(r);
            if p >= h.points || p % count != s.index {
                return Err(MergeError::Misplaced {
                    name: name.clone(),
                    point: p,
                    shard: s,
                });
            }
        }
    }
    let missing: Vec<Shard> = (0..count)
        .filter(|i| seen[*i].is_none())
        .map(|index| Shard { index, count })
        .collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { shards: missing });
    }
    let mut rows: Vec<Vec<Cell>> = tables.into_iter().flat_map(|(_, t)| t.rows).collect();
    rows.sort_by_key(|r| Table::point_of(r));
    if rows.len() != h0.points
        || rows
            .iter()
            .enumerate()
            .any(|(i, r)| Table::point_of(r) != i)
    {
        return Err(MergeError::RowCount {
            rows: rows.len(),
            points: h0.points,
        });
    }
    let header = Header {
        shard: None,
        complete: true,
        errors: count_errors(&rows),
        ..h0
    };
    Ok(Table { header, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_parses_and_refuses_out_of_range() {
        assert_eq!(
            "1/4".parse::<Shard>().unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert!("4/4".parse::<Shard>().is_err());
        assert!("0/0".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn json_round_trips_floats_exactly() {
        let header = Header {
            sweep: "s".into(),
            kind: "collective".into(),
            fingerprint: "0".into(),
            points: 1,
            shard: None,
            complete: true,
            errors: 0,
            axes: vec![],
            plot: None,
            columns: vec!["point".into(), "x".into(), "y".into(), "error".into()],
        };
        let t = Table {
            header,
            rows: vec![vec![
                Cell::Int(0),
                Cell::Float(0.1 + 0.2),
                Cell::Float(1048576.0),
                Cell::Null,
            ]],
        };
        let back = Table::from_json(&t.to_json()).unwrap();
        assert_eq!(back, t);
        assert_eq!(back.to_json(), t.to_json());
    }
}
