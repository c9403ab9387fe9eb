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

    fn from_json(v: &serde_json::Value) -> Result<Cell, String> {
        Ok(match v {
            serde_json::Value::Null => Cell::Null,
            serde_json::Value::Bool(b) => Cell::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Cell::Int(i),
                None => Cell::Float(n.as_f64().ok_or("a number out of range")?),
            },
            serde_json::Value::String(s) => Cell::Str(s.clone()),
            other => return Err(format!("unexpected value {other} in a table")),
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

fn csv_field(s: &str) -> String {
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
    pub fn from_json(text: &str) -> Result<Table, String> {
        let v: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not a results.json: {e}"))?;
        let header: Header =
            serde_json::from_value(v.clone()).map_err(|e| format!("not a results.json: {e}"))?;
        let rows = v
            .get("rows")
            .and_then(|r| r.as_array())
            .ok_or("not a results.json: no \"rows\" array")?;
        let mut out = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            let cells = header
                .columns
                .iter()
                .map(|c| match r.get(c) {
                    Some(x) => Cell::from_json(x),
                    None => Err(format!("row {i} has no column \"{c}\"")),
                })
                .collect::<Result<Vec<_>, _>>()?;
            if !matches!(cells.first(), Some(Cell::Int(p)) if *p >= 0) {
                return Err(format!("row {i} has no point index"));
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

/// Joins the tables of the shards `I/N` of one sweep (named by `names` in
/// messages) into the table of the whole sweep. Refuses tables of different
/// sweeps, shard counts, repeated or missing shards, interrupted shards and
/// repeated or misplaced points.
pub fn merge(tables: Vec<(String, Table)>) -> Result<Table, String> {
    let Some((first_name, first)) = tables.first() else {
        return Err("nothing to merge".into());
    };
    let h0 = first.header.clone();
    // Counts come from files: checked before anything is sized by them.
    if h0.points > crate::MAX_POINTS {
        return Err(format!(
            "{first_name} claims {} points; a sweep has at most {}",
            h0.points,
            crate::MAX_POINTS
        ));
    }
    let count = h0.shard.map_or(1, |s| s.count);
    if count == 0 || count > h0.points.max(1) {
        return Err(format!(
            "{first_name} claims to be one of {count} shards of a {}-point sweep: \
             there are between 1 and {} shards",
            h0.points,
            h0.points.max(1)
        ));
    }
    if tables.len() > count {
        return Err(format!(
            "{} folders given for {count} shard(s): a shard is repeated or from another run",
            tables.len()
        ));
    }
    let mut seen: Vec<Option<&str>> = vec![None; count];
    for (name, t) in &tables {
        let h = &t.header;
        if h.fingerprint != h0.fingerprint || h.columns != h0.columns || h.points != h0.points {
            return Err(format!(
                "{name} is from another sweep than {first_name} (fingerprint {} vs {}): \
                 shards must come from the same sweep file and base files",
                h.fingerprint, h0.fingerprint
            ));
        }
        let s = h.shard.unwrap_or(Shard { index: 0, count: 1 });
        if s.index >= s.count {
            return Err(format!(
                "{name} claims to be shard {}/{}: the index must be below the count",
                s.index, s.count
            ));
        }
        if s.count != count {
            return Err(format!(
                "{name} is shard {}/{} but {first_name} is one of {count} shards",
                s.index, s.count
            ));
        }
        if let Some(other) = seen[s.index] {
            return Err(format!(
                "{name} and {other} are both shard {}/{count}",
                s.index
            ));
        }
        seen[s.index] = Some(name);
        if !h.complete {
            return Err(format!(
                "{name} (shard {}/{count}) was interrupted and is incomplete: run it again",
                s.index
            ));
        }
        for r in &t.rows {
            let p = Table::point_of(r);
            if p >= h.points || p % count != s.index {
                return Err(format!(
                    "{name}: point {p} does not belong to shard {}/{count}",
                    s.index
                ));
            }
        }
    }
    let missing: Vec<String> = (0..count)
        .filter(|i| seen[*i].is_none())
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!("missing shard(s) {}", missing.join(", ")));
    }
    let mut rows: Vec<Vec<Cell>> = tables.into_iter().flat_map(|(_, t)| t.rows).collect();
    rows.sort_by_key(|r| Table::point_of(r));
    if rows.len() != h0.points
        || rows
            .iter()
            .enumerate()
            .any(|(i, r)| Table::point_of(r) != i)
    {
        return Err(format!(
            "the shards hold {} rows for {} points: a point is missing or repeated",
            rows.len(),
            h0.points
        ));
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
