//! nccl-tests / rccl-tests output, as printed.
//!
//! A log is read line by line:
//!
//! - header comments: `# nccl-tests version V nccl-headers=H nccl-library=L`
//!   (or `# rccl-tests version ...`), `# Collective test starting: NAME`
//!   (the binary, which names the operation), `# nThread T nGpus G ...`,
//!   `# Using devices`, one `#  Rank  R Group ... device D [bus] NAME` per rank;
//! - `NCCL version 2.18.5+cuda12.2` / `RCCL version ...` lines
//!   (`NCCL_DEBUG=INFO` output) and other `NCCL INFO` lines;
//! - the column header `#  size  count  type  redop  root  time  algbw
//!   busbw  #wrong  time  algbw  busbw  #wrong` (its column set is taken
//!   from the file: nccl-tests prints `redop` `none` and `root` `-1` for
//!   all-gather, all-to-all and send/recv, older versions may omit columns,
//!   newer ones may append per-iteration statistics, which are ignored);
//!   the first `time algbw busbw #wrong` group is out-of-place, the second
//!   in-place (nccl-tests `src/util.cu`, `writeBenchmarkLineBody`);
//! - one row per size, then `# Out of bounds values : N OK` and
//!   `# Avg bus bandwidth : X`, which ends the table.
//!
//! Every problem is a [`Diagnostic`](fabricsim_topology::Diagnostic) at `file:line:col`; nothing here
//! panics on input. Rules (one test each in `tests/it/validation/calibrate.rs`):
//! a row with the wrong number of columns, a number that does not parse,
//! a `#wrong` that is not `0` (`N/A`: the run did not check its results,
//! nccl-tests `-c 0`), a repeated size, an error line (an `NCCL WARN` that
//! reports a failure or an error,
//! `Test NCCL failure`, a failed out-of-bounds check), a table without
//! rows, a log that ends before `# Avg bus bandwidth` (truncated), a second
//! table in one file, an unsupported test binary, no table at all.

use fabricsim_base::diag::{Diagnostics, Sink};
use fabricsim_collective::Op;

/// Time and bandwidths of one placement (out-of-place or in-place).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Measure {
    /// Time of one call \[µs\], as printed.
    pub time_us: f64,
    /// `size / time` \[GB/s\].
    pub algbw_gbps: f64,
    /// `algbw × factor` \[GB/s\].
    pub busbw_gbps: f64,
}

/// One row of the results table.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Row {
    /// 1-based line in the file.
    pub line: usize,
    /// nccl-tests size S \[bytes\].
    pub size: u64,
    /// Elements per call (the `count` column).
    pub count: u64,
    /// Element type (the `type` column), e.g. `float`.
    pub dtype: String,
    /// The first `time algbw busbw` group, if the row has it.
    pub out_of_place: Option<Measure>,
    /// The second `time algbw busbw` group, if the row has it.
    pub in_place: Option<Measure>,
}

impl Row {
    /// The in-place measurement if printed, else the out-of-place one.
    pub fn measure(&self) -> Option<&Measure> {
        self.in_place.as_ref().or(self.out_of_place.as_ref())
    }
}

/// A parsed nccl-tests log.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NcclLog {
    /// The file, as given.
    pub path: String,
    /// The test binary, e.g. `all_reduce_perf`.
    pub program: Option<String>,
    /// The operation of [`NcclLog::program`].
    pub op: Option<Op>,
    /// `nccl-tests 2.17.6` / `rccl-tests 2.18.3`.
    pub tests_version: Option<String>,
    /// NCCL (or RCCL) library version, from a `NCCL version` line or the
    /// `nccl-library=` code of the nccl-tests header.
    pub nccl_version: Option<String>,
    /// `nGpus` of the header (GPUs per process).
    pub n_gpus: Option<usize>,
    /// Number of `# Rank` lines: the communicator size.
    pub ranks: Option<usize>,
    /// Device names of the `# Rank` lines, deduplicated, in order.
    pub devices: Vec<String>,
    /// The results table, in file order.
    pub rows: Vec<Row>,
    /// `# Avg bus bandwidth` \[GB/s\].
    pub avg_busbw_gbps: Option<f64>,
}

/// The column header of nccl-tests ≥ 2.0 (used when a file has rows but no
/// column header).
const DEFAULT_COLUMNS: [&str; 13] = [
    "size", "count", "type", "redop", "root", "time", "algbw", "busbw", "#wrong", "time", "algbw",
    "busbw", "#wrong",
];

/// The operation of an nccl-tests binary name (`all_reduce_perf`,
/// `all_reduce_perf_mpi`, `rccl-tests`' same names).
pub fn op_of_program(program: &str) -> Option<Op> {
    let base = program.rsplit('/').next().unwrap_or(program);
    let base = base.strip_suffix("_mpi").unwrap_or(base);
    let base = base.strip_suffix("_perf").unwrap_or(base);
    Some(match base {
        "all_reduce" => Op::AllReduce,
        "all_gather" => Op::AllGather,
        "reduce_scatter" => Op::ReduceScatter,
        "alltoall" => Op::AllToAll,
        "broadcast" => Op::Broadcast,
        "reduce" => Op::Reduce,
        "sendrecv" => Op::SendRecv,
        _ => return None,
    })
}

/// `2.25.1` from NCCL's version code (`NCCL_VERSION_CODE`: major·10000 +
/// minor·100 + patch since 2.9, major·1000 + minor·100 + patch before).
fn version_of_code(code: u64) -> String {
    if code >= 10000 {
        format!("{}.{}.{}", code / 10000, (code % 10000) / 100, code % 100)
    } else {
        format!("{}.{}.{}", code / 1000, (code % 1000) / 100, code % 100)
    }
}

/// Whitespace-separated tokens of `line` with their byte offsets in it.
fn tokens(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, &line[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &line[s..]));
    }
    out
}

/// Whether a non-comment line reports a failure. An `NCCL WARN` line is one
/// only when it reports a failure or an error (`NCCL WARN Cuda failure ...`);
/// NCCL also warns about benign events (`NET/IB : Got async event : port
/// active`), which do not invalidate measurements whose `#wrong` is 0.
fn is_error_line(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    (line.contains("NCCL WARN") && (lower.contains("failure") || lower.contains("error")))
        || line.contains("Test NCCL failure")
        || line.contains("Test CUDA failure")
        || line.contains("Test failure")
}

/// Parses an nccl-tests / rccl-tests log; `path` names it in diagnostics.
pub fn parse(text: &str, path: &str) -> Result<NcclLog, Diagnostics> {
    let mut sink = Sink::new(text, path);
    let mut log = NcclLog {
        path: path.to_string(),
        program: None,
        op: None,
        tests_version: None,
        nccl_version: None,
        n_gpus: None,
        ranks: None,
        devices: Vec::new(),
        rows: Vec::new(),
        avg_busbw_gbps: None,
    };
    // Column names and the line of the header, once seen.
    let mut columns: Option<(Vec<String>, usize)> = None;
    let mut ended = false;
    let mut last_line_start = 0;
    let mut ranks = 0usize;
    let mut offset = 0usize;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        last_line_start = start;
        let at = |col: usize| start + col..start + col + 1;
        if let Some(body) = line.trim_start().strip_prefix('#') {
            let hash = line.len() - line.trim_start().len();
            let body_off = hash + 1;
            let b = body.trim();
            let toks = tokens(body);
            if let Some(rest) = b
                .strip_prefix("nccl-tests version")
                .or_else(|| b.strip_prefix("rccl-tests version"))
            {
                let tool = &b[..10];
                let mut parts = rest.split_whitespace();
                if let Some(v) = parts.next() {
                    log.tests_version = Some(format!("{tool} {v}"));
                }
                for p in parts {
                    if let Some(code) = p.strip_prefix("nccl-library=")
                        && let Ok(code) = code.parse::<u64>()
                        && log.nccl_version.is_none()
                    {
                        log.nccl_version = Some(version_of_code(code));
                    }
                }
            } else if let Some(name) = b.strip_prefix("Collective test starting:") {
                let name = name.trim();
                log.program = Some(name.to_string());
                log.op = op_of_program(name);
                if log.op.is_none() {
                    let col = body_off + body.find(name).unwrap_or(0);
                    sink.error(
                        at(col),
                        format!("test \"{name}\" is not a collective fabricsim simulates"),
                        Some("fabricsim calibrates all_reduce, all_gather, reduce_scatter, alltoall, broadcast, reduce and sendrecv logs".into()),
                    );
                }
            } else if b.starts_with("nThread") {
                let words: Vec<&str> = b.split_whitespace().collect();
                for w in words.windows(2) {
                    if w[0] == "nGpus" {
                        log.n_gpus = w[1].parse().ok();
                    }
                }
            } else if b.starts_with("Rank") && b.contains("device") {
                ranks += 1;
                if let Some(close) = b.find(']') {
                    let dev = b[close + 1..].trim().to_string();
                    if !dev.is_empty() && !log.devices.contains(&dev) {
                        log.devices.push(dev);
                    }
                }
            } else if toks.first().is_some_and(|t| t.1 == "size")
                && toks.iter().any(|t| t.1 == "busbw")
            {
                if columns.is_some() {
                    sink.error(
                        at(hash),
                        "a second results table starts here",
                        Some("give one nccl-tests run per file".into()),
                    );
                } else {
                    columns = Some((toks.iter().map(|t| t.1.to_string()).collect(), line_no));
                }
            } else if let Some(rest) = b.strip_prefix("Out of bounds values") {
                let rest = rest.trim_start_matches([' ', ':']).trim();
                let n = rest.split_whitespace().next().unwrap_or("");
                if n != "0" || rest.contains("FAILED") {
                    sink.error(
                        at(hash),
                        format!("the run reports out-of-bounds values: {rest}"),
                        Some("its times are not measurements of a correct collective".into()),
                    );
                }
            } else if let Some(rest) = b.strip_prefix("Avg bus bandwidth") {
                let v = rest.trim_start_matches([' ', ':']).trim();
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => log.avg_busbw_gbps = Some(x),
                    _ => sink.error(
                        at(hash),
                        format!("\"# Avg bus bandwidth\" is not a number: \"{v}\""),
                        None,
                    ),
                }
                ended = true;
            }
            continue;
        }
        let toks = tokens(line);
        if is_error_line(line) {
            sink.error(
                at(toks.first().map_or(0, |t| t.0)),
                format!("the log reports an error: {}", line.trim()),
                Some(
                    "a failed run is not a measurement; fix the run and calibrate on its new log"
                        .into(),
                ),
            );
            continue;
        }
        if let Some(p) = line
            .find("NCCL version ")
            .or_else(|| line.find("RCCL version "))
        {
            if let Some(v) = line[p + 13..].split_whitespace().next() {
                log.nccl_version = Some(v.to_string());
            }
            continue;
        }
        let numeric = toks.first().is_some_and(|t| t.1.parse::<u64>().is_ok());
        if !numeric {
            // Launcher and library noise outside the table is ignored; inside
            // the table only rows are expected.
            if columns.is_some() && !ended && !log.rows.is_empty() && !line.contains("NCCL INFO") {
                sink.error(
                    at(toks.first().map_or(0, |t| t.0)),
                    format!("unexpected line in the results table: \"{}\"", line.trim()),
                    Some("a row starts with the size in bytes".into()),
                );
            }
            continue;
        }
        if ended {
            sink.error(
                at(toks[0].0),
                "a results row after \"# Avg bus bandwidth\"",
                Some("give one nccl-tests run per file".into()),
            );
            continue;
        }
        let names: Vec<String> = match &columns {
            Some((c, _)) => c.clone(),
            None => DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect(),
        };
        if toks.len() != names.len() {
            let header = match &columns {
                Some((_, l)) => format!("the column header at line {l}"),
                None => "an nccl-tests table".to_string(),
            };
            let end = toks.last().map_or(0, |t| t.0 + t.1.len());
            sink.error(
                at(if toks.len() < names.len() {
                    end
                } else {
                    toks[names.len()].0
                }),
                format!(
                    "row has {} columns, {header} has {} ({})",
                    toks.len(),
                    names.len(),
                    names.join(" ")
                ),
                (toks.len() < names.len())
                    .then(|| "the row is cut short: is the log truncated?".to_string()),
            );
            continue;
        }
        if let Some(row) = parse_row(&mut sink, &toks, &names, line_no, start) {
            if let Some(prev) = log.rows.iter().find(|r| r.size == row.size) {
                sink.error(
                    at(toks[0].0),
                    format!("size {} repeats the row at line {}", row.size, prev.line),
                    Some("give one nccl-tests run per file".into()),
                );
            } else {
                log.rows.push(row);
            }
        }
    }
    if ranks > 0 {
        log.ranks = Some(ranks);
    }
    if !sink.has_errors() {
        match (&columns, log.rows.is_empty()) {
            (None, true) => sink.error_unlocated(
                "no nccl-tests results table found",
                Some(
                    "expected a \"#  size  count  type ...\" header followed by one row per size"
                        .into(),
                ),
            ),
            (Some((_, l)), true) => {
                let l = *l;
                let off = text
                    .split_inclusive('\n')
                    .take(l - 1)
                    .map(str::len)
                    .sum::<usize>();
                sink.error(
                    off..off + 1,
                    "the results table has no rows",
                    Some("is the log truncated?".into()),
                );
            }
            (_, false) if !ended => sink.error(
                last_line_start..last_line_start + 1,
                "the log ends before \"# Avg bus bandwidth\": it is truncated",
                Some("calibrate on the complete output of the run".into()),
            ),
            _ => {}
        }
    }
    match sink.finish() {
        Some(d) => Err(d),
        None => Ok(log),
    }
}

/// Largest size of a row, in bytes (`Quantity::DataSize`'s bound, 1 EiB).
const MAX_SIZE_BYTES: f64 = 1_152_921_504_606_846_976.0;

/// Largest time of a row, in microseconds (`Quantity::Duration`'s bound,
/// 10⁶ s): fits and their results stay finite.
const MAX_TIME_US: f64 = 1e12;

/// Parses the tokens of one row against the column names; records
/// problems in `sink`.
fn parse_row(
    sink: &mut Sink<'_>,
    toks: &[(usize, &str)],
    names: &[String],
    line_no: usize,
    start: usize,
) -> Option<Row> {
    let mut ok = true;
    let mut row = Row {
        line: line_no,
        size: 0,
        count: 0,
        dtype: String::new(),
        out_of_place: None,
        in_place: None,
    };
    // (time, algbw, busbw) of the group being read; group 0 out-of-place.
    let mut group = 0usize;
    let mut cur: [Option<f64>; 3] = [None; 3];
    for (&(col, tok), name) in toks.iter().zip(names) {
        let span = start + col..start + col + tok.len();
        let number = |sink: &mut Sink<'_>, what: &str| -> Option<f64> {
            match tok.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                _ => {
                    sink.error(
                        span.clone(),
                        format!("{what} is \"{tok}\", not a non-negative number"),
                        (tok == "N/A").then(|| "the run did not measure this row".to_string()),
                    );
                    None
                }
            }
        };
        match name.as_str() {
            "size" | "count" => match tok.parse::<u64>() {
                Ok(0) if name == "size" => {
                    sink.error(
                        span,
                        "size is 0: a measurement moves at least one byte",
                        Some(
                            "remove the row (nccl-tests prints size 0 only for an empty run)"
                                .into(),
                        ),
                    );
                    ok = false;
                }
                Ok(v) if name == "size" && v as f64 > MAX_SIZE_BYTES => {
                    sink.error(
                        span,
                        format!("size is {v} bytes, above the largest accepted data size, 1 EiB"),
                        Some("check the column order: size is the first column, in bytes".into()),
                    );
                    ok = false;
                }
                Ok(v) if name == "size" => row.size = v,
                Ok(v) => row.count = v,
                Err(_) => {
                    sink.error(
                        span,
                        format!("{name} is \"{tok}\", not a whole number"),
                        None,
                    );
                    ok = false;
                }
            },
            "type" => row.dtype = tok.to_string(),
            "time" | "algbw" | "busbw" => {
                let k = ["time", "algbw", "busbw"]
                    .iter()
                    .position(|n| n == name)
                    .unwrap_or(0);
                match number(sink, name) {
                    Some(x) if name == "time" && x > MAX_TIME_US => {
                        sink.error(
                            span,
                            format!(
                                "time is {tok} us, above the largest accepted duration, 1000000 s"
                            ),
                            Some(
                                "nccl-tests prints times in microseconds; check the column".into(),
                            ),
                        );
                        ok = false;
                    }
                    Some(x) => cur[k] = Some(x),
                    None => ok = false,
                }
            }
            "#wrong" => {
                if tok == "N/A" {
                    sink.error(
                        span,
                        "#wrong is N/A: the run did not check its results (nccl-tests -c 0)",
                        Some("rerun with -c 1 so that every row is known to be correct".into()),
                    );
                    ok = false;
                } else if tok.parse::<f64>() != Ok(0.0) {
                    sink.error(
                        span,
                        format!("#wrong is {tok}: this size produced wrong results"),
                        Some("a row with wrong results is not a measurement; fix the run".into()),
                    );
                    ok = false;
                }
                if let [Some(t), Some(a), Some(b)] = cur {
                    let m = Measure {
                        time_us: t,
                        algbw_gbps: a,
                        busbw_gbps: b,
                    };
                    if group == 0 {
                        row.out_of_place = Some(m);
                    } else {
                        row.in_place = Some(m);
                    }
                }
                cur = [None; 3];
                group += 1;
            }
            _ => {}
        }
    }
    if ok && row.measure().is_some_and(|m| m.time_us <= 0.0) {
        sink.error(
            start + toks[0].0..start + toks[0].0 + 1,
            "the row's time is 0",
            None,
        );
        ok = false;
    }
    ok.then_some(row)
}

/// One synthetic row: size S \[bytes\] and time \[s\].
#[derive(Clone, Copy, Debug)]
pub struct SyntheticRow {
    /// nccl-tests size S \[bytes\].
    pub size: f64,
    /// Time of one call \[s\].
    pub time_s: f64,
}

/// Writes rows in nccl-tests' format (for tests and examples): `comment`
/// lines first, then the header of `program` on `ranks` ranks, one row per
/// size with the same out-of-place and in-place figures, times printed with
/// 6 decimals (more than nccl-tests' 2, so that fits can be checked to
/// 1e-6), the out-of-bounds and average lines.
pub fn write_synthetic(
    comment: &[&str],
    program: &str,
    op: Op,
    ranks: usize,
    device: &str,
    rows: &[SyntheticRow],
) -> String {
    let mut s = String::new();
    for c in comment {
        s += &format!("# {c}\n");
    }
    s += "# nccl-tests version 2.17.6 nccl-headers=21805 nccl-library=21805\n";
    s += &format!("# Collective test starting: {program}\n");
    s += &format!(
        "# nThread 1 nGpus {ranks} minBytes {} maxBytes {} step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0\n#\n# Using devices\n",
        rows.first().map_or(0.0, |r| r.size),
        rows.last().map_or(0.0, |r| r.size),
    );
    for r in 0..ranks {
        s += &format!(
            "#  Rank {r:2} Group  0 Pid  10000 on synthetic device {r:2} [0x{:02x}] {device}\n",
            r + 7
        );
    }
    s += "#\n#                                                              out-of-place                       in-place          \n";
    s += "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong\n";
    s += "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       \n";
    let factor = op.bus_factor(ranks);
    let (redop, root) = match op {
        Op::AllReduce | Op::ReduceScatter | Op::Reduce => {
            ("sum", if op == Op::Reduce { 0 } else { -1 })
        }
        Op::Broadcast => ("none", 0),
        _ => ("none", -1),
    };
    let mut sum = 0.0;
    for r in rows {
        let count = match op {
            Op::AllGather | Op::ReduceScatter | Op::AllToAll => r.size / 4.0 / ranks as f64,
            _ => r.size / 4.0,
        };
        let algbw = r.size / r.time_s / 1e9;
        let busbw = algbw * factor;
        sum += busbw;
        let body = format!(
            "{:>12.6}  {algbw:>6.2}  {busbw:>6.2}  {:>5}",
            r.time_s * 1e6,
            0
        );
        s += &format!(
            "{:>12}  {:>12}  {:>8}  {redop:>6}  {root:>6}  {body}  {body}\n",
            r.size as u64,
            count.floor() as u64,
            "float"
        );
    }
    s += "# Out of bounds values : 0 OK\n";
    s += &format!(
        "# Avg bus bandwidth    : {:.4} \n#\n",
        sum / rows.len().max(1) as f64
    );
    s
}
