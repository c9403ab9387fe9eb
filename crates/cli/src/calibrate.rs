//! `fabricsim calibrate`: fit α and efficiency to nccl-tests logs, print the
//! fit, optionally write a preset override file (never the topology).

use fabricsim_base::units::Bytes;
use fabricsim_calibrate::fit::{self, Fit, Knob, Point, show_time};
use fabricsim_calibrate::log::{self, NcclLog};
use fabricsim_collective::release::NcclVersion;
use fabricsim_collective::run::{DEFAULT_CHUNK_BYTES, Request, run};
use fabricsim_collective::{Algo, CollectiveSim, Op, Params};
use fabricsim_topology::overrides::Overrides;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// nccl-tests / rccl-tests output files, one run each.
    #[arg(required = true)]
    pub(crate) logs: Vec<PathBuf>,
    /// Topology the logs were measured on (TOML); it is read, never written.
    #[arg(long)]
    pub(crate) topology: PathBuf,
    /// Ranks: a count or rank indices as in `collective` (default: as many
    /// as the log's `# Rank` lines, else all accelerators).
    #[arg(long)]
    pub(crate) ranks: Option<String>,
    /// Algorithm (default auto: the one the presets pick at the largest size,
    /// then held fixed).
    #[arg(long, default_value = "auto")]
    pub(crate) algo: String,
    /// Operation, when the log does not name its test binary.
    #[arg(long)]
    pub(crate) op: Option<String>,
    /// Fit only sizes of at least this (e.g. `16MiB`): below a few MiB NCCL
    /// switches to its low-latency protocols, which the model does not
    /// represent (docs/validation.md, "Known gaps").
    #[arg(long)]
    pub(crate) min_size: Option<String>,
    /// Write the fitted values as a preset override file (TOML).
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing `--out` file.
    #[arg(long)]
    pub(crate) force: bool,
    /// Print measured vs simulated busbw per size (presets and fitted).
    #[arg(long)]
    pub(crate) check: bool,
    /// Print one JSON document instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
    /// The logs were measured with NCCL_COLLNET_ENABLE=1: simulate them
    /// with in-network reduction (SHARP) where the topology's switches can
    /// (as `collective --collnet`) [default: off, as in NCCL].
    #[arg(long)]
    pub(crate) collnet: bool,
    /// Draw measured busbw over the simulated curves (presets and fitted),
    /// one plot per log (PNG and SVG), into DIR.
    #[arg(long, value_name = "DIR")]
    pub(crate) plots: Option<PathBuf>,
    /// NCCL release whose cost model picks the algorithm of an `auto` fit
    /// and of the preset curves: 2.20.3 or 2.28.3 [default: the release of
    /// the NCCL version the log prints (2.28.3 from 2.23 on), else 2.20.3].
    #[arg(long, value_name = "VERSION")]
    pub(crate) nccl: Option<NcclVersion>,
}

/// The date of `path`'s last modification, `YYYY-MM-DD` (UTC).
fn file_date(path: &Path) -> Option<String> {
    let t = std::fs::metadata(path).ok()?.modified().ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() as i64;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = secs.div_euclid(86400) + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

struct Done {
    log: NcclLog,
    /// The release whose cost model picked the algorithm.
    release: NcclVersion,
    fit: Fit,
    /// Simulated busbw with the presets, per size (for `--check`).
    preset_busbw: Vec<f64>,
}

pub(crate) fn command(a: &Args, limits: &fabricsim_base::limits::Limits) -> Result<String, String> {
    let algo: Algo = a.algo.parse().map_err(|e| format!("--algo: {e}"))?;
    let op_flag: Option<Op> = match &a.op {
        Some(o) => Some(o.parse().map_err(|e| format!("--op: {e}"))?),
        None => None,
    };
    let min_size = match &a.min_size {
        Some(t) => t
            .parse::<Bytes>()
            .map_err(|e| format!("--min-size \"{t}\": {e}; {}", e.help()))?
            .get(),
        None => 0.0,
    };
    super::output::input(&a.topology);
    let topo = fabricsim_topology::Topology::load(&a.topology, &super::load_options(&[], limits))
        .map_err(|d| d.render())?;
    super::output::topology_inputs(&topo);
    let mut done = Vec::new();
    for path in &a.logs {
        let name = path.display().to_string();
        let text = super::read_input(path, limits)?;
        let log = log::parse(&text, &name).map_err(|d| d.render())?;
        let op = op_flag.or(log.op).ok_or_else(|| {
            format!("{name}: error: the log does not name its test binary (\"# Collective test starting: ...\"); pass --op")
        })?;
        let sel = match (&a.ranks, log.ranks) {
            (Some(s), _) => Some(s.clone()),
            (None, Some(n)) => Some(n.to_string()),
            (None, None) => None,
        };
        let ranks = super::collective::parse_ranks(sel.as_deref(), &topo.accelerators)
            .map_err(|e| format!("{name}: error: {e}"))?;
        let points: Vec<Point> = log
            .rows
            .iter()
            .filter(|r| r.size as f64 >= min_size)
            .filter_map(|r| {
                r.measure().map(|m| Point {
                    size: r.size as f64,
                    time_s: m.time_us * 1e-6,
                })
            })
            .collect();
        let release = a
            .nccl
            .or_else(|| {
                log.nccl_version
                    .as_deref()
                    .and_then(NcclVersion::of_version)
            })
            .unwrap_or_default();
        let base = Params {
            collnet: a.collnet,
            nccl: Some(release),
            ..Params::default()
        };
        let f = fit::fit_with(&topo, &ranks, op, algo, &points, &base).map_err(|e| {
            let help = match e {
                fit::FitError::OutOfRange(_) => {
                    "\n  help: nothing was written; a log whose times do not grow with size \
                     (or a topology slower than the measured system) cannot be fitted"
                }
                _ => "",
            };
            format!("{name}: error: {e}{help}")
        })?;
        let mut sim = CollectiveSim::new(&topo, base.clone());
        let mut preset_busbw = Vec::new();
        for r in &f.residuals {
            let req = Request {
                op,
                algo: f.algorithm,
                size: r.bytes,
                channels: None,
                chunk_bytes: DEFAULT_CHUNK_BYTES,
                protocol: None,
            };
            let o = run(&mut sim, &ranks, &req).map_err(|e| format!("{name}: error: {e}"))?;
            preset_busbw.push(o.busbw_gbps);
        }
        done.push(Done {
            log,
            release,
            fit: f,
            preset_busbw,
        });
    }
    // One override per link kind and family: two logs fitting the same one
    // would contradict each other.
    let mut overrides = Overrides::default();
    let mut owner: Vec<(String, String)> = Vec::new();
    for d in &done {
        let key = format!("{:?}/{}", d.fit.knob, d.fit.alpha_family);
        if let Some((_, other)) = owner.iter().find(|(k, _)| *k == key) {
            return Err(format!(
                "error: {} and {other} both calibrate {}; give one log per link technology",
                d.log.path,
                knob_name(&d.fit)
            ));
        }
        owner.push((key, d.log.path.clone()));
        let o = d.fit.overrides();
        overrides.link_efficiency.extend(o.link_efficiency);
        overrides.step_latency_s.extend(o.step_latency_s);
        if o.nvls_efficiency.is_some() {
            overrides.nvls_efficiency = o.nvls_efficiency;
        }
    }
    let mut out = String::new();
    if let Some(path) = &a.out {
        let text = format!("{}{}", header(a, &topo.name, &done), overrides.to_toml());
        // Never write a file the reader refuses (the fit checks its range).
        fabricsim_topology::overrides::Overrides::parse_at(&text, &path.display().to_string())
            .map_err(|d| {
                format!(
                    "error: the calibration would not read back ({}); nothing was written (a bug)",
                    d.render()
                )
            })?;
        let inputs: Vec<&Path> = std::iter::once(a.topology.as_path())
            .chain(a.logs.iter().map(PathBuf::as_path))
            .collect();
        super::plots::refuse_inputs("--out", path, &inputs)?;
        write_atomically(path, &text, a.force)?;
        if !a.json {
            out += &format!("# wrote {}\n", path.display());
        }
    }
    if a.json {
        let fits: Vec<_> = done
            .iter()
            .map(|d| serde_json::json!({"log": d.log.path, "nccl_version": d.log.nccl_version, "nccl_release": d.release, "fit": d.fit}))
            .collect();
        let mut s = serde_json::to_string_pretty(&serde_json::json!({
            "topology": topo.name,
            "fits": fits,
        }))
        .expect("fits serialize");
        s.push('\n');
        return Ok(s);
    }
    if let Some(dir) = &a.plots {
        let mut b = super::plots::Batch::new();
        for d in &done {
            let stem = super::plots::file_stem(Path::new(&d.log.path));
            b.add(&[&stem, "calibration"], &check_plot(d, &stem))?;
        }
        b.write(dir)?;
    }
    for d in &done {
        out = render(d, a.check) + &out;
    }
    Ok(out)
}

/// Measured busbw (the log) over the simulated curves with the presets and
/// with the fitted values, at the log's sizes.
fn check_plot(d: &Done, stem: &str) -> fabricsim_plot::Busbw {
    use fabricsim_plot::Series;
    let f = &d.fit;
    let pts = |v: &dyn Fn(usize) -> f64| -> Vec<(f64, f64)> {
        f.residuals
            .iter()
            .enumerate()
            .map(|(i, r)| (r.bytes, v(i)))
            .collect()
    };
    fabricsim_plot::Busbw {
        title: format!("{} busbw, measured vs simulated ({stem})", f.op),
        series: vec![
            Series {
                name: "measured".into(),
                points: pts(&|i| f.residuals[i].measured_busbw_gbps),
                dashed: false,
                color: 0,
            },
            Series {
                name: "simulated, presets".into(),
                points: pts(&|i| d.preset_busbw[i]),
                dashed: true,
                color: 1,
            },
            Series {
                name: "simulated, fitted".into(),
                points: pts(&|i| f.residuals[i].simulated_busbw_gbps),
                dashed: false,
                color: 2,
            },
        ],
    }
}

fn knob_name(f: &Fit) -> String {
    match &f.knob {
        Knob::Link(k) => format!("link kind {k}"),
        Knob::Nvls => "NVLS".into(),
    }
}

fn show_eff(f: &Fit) -> String {
    match f.efficiency_ci {
        Some(c) => format!("{:.4} ± {:.4}", f.efficiency, c),
        None => format!("{:.4} (no interval: 2 sizes)", f.efficiency),
    }
}

fn render(d: &Done, check: bool) -> String {
    let f = &d.fit;
    let mut s = format!(
        "# {}: {} on {} ranks, algorithm {}{} (NCCL {}'s cost model)\n",
        d.log.path,
        f.op,
        f.ranks,
        f.algorithm.name(),
        d.log
            .nccl_version
            .as_ref()
            .map(|v| format!(", NCCL {v}"))
            .unwrap_or_default(),
        d.release
    );
    s += &format!(
        "#   efficiency ({}) = {}   (95 %; preset {:.4})\n",
        knob_name(f),
        show_eff(f),
        f.preset_efficiency
    );
    s += &format!(
        "#   α ({}) = {}   (95 %; preset {})\n",
        f.alpha_family,
        show_time(f.alpha_s, f.alpha_ci_s),
        fabricsim_base::units::Seconds(f.preset_alpha_s)
    );
    s += &format!(
        "#   rms relative time error {:.2} % over {} sizes ({} Gauss-Newton iterations)\n",
        100.0 * f.rms_rel_error,
        f.residuals.len(),
        f.iterations
    );
    if check {
        s += &format!(
            "#{:>13} {:>10} {:>10} {:>8} {:>10} {:>8}\n",
            "size", "measured", "presets", "error", "fitted", "error"
        );
        for (r, p) in f.residuals.iter().zip(&d.preset_busbw) {
            let m = r.measured_busbw_gbps;
            s += &format!(
                " {:>13} {:>10.2} {:>10.2} {:>+7.1}% {:>10.2} {:>+7.1}%\n",
                Bytes(r.bytes).to_string(),
                m,
                p,
                100.0 * (p - m) / m,
                r.simulated_busbw_gbps,
                100.0 * (r.simulated_busbw_gbps - m) / m
            );
        }
    } else {
        s += &format!(
            "#{:>13} {:>12} {:>12} {:>9}\n",
            "size", "measured(us)", "fitted(us)", "residual"
        );
        for r in &f.residuals {
            s += &format!(
                " {:>13} {:>12.2} {:>12.2} {:>+8.2}%\n",
                Bytes(r.bytes).to_string(),
                r.measured_s * 1e6,
                r.simulated_s * 1e6,
                100.0 * r.rel_error
            );
        }
    }
    s
}

/// Header comments of an override file: where every number came from.
fn header(a: &Args, topo_name: &str, done: &[Done]) -> String {
    let mut s = String::from(
        "# fabricsim preset overrides, written by `fabricsim calibrate` (docs/calibration.md).\n\
         # Apply with `fabricsim collective TOPO --calibration THIS_FILE`.\n",
    );
    s += &format!("# topology: {} ({topo_name})\n", a.topology.display());
    for d in done {
        let f = &d.fit;
        let path = Path::new(&d.log.path);
        s += &format!(
            "# log: {} (modified {}; NCCL {}; {}; {} ranks; {} sizes; algorithm {})\n",
            d.log.path,
            file_date(path).unwrap_or_else(|| "unknown".into()),
            d.log.nccl_version.as_deref().unwrap_or("unknown"),
            d.log.program.as_deref().unwrap_or(f.op.name()),
            f.ranks,
            f.residuals.len(),
            f.algorithm.name()
        );
        s += &format!(
            "#   efficiency ({}) {}; α ({}) {}; rms error {:.2} %\n",
            knob_name(f),
            show_eff(f),
            f.alpha_family,
            show_time(f.alpha_s, f.alpha_ci_s),
            100.0 * f.rms_rel_error
        );
    }
    s.push('\n');
    s
}

/// Writes `text` to `path` through a temporary file in the same directory:
/// renamed over `path` with `force`, else hard-linked to it, which fails if
/// `path` exists (so an existing file is never replaced or half-written).
fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), String> {
    if !force && path.exists() {
        return Err(format!(
            "error: {} exists; pass --force to replace it",
            path.display()
        ));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file = path
        .file_name()
        .map_or("out".into(), |f| f.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{file}.tmp-{}", std::process::id()));
    let fail = |e: std::io::Error| format!("error: cannot write {}: {e}", path.display());
    let create = || -> std::io::Result<()> {
        // Created new: an existing file or link of that name is never followed.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        std::io::Write::write_all(&mut f, text.as_bytes())?;
        f.sync_all()
    };
    if let Err(e) = create() {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    // Checked again just before the rename: the path may have changed.
    if let Err(e) = super::output::check_target("--out", path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let res = if force {
        std::fs::rename(&tmp, path)
    } else {
        let r = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        r
    };
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "error: {} exists; pass --force to replace it",
                path.display()
            )
        } else {
            fail(e)
        }
    })
}
