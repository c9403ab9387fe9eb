//! Memory per accelerator and pipeline schedules: hand-computed from the
//! published formulas (Korthikanti et al. 2022 Table 2, ZeRO §5,
//! Narayanan et al. 2021, Qi et al. 2023), the refusal of a layout over
//! HBM, `--allow-oversubscribed-memory`, and `--set` on `validate`.

use crate::common::{fabricsim, stderr, stdout};
use fabricsim::topology::Topology;
use fabricsim::workload::memory::{Terms, terms};
use fabricsim::workload::traffic::{Groups, Kind, collectives};
use fabricsim::workload::{Job, iteration};

#[track_caller]
fn job(src: &str) -> Job {
    Job::parse(src, "j.toml", &Default::default()).unwrap_or_else(|d| panic!("{d}"))
}

#[track_caller]
fn close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[track_caller]
fn check(t: &Terms, want: [f64; 4]) {
    close(t.weights_bytes, want[0], "weights");
    close(t.gradients_bytes, want[1], "gradients");
    close(t.optimizer_bytes, want[2], "optimizer");
    close(t.activations_bytes, want[3], "activations");
}

/// GPT-3 175B (the shipped layout: TP 8, PP 8, DP 16, ZeRO 1, micro-batch
/// 1, 96 micro-batches, 1F1B) with sequence parallelism, by hand:
/// - parameters per rank `P/(t·p)` = 175e9/64 = 2,734,375,000;
///   weights ·2 = 5,468,750,000; fp32 gradients ·4 = 10,937,500,000;
///   optimizer ·12/16 (ZeRO 1 over DP 16) = 2,050,781,250 bytes;
/// - activations per layer, selective recompute with TP + SP (Table 2):
///   `34·s·b·h/t` = 34·2048·12288/8 = 106,954,752 bytes; 96/8 = 12 layers
///   on a stage, p = 8 micro-batches in flight (1F1B): × 96 =
///   10,267,656,192 bytes (= `34·s·b·h·L/t`, §4.2.3: independent of p);
/// - no recompute: `s·b·h/t·(34 + 5·a·s/h)`, 5·96·2048/12288 = 80, so
///   3,145,728·114 = 358,612,992 per layer, × 96 = 34,426,847,232;
/// - full recompute: `2·s·b·h/t` = 6,291,456 per layer, × 96 = 603,979,776;
/// - TP without SP, selective: `s·b·h·(10 + 24/t)` = 25,165,824·13 =
///   327,155,712 per layer, × 96 = 31,406,948,352.
#[test]
fn dense_gpt3_memory_matches_table_2_by_hand() {
    let base = std::fs::read_to_string("workloads/gpt3-175b.toml").unwrap();
    let sp = base.replace("zero = 1", "zero = 1\nsequence_parallel = true");
    let states = [5_468_750_000.0, 10_937_500_000.0, 2_050_781_250.0];
    let with =
        |src: &str, act: f64| check(&terms(&job(src)), [states[0], states[1], states[2], act]);
    with(&sp, 10_267_656_192.0);
    with(
        &format!("{sp}\n[training]\nrecompute = \"none\"\n"),
        34_426_847_232.0,
    );
    with(
        &format!("{sp}\n[training]\nrecompute = \"full\"\n"),
        603_979_776.0,
    );
    with(&base, 31_406_948_352.0);
    // ZeRO 3 over DP 16: weights 5,468,750,000/16, gradients 10,937,500,000/16.
    let z3 = sp.replace("zero = 1", "zero = 3");
    check(
        &terms(&job(&z3)),
        [
            341_796_875.0,
            683_593_750.0,
            2_050_781_250.0,
            10_267_656_192.0,
        ],
    );
}

/// Mixtral 8x7B as shipped (TP 4 + SP, EP 8 in DP 32, ZeRO 1, s = 32,768,
/// no pipeline), by hand:
/// - expert parameters `P_x = L·E·3·h·f` = 32·8·3·4096·14336 =
///   45,097,156,608; dense `P_d` = 46.7e9 − P_x = 1,602,843,392;
/// - per rank: dense P_d/t = 400,710,848, experts P_x/(e·t) = 1,409,286,144,
///   together 1,809,996,992: weights ·2 = 3,619,993,984, gradients ·4 =
///   7,239,987,968; optimizer ·12 sharded over DP 32 (dense) and the
///   expert-DP group 32/8 = 4 (experts): 12·(12,522,214 + 352,321,536) =
///   4,378,125,000;
/// - activations: an MoE layer's MLP term scaled by `k·f/(4h)` =
///   2·14336/16384 = 1.75, so `s·b·h/t·(15 + 19·1.75)` = 33,554,432·48.25 =
///   1,619,001,344 per layer, × 32 layers × 1 micro-batch = 51,808,043,008.
#[test]
fn moe_mixtral_memory_by_hand() {
    let src = std::fs::read_to_string("workloads/mixtral-8x7b.toml").unwrap();
    check(
        &terms(&job(&src)),
        [
            3_619_993_984.0,
            7_239_987_968.0,
            4_378_125_000.0,
            51_808_043_008.0,
        ],
    );
}

/// Interleaving holds `p·(1 + (p−1)/(p·v))` micro-batches (Korthikanti
/// §4.2.3): p = 8, v = 2 → 8 + 3.5 = 11.5; GPT-3 175B with SP, selective:
/// 106,954,752 · 12 layers · 11.5 = 14,759,755,776 bytes.
#[test]
fn interleaving_adds_in_flight_micro_batches() {
    let src = std::fs::read_to_string("workloads/gpt3-175b.toml")
        .unwrap()
        .replace(
            "zero = 1",
            "zero = 1\nsequence_parallel = true\nschedule = \"interleaved\"\nvirtual_stages = 2",
        );
    close(
        terms(&job(&src)).activations_bytes,
        14_759_755_776.0,
        "activations",
    );
}

/// A toy pipeline whose micro-batch time is known: 8 layers of 10 ms on
/// pp = 4 (2 layers per stage: `t_mb` = 20 ms), m = 8 micro-batches, PP
/// sends overlapped (4 MiB over NVLink, microseconds, so `t_step = t_mb`),
/// no DP. `T = (m + β)·t_mb`: 1F1B β = p − 1 = 3 → 220 ms; interleaved
/// v = 2, β = 3/2 → 190 ms; ZB-H1, β = (p−1)/3 = 1 → 180 ms.
#[test]
fn schedule_bubbles_in_closed_form() {
    let topo = Topology::load("topologies/hgx-h100.toml", &Default::default()).unwrap();
    let base = "[model]\nparameters = 1e9\nlayers = 8\nhidden = 1024\nffn_hidden = 4096\n\
        heads = 16\nseq_len = 2048\nvocab = 32000\ndtype = \"bf16\"\n\
        [parallelism]\ntp = 1\npp = 4\ndp = 1\nmicro_batch = 1\nglobal_batch = 8\n";
    let tail = "[compute]\nlayer_time = \"10 ms\"\noverlap = { pp = true }\n";
    for (extra, total, bubble, sends) in [
        ("", 0.220, 0.060, 8),
        (
            "schedule = \"interleaved\"\nvirtual_stages = 2\n",
            0.190,
            0.030,
            16,
        ),
        ("schedule = \"zero-bubble\"\n", 0.180, 0.020, 8),
    ] {
        let j = job(&format!("{base}{extra}{tail}"));
        let r = iteration::run(&topo, &j, Default::default()).unwrap();
        close(r.iteration.total_time_s, total, extra);
        close(r.iteration.bubble_s, bubble, extra);
        close(r.iteration.compute_time_s, 0.160, extra);
        // PP sends per iteration: m·v each way (interleaving: ×v).
        for g in [Groups::PipelineForward, Groups::PipelineBackward] {
            let pp = r
                .by_kind
                .iter()
                .find(|k| {
                    k.kind == Kind::Pp
                        && k.formula.contains(if g == Groups::PipelineForward {
                            "forward"
                        } else {
                            "backward"
                        })
                })
                .unwrap();
            assert_eq!(pp.count, sends, "{extra}");
        }
        let c = collectives(&j);
        assert!(
            c.iter()
                .filter(|c| c.kind == Kind::Pp)
                .all(|c| c.count == sends / 8)
        );
    }
}

/// DP overlap, bucket by bucket (Megatron-Core `overlap_grad_reduce`):
/// exposed = `max(T/n, T − W·(n−1)/n)`. T = 10, n = 5, W = 4: max(2, 6.8)
/// = 6.8; T = 1, n = 4, W = 8: the last bucket, 0.25; no overlap: T.
#[test]
fn dp_overlap_exposes_the_last_bucket() {
    close(iteration::exposed_dp(10.0, 5, 4.0, true), 6.8, "slow");
    close(iteration::exposed_dp(1.0, 4, 8.0, true), 0.25, "fast");
    close(iteration::exposed_dp(1.0, 4, 8.0, false), 1.0, "off");
}

/// Full recomputation reruns the forward pass: compute × 4/3 (the toy
/// job's 160 ms → 213.33 ms), and the schedule's bubble scales with it.
#[test]
fn full_recompute_costs_a_forward_pass() {
    let topo = Topology::load("topologies/hgx-h100.toml", &Default::default()).unwrap();
    let src = "[model]\nparameters = 1e9\nlayers = 8\nhidden = 1024\nffn_hidden = 4096\n\
        heads = 16\nseq_len = 2048\nvocab = 32000\ndtype = \"bf16\"\n\
        [parallelism]\ntp = 1\npp = 1\ndp = 1\nmicro_batch = 1\nglobal_batch = 8\n\
        [compute]\nlayer_time = \"10 ms\"\n[training]\nrecompute = \"full\"\n";
    let r = iteration::run(&topo, &job(src), Default::default()).unwrap();
    close(
        r.iteration.compute_time_s,
        8.0 * 0.080 * 4.0 / 3.0,
        "compute",
    );
}

/// Llama 3 8B with ZeRO 0 on H100 (80 GiB = 85.90 GB): weights 8.03e9·2 =
/// 16.06 GB, fp32 gradients 8.03e9·4 = 32.12 GB, optimizer 8.03e9·12 =
/// 96.36 GB (not sharded), activations 34·8192·4096·32 = 36.51 GB: 181.05 GB,
/// refused with exit 1, naming the largest term (optimizer states) and a
/// layout that fits (ZeRO 1: optimizer /128, 85.44 GB).
/// `--allow-oversubscribed-memory` runs it, 95.15 GB over.
#[test]
fn a_layout_over_hbm_is_refused_with_a_fitting_one() {
    let args = [
        "job",
        "topologies/h100-2tier-16node.toml",
        "workloads/llama3-8b.toml",
        "--set",
        "parallelism.zero=0",
    ];
    let o = fabricsim(&args);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("181.05 GB"), "{e}");
    assert!(e.contains("85.90 GB of HBM"), "{e}");
    assert!(
        e.contains("the largest term is optimizer states (96.36 GB)"),
        "{e}"
    );
    assert!(e.contains("a layout that fits: zero = 1 (85.44 GB"), "{e}");
    assert!(e.contains("--allow-oversubscribed-memory"), "{e}");
    let mut allowed = args.to_vec();
    allowed.push("--allow-oversubscribed-memory");
    let o = fabricsim(&allowed);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("OVERSUBSCRIBED by 95.15 GB"),
        "{}",
        stdout(&o)
    );
    allowed.push("--json");
    let o = fabricsim(&allowed);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["memory"]["fits"], serde_json::Value::Bool(false));
    assert_eq!(
        v["memory"]["capacity_bytes"].as_f64(),
        Some(80.0 * 1024.0 * 1024.0 * 1024.0)
    );
}

/// The refusal of an unedited file is located at its `[parallelism]` table.
#[test]
fn the_refusal_is_located() {
    let text = std::fs::read_to_string("workloads/llama3-8b.toml")
        .unwrap()
        .replace("zero = 2", "zero = 0");
    let dir = std::env::temp_dir().join(format!("fabricsim-mem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("llama3-8b-zero0.toml");
    std::fs::write(&p, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.trim() == "[parallelism]")
        .unwrap()
        + 1;
    let o = fabricsim(&[
        "job",
        "topologies/h100-2tier-16node.toml",
        p.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains(&format!(
            "llama3-8b-zero0.toml:{line}:1: error: the layout needs"
        )),
        "{}",
        stderr(&o)
    );
}

/// `validate --set`: an edit that breaks the job is reported (with the
/// edit named), a good edit passes, and an unknown key is refused.
#[test]
fn validate_takes_set() {
    let ok = fabricsim(&[
        "validate",
        "workloads/llama3-8b.toml",
        "--set",
        "parallelism.dp=64",
        "--set",
        "parallelism.global_batch=256",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("ok (job for 64 accelerators)"),
        "{}",
        stdout(&ok)
    );
    let bad = fabricsim(&[
        "validate",
        "workloads/llama3-8b.toml",
        "--set",
        "parallelism.tp=3",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    let e = stderr(&bad);
    assert!(e.contains("(after --set parallelism.tp=3)"), "{e}");
    assert!(e.contains("tp = 3 does not divide heads = 32"), "{e}");
    let topo = fabricsim(&[
        "validate",
        "topologies/hgx-h100.toml",
        "--set",
        "scale_up.kind=\"nvlink3\"",
    ]);
    assert_eq!(topo.status.code(), Some(0), "{}", stderr(&topo));
    let unknown = fabricsim(&[
        "validate",
        "workloads/llama3-8b.toml",
        "--set",
        "parallelism.dpp=2",
    ]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(stderr(&unknown).contains("dp"), "{}", stderr(&unknown));
}
