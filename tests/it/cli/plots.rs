//! Every plot kind rendered from a small simulation: the PNG decodes with the
//! expected size and is not blank, the SVG holds the title, the axis labels
//! and every series name; `--plots DIR` writes those files and nothing else.

use crate::common::topology as topo;
use crate::common::{fabricsim, stderr};
use fabricsim::collective::run::{Request, run, run_with_report};
use fabricsim::collective::{CollectiveSim, Op, Params};
use fabricsim::plot::{self, Breakdown, Busbw, Plot, Rendered, TopLinks};
use fabricsim::plot_data as from;
use fabricsim::workload::iteration;

fn req(op: Op, size: f64) -> Request {
    Request::new(op, size)
}

/// Decodes the PNG: size, and the variance of its pixels.
fn check_png(r: &Rendered) {
    let dec = png::Decoder::new(std::io::Cursor::new(&r.png));
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    assert_eq!((info.width, info.height), plot::SIZE);
    let px = &buf[..info.buffer_size()];
    let mean = px.iter().map(|&b| b as f64).sum::<f64>() / px.len() as f64;
    let var = px.iter().map(|&b| (b as f64 - mean).powi(2)).sum::<f64>() / px.len() as f64;
    assert!(var > 0.0, "blank png");
    // Not just a few pixels: text and data cover a visible part.
    let non_white = px.chunks(3).filter(|p| p != &[255, 255, 255]).count();
    assert!(non_white > 5_000, "{non_white} non-white pixels");
}

/// The SVG is one document holding every string of `needles`. Text is
/// XML-escaped in SVG, so `→` and `&` are looked up as written there.
fn check_svg(r: &Rendered, needles: &[&str]) {
    assert!(r.svg.starts_with("<svg") && r.svg.trim_end().ends_with("</svg>"));
    for n in needles {
        let esc = n
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert!(r.svg.contains(&esc), "svg lacks {n:?}");
    }
}

fn render(p: &impl Plot) -> Rendered {
    let r = plot::render(p).unwrap();
    check_png(&r);
    r
}

#[test]
fn busbw_curves_with_bounds() {
    let mut series = Vec::new();
    for (i, name) in ["hgx-h100", "mi300x-8"].iter().enumerate() {
        let t = topo(&format!("{name}.toml"));
        let mut sim = CollectiveSim::new(&t, Params::default());
        let outs: Vec<_> = (20..=24)
            .map(|k| run(&mut sim, &t.accelerators, &req(Op::AllReduce, 2f64.powi(k))).unwrap())
            .collect();
        series.extend(from::busbw_series(name, &outs, i));
    }
    let names: Vec<String> = series.iter().map(|s| s.name.clone()).collect();
    let p = Busbw {
        title: "all-reduce busbw".into(),
        series,
    };
    let r = render(&p);
    let mut needles = vec![
        "all-reduce busbw",
        "message size S (log2 scale)",
        "bus bandwidth busbw (GB/s, 1 GB = 1e9 bytes)",
        "1 MiB",
        "16 MiB",
    ];
    needles.extend(names.iter().map(|s| s.as_str()));
    check_svg(&r, &needles);
    // Same data, same bytes.
    assert_eq!(plot::render(&p).unwrap(), r);
}

#[test]
fn collective_top_links_timeline_and_heatmap() {
    let t = topo("h100-2tier-16node.toml");
    let mut sim = CollectiveSim::new(&t, Params::default());
    let (o, report) =
        run_with_report(&mut sim, &t.accelerators, &req(Op::AllReduce, 256e6)).unwrap();
    assert_eq!(o.time_s, report.time_s);
    // Per-tier utilization: every step has every tier, within [0, 1].
    let tiers = report.steps[0].tier_busy.len();
    assert!(tiers >= 2, "{:?}", report.steps[0].tier_busy);
    for s in &report.steps {
        assert_eq!(s.tier_busy.len(), tiers);
        for tb in &s.tier_busy {
            assert!(tb.mean <= tb.max + 1e-12 && tb.max <= 1.0 + 1e-9, "{tb:?}");
        }
    }

    let bars = from::top_links(&t, &report, 10);
    assert!(!bars.is_empty() && bars.len() <= 10);
    assert!(bars.windows(2).all(|w| w[0].busy >= w[1].busy));
    let top = bars[0].label.clone();
    let r = render(&TopLinks {
        title: "top links".into(),
        bars,
    });
    check_svg(
        &r,
        &[
            "top links",
            "busy fraction (% of line-rate capacity × run time)",
            &top,
        ],
    );

    let tl = from::step_timeline("collective steps", &report);
    let kinds: Vec<String> = tl.bars.iter().map(|b| b.kind.clone()).collect();
    let r = render(&tl);
    let mut needles = vec!["collective steps", "busiest link tier"];
    needles.extend(kinds.iter().map(|s| s.as_str()));
    check_svg(&r, &needles);

    let hm = from::tier_heatmap("tier heatmap", &report);
    assert_eq!(hm.values.len(), hm.rows.len());
    let rows = hm.rows.clone();
    let r = render(&hm);
    let mut needles = vec!["tier heatmap", "link tier", "busiest link of the tier"];
    needles.extend(rows.iter().map(|s| s.as_str()));
    check_svg(&r, &needles);
}

#[test]
fn job_breakdown_timeline_and_bottlenecks() {
    let job = fabricsim::workload::Job::load(
        format!("{}/workloads/llama3-8b.toml", env!("CARGO_MANIFEST_DIR")),
        &Default::default(),
    )
    .unwrap();
    let t = topo("h100-2tier-16node.toml");
    let rep = iteration::run(&t, &job, Params::default()).unwrap();
    // The exposed time per kind adds up to the reported total.
    let exposed: f64 = rep.by_kind.iter().map(|k| k.exposed_s).sum();
    let it = &rep.iteration;
    assert!((exposed - it.exposed_comm_time_s).abs() <= 1e-9 * it.total_time_s.max(1e-12));

    let stack = from::job_stack(&rep);
    let sum: f64 = stack.segments.iter().map(|s| s.1).sum();
    assert!((sum - it.total_time_s).abs() <= 1e-9 * it.total_time_s);
    let cats: Vec<String> = stack.segments.iter().map(|s| s.0.clone()).collect();
    let mut other = stack.clone();
    other.name = "second topology".into();
    let r = render(&Breakdown {
        title: "iteration breakdown".into(),
        bars: vec![stack, other],
    });
    let mut needles = vec![
        "iteration breakdown",
        "topology",
        "time per iteration",
        "second topology",
    ];
    needles.extend(cats.iter().map(|s| s.as_str()));
    check_svg(&r, &needles);

    let tl = from::job_timeline("iteration phases", &rep);
    let total = tl.bars.last().unwrap().end_s;
    assert!((total - it.total_time_s).abs() <= 1e-9 * it.total_time_s);
    // Micro-batch by micro-batch: min(m, 32) compute bars that sum to the
    // compute time, each before its share of exposed communication.
    let compute: Vec<_> = tl.bars.iter().filter(|b| b.lane == "compute").collect();
    assert_eq!(compute.len(), rep.micro_batches.clamp(1, 32) as usize);
    let sum: f64 = compute.iter().map(|b| b.end_s - b.start_s).sum();
    assert!((sum - it.compute_time_s).abs() <= 1e-9 * it.compute_time_s);
    let r = render(&tl);
    check_svg(&r, &["iteration phases", "compute", "phase", "time ("]);

    let bars = from::job_bottlenecks(&rep);
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let r = render(&TopLinks {
        title: "bottlenecks".into(),
        bars,
    });
    let needles: Vec<&str> = labels.iter().map(|s| s.as_str()).collect();
    check_svg(&r, &needles);
}

fn listing(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("fabricsim-plots-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn collective_plots_dir_holds_exactly_the_plots() {
    let dir = tmp("collective");
    let args = [
        "collective",
        "topologies/hgx-h100.toml",
        "--op",
        "all-reduce",
        "--size",
        "1MiB..64MiB",
        "--plots",
        dir.to_str().unwrap(),
    ];
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = listing(&dir);
    let stems = ["busbw", "top-links", "timeline", "heatmap"];
    assert_eq!(files.len(), 2 * stems.len(), "{files:?}");
    for s in stems {
        for ext in ["png", "svg"] {
            let f = files
                .iter()
                .find(|f| f.ends_with(&format!("-{s}.{ext}")))
                .unwrap_or_else(|| panic!("no {s}.{ext} in {files:?}"));
            assert!(stderr(&o).contains(f.as_str()), "path not printed");
            assert!(std::fs::metadata(dir.join(f)).unwrap().len() > 1000);
        }
    }
    // Again: the same files are replaced, nothing else appears.
    let o = fabricsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(listing(&dir), files);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn job_and_compare_plots() {
    let dir = tmp("job");
    let o = fabricsim(&[
        "job",
        "topologies/h100-2tier-16node.toml",
        "workloads/llama3-8b.toml",
        "--plots",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = listing(&dir);
    // breakdown, timeline, top links and energy, each PNG + SVG.
    assert_eq!(files.len(), 8, "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("-energy.png")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .all(|f| f.ends_with(".png") || f.ends_with(".svg"))
    );
    let _ = std::fs::remove_dir_all(&dir);

    let dir = tmp("compare");
    let o = fabricsim(&[
        "compare",
        "topologies/hgx-h100.toml",
        "topologies/mi300x-8.toml",
        "--op",
        "all-reduce",
        "--size",
        "64MiB",
        "--plots",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = listing(&dir);
    assert_eq!(files.len(), 2, "{files:?}");
    let svg =
        std::fs::read_to_string(dir.join(files.iter().find(|f| f.ends_with(".svg")).unwrap()))
            .unwrap();
    assert!(
        svg.contains("hgx-h100") || svg.contains("H100"),
        "series names"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// The step timeline has one lane per phase, in order, each labelled with
/// its step count, and the bars tile the run: a ring all-reduce on `n`
/// ranks is `n−1` reduce-scatter steps then `n−1` all-gather steps, each
/// half the time (the steps are identical); hierarchical is the in-domain
/// reduce-scatter, the cross-domain all-reduce over the `D` domains' rail
/// rings (`2(D−1)` steps) and the in-domain all-gather; a pipelined tree
/// fills, runs steady and drains. A protocol's base latency comes first.
#[test]
fn step_timeline_lanes_are_phases() {
    use fabricsim::collective::Algo;
    let t = topo("h100-2tier-16node.toml");
    let n = t.accelerators.len();
    let mut sim = CollectiveSim::new(&t, Params::default());
    let mut lanes = |algo: Algo| {
        let r = req(Op::AllReduce, 1073741824.0).algo(algo);
        let (o, report) = run_with_report(&mut sim, &t.accelerators, &r).unwrap();
        let tl = from::step_timeline("steps", &report);
        // Bars are back to back from 0 to the run's time.
        let mut at = 0.0;
        for b in &tl.bars {
            assert_eq!(b.start_s, at);
            at = b.end_s;
        }
        assert!(
            (at - o.time_s).abs() <= 1e-9 * o.time_s,
            "{at} vs {}",
            o.time_s
        );
        let mut names: Vec<String> = Vec::new();
        for b in &tl.bars {
            if b.lane != "launch (base latency)" && !names.contains(&b.lane) {
                names.push(b.lane.clone());
            }
        }
        (names, tl)
    };
    let (names, tl) = lanes(Algo::Ring);
    assert_eq!(tl.bars[0].lane, "launch (base latency)");
    let k = n - 1;
    assert_eq!(
        names,
        [
            format!("reduce-scatter ({k} steps)"),
            format!("all-gather ({k} steps)")
        ]
    );
    let d = |b: &fabricsim::plot::GanttBar| b.end_s - b.start_s;
    assert!((d(&tl.bars[1]) - d(&tl.bars[2])).abs() <= 1e-12 * d(&tl.bars[1]));

    let (names, _) = lanes(Algo::Hierarchical);
    let domains = n / 8;
    assert_eq!(
        names,
        [
            "in-domain reduce-scatter (1 step)".to_string(),
            format!("cross-domain all-reduce ({} steps)", 2 * (domains - 1)),
            "in-domain all-gather (1 step)".to_string(),
        ]
    );

    let (names, _) = lanes(Algo::Tree);
    let stems: Vec<&str> = names
        .iter()
        .map(|l| l.split(" (").next().unwrap())
        .collect();
    assert_eq!(
        stems,
        ["pipeline fill", "pipeline steady state", "pipeline drain"]
    );
}

/// A curve lying on an earlier one says so in the legend (within half a
/// percent of the y axis), and one that does not, does not.
#[test]
fn coinciding_busbw_curves_are_named() {
    use fabricsim::plot::Series;
    let curve = |name: &str, y0: f64, color| Series {
        name: name.into(),
        points: vec![(1e6, y0), (2e6, 2.0 * y0)],
        dashed: false,
        color,
    };
    let r = render(&Busbw {
        title: "t".into(),
        series: vec![
            curve("a", 100.0, 0),
            curve("b", 100.4, 1),
            curve("c", 110.0, 2),
        ],
    });
    // ymax 220: tolerance 1.1 GB/s; b is 0.4 and 0.8 off a, c 10 and 20.
    assert!(r.svg.contains("b (coincides with a)"), "b lies on a");
    assert!(!r.svg.contains("c (coincides"), "c is apart");
}
