//! Training jobs: placement, per-kind volumes (hand-computed), contention.

use crate::common::topology as shipped;
use fabricsim::collective::run::{DEFAULT_CHUNK_BYTES, Request, run_groups};
use fabricsim::collective::{Algo, CollectiveSim, Op, Params};
use fabricsim::topology::Topology;
use fabricsim::workload::job::DEFAULT_DP_BUCKET_BYTES;
use fabricsim::workload::placement::place;
use fabricsim::workload::traffic::{Groups, Kind, collectives};
use fabricsim::workload::{Compute, Dim, Job, Model, Overlap, Parallelism, iteration};

/// A dense 1e9-parameter, 4-layer model (h = 1024, s = 2048, bf16 with fp32
/// gradients) on tp × pp × dp ranks, micro-batch 1, global batch 8.
pub(crate) fn small_job(tp: u32, pp: u32, dp: u32) -> Job {
    Job {
        name: "small".into(),
        model: Model {
            parameters: 1e9,
            layers: 4,
            hidden: 1024,
            ffn_hidden: 4096,
            heads: 16,
            kv_heads: 16,
            seq_len: 2048,
            vocab: 32000,
            experts: 1,
            top_k: 1,
            shared_experts: 0,
            moe_ffn_hidden: 4096,
            moe_layers: 0,
            dtype_bytes: 2,
            grad_dtype_bytes: 4,
        },
        parallelism: Parallelism {
            tp,
            pp,
            dp,
            ep: 1,
            cp: 1,
            zero: 0,
            sequence_parallel: false,
            micro_batch: 1,
            global_batch: 8,
            virtual_stages: 1,
            placement: vec![Dim::Tp, Dim::Cp, Dim::Ep, Dim::Dp, Dim::Pp],
            allow_tp_across_domains: false,
            accelerators: fabricsim::workload::job::Accelerators::Packed,
            dp_bucket_bytes: DEFAULT_DP_BUCKET_BYTES,
            schedule: fabricsim::workload::PipelineSchedule::OneFOneB,
        },
        compute: Compute::Peak {
            flops_per_s: 989e12,
            mfu: 0.5,
        },
        overlap: Overlap {
            dp: true,
            ..Overlap::default()
        },
        training: fabricsim::workload::Training::default(),
    }
}

/// Hand-computed volumes of `small_job(2, 2, 2)`: m = 8/(1·2) = 4
/// micro-batches, 2 layers per stage.
/// - TP all-reduce: S = b·s·h·B = 2048·1024·2 = 4,194,304 B, 4·2 = 8 per
///   micro-batch;
/// - PP send-recv: S/t = 2,097,152 B, one forward and one backward per
///   micro-batch;
/// - DP all-reduce of P/(t·p)·B_g = 1e9/4·4 = 1e9 B in ⌈1e9/25 MiB⌉ = 39
///   buckets of 1e9/39 B.
#[test]
fn dense_volumes_match_hand_computation() {
    let c = collectives(&small_job(2, 2, 2));
    let find = |k: Kind, op: Op, g: Option<Groups>| {
        c.iter()
            .find(|x| x.kind == k && x.op == op && g.is_none_or(|g| x.groups == g))
            .unwrap_or_else(|| panic!("no {k:?} {op:?}"))
    };
    let tp = find(Kind::Tp, Op::AllReduce, None);
    assert_eq!(
        (tp.bytes, tp.count, tp.per_micro_batch),
        (4_194_304.0, 8, true)
    );
    for g in [Groups::PipelineForward, Groups::PipelineBackward] {
        let pp = find(Kind::Pp, Op::SendRecv, Some(g));
        assert_eq!((pp.bytes, pp.count), (2_097_152.0, 1));
    }
    let dp = find(Kind::Dp, Op::AllReduce, None);
    assert_eq!(dp.count, 39);
    assert!((dp.bytes - 1e9 / 39.0).abs() < 1e-6);
    assert!(!dp.per_micro_batch);
    assert_eq!(c.len(), 4, "{c:#?}");
}

/// A MoE variant: 4 experts of f = 512 on all 4 layers, top-2, EP 2 inside
/// DP 2, TP 1, PP 1, ZeRO 1, sequence length 2048, micro-batch 1:
/// - routed-expert parameters P_x = 4·4·3·1024·512 = 25,165,824;
/// - EP all-to-all: S = 2048 tokens · 2 · 1024 · 2 B = 8,388,608 B,
///   4·4 = 16 per micro-batch;
/// - dense DP (group of 2): reduce-scatter of (1e9 − P_x)·4 B and
///   all-gather of (1e9 − P_x)·2 B, in 25 MiB buckets;
/// - expert DP (group of dp/ep = 1): none.
#[test]
fn moe_volumes_match_hand_computation() {
    let mut job = small_job(1, 1, 2);
    job.model.experts = 4;
    job.model.top_k = 2;
    job.model.moe_layers = 4;
    job.model.moe_ffn_hidden = 512;
    job.parallelism.ep = 2;
    job.parallelism.zero = 1;
    let c = collectives(&job);
    let px = 25_165_824.0;
    let ep = c.iter().find(|x| x.kind == Kind::Ep).unwrap();
    assert_eq!((ep.op, ep.bytes, ep.count), (Op::AllToAll, 8_388_608.0, 16));
    let bucket = DEFAULT_DP_BUCKET_BYTES;
    let rs = c.iter().find(|x| x.op == Op::ReduceScatter).unwrap();
    let n = ((1e9 - px) * 4.0 / bucket).ceil();
    assert_eq!(rs.count, n as u64);
    assert!((rs.bytes * n - (1e9 - px) * 4.0).abs() < 1e-3);
    let ag = c.iter().find(|x| x.op == Op::AllGather).unwrap();
    let n = ((1e9 - px) * 2.0 / bucket).ceil();
    assert_eq!(ag.count, n as u64);
    assert!((ag.bytes * n - (1e9 - px) * 2.0).abs() < 1e-3);
    assert_eq!(c.len(), 3, "{c:#?}");
}

/// TP = 8 on 8-GPU domains (16 HGX H100 nodes): every TP group is one
/// domain; every DP group takes one rank from each of the 16 domains.
#[test]
fn tp_fills_the_domain_and_dp_spans_domains() {
    let topo = shipped("h100-2tier-16node.toml");
    let job = small_job(8, 1, 16);
    let p = place(&topo, &job).unwrap();
    let domain_of = |n: fabricsim::topology::NodeId| {
        let name = &topo.nodes[n.idx()].name;
        name.split('.').next().unwrap().to_string()
    };
    let tp = p.node_groups(&[Dim::Tp]);
    assert_eq!(tp.len(), 16);
    for g in &tp {
        assert_eq!(g.len(), 8);
        assert!(g.iter().all(|&n| domain_of(n) == domain_of(g[0])));
    }
    let dp = p.node_groups(&[Dim::Ep, Dim::Dp]);
    assert_eq!(dp.len(), 8);
    for g in &dp {
        let mut doms: Vec<String> = g.iter().map(|&n| domain_of(n)).collect();
        doms.sort();
        doms.dedup();
        assert_eq!(doms.len(), 16, "one rank per domain");
    }
    // TP 16 would cross domains: refused unless allowed.
    let err = place(&topo, &small_job(16, 1, 8)).unwrap_err().to_string();
    assert!(err.contains("spans 2 scale-up domains"), "{err}");
    // A layout larger than the topology is refused.
    let err = place(&topo, &small_job(8, 1, 32)).unwrap_err().to_string();
    assert!(err.contains("needs tp·cp·pp·dp = 8·1·1·32 = 256"), "{err}");
}

/// A job on part of a cluster (16 domains of 8): `packed` takes the first
/// 64 accelerators, domains 0–7 whole; `spread` 4 from each of the 16
/// domains (TP 4 stays inside a domain); explicit ranks are taken as given
/// and must number tp·cp·pp·dp; the other 64 are reported unused.
#[test]
fn jobs_run_on_part_of_a_cluster() {
    use fabricsim::workload::job::Accelerators;
    let topo = shipped("h100-2tier-16node.toml");
    let domain_of = |n: fabricsim::topology::NodeId| {
        topo.nodes[n.idx()]
            .name
            .split('.')
            .next()
            .unwrap()
            .to_string()
    };
    let mut job = small_job(8, 1, 8);
    let p = place(&topo, &job).unwrap();
    assert_eq!(p.ranks, topo.accelerators[..64].to_vec());
    assert_eq!(p.unused, 64);
    job = small_job(4, 1, 16);
    job.parallelism.accelerators = Accelerators::Spread;
    let p = place(&topo, &job).unwrap();
    let mut per_domain = std::collections::BTreeMap::<String, usize>::new();
    for &r in &p.ranks {
        *per_domain.entry(domain_of(r)).or_default() += 1;
    }
    assert_eq!(per_domain.len(), 16);
    assert!(per_domain.values().all(|&k| k == 4), "{per_domain:?}");
    // 64 does not split evenly over 16 domains at TP 8 inside a domain:
    // spread gives 4 per domain and the TP group of 8 spans two.
    let mut wide = small_job(8, 1, 8);
    wide.parallelism.accelerators = Accelerators::Spread;
    assert!(
        place(&topo, &wide)
            .unwrap_err()
            .to_string()
            .contains("spans 2 scale-up domains")
    );
    let mut explicit = small_job(8, 1, 8);
    explicit.parallelism.accelerators = Accelerators::Ranks("64..128".into());
    assert_eq!(
        place(&topo, &explicit).unwrap().ranks,
        topo.accelerators[64..].to_vec()
    );
    explicit.parallelism.accelerators = Accelerators::Ranks("0..32".into());
    let err = place(&topo, &explicit).unwrap_err().to_string();
    assert!(
        err.contains("selects 32 accelerators, and the job needs tp·cp·pp·dp = 64"),
        "{err}"
    );
}

/// The shipped 8K-GPU Llama 3 405B job runs on 8,192 of the 32,768 GPUs of
/// the 32K cluster and says so (issue acceptance).
#[test]
fn the_8k_job_runs_on_the_32k_cluster() {
    let out = crate::common::fabricsim(&[
        "job",
        "topologies/h100-32k-3tier.toml",
        "workloads/llama3-405b-8k.toml",
    ]);
    let text = crate::common::stdout(&out);
    assert!(out.status.success(), "{}", crate::common::stderr(&out));
    assert!(
        text.contains("# on 8192 of the topology's 32768 accelerators (packed; 24576 unused)"),
        "{text}"
    );
    let json = crate::common::fabricsim(&[
        "job",
        "topologies/h100-32k-3tier.toml",
        "workloads/llama3-405b-8k.toml",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&crate::common::stdout(&json)).unwrap();
    assert_eq!(v["accelerators"]["used"], 8192);
    assert_eq!(v["accelerators"]["unused"], 24576);
    assert_eq!(v["accelerators"]["policy"], "packed");
}

fn dp_time(topo: &Topology, job: &Job, all: bool) -> f64 {
    let p = place(topo, job).unwrap();
    let mut groups = p.node_groups(&[Dim::Ep, Dim::Dp]);
    if !all {
        groups.truncate(1);
    }
    let mut sim = CollectiveSim::new(topo, Params::default());
    let req = Request {
        op: Op::AllReduce,
        algo: Algo::Ring,
        size: 256e6,
        channels: Some(1),
        chunk_bytes: DEFAULT_CHUNK_BYTES,
        protocol: None,
    };
    run_groups(&mut sim, &groups, &req).unwrap().time_s
}

/// Contention: the 8 DP rings of 16 HGX nodes share the NICs' leaf and spine
/// links when they run together, so together they take longer than one
/// alone. On a non-blocking star with one link per GPU they use disjoint
/// links and take exactly as long.
#[test]
fn dp_groups_contend_only_where_they_share_links() {
    // Two 8-GPU NVLink4 stars `a` and `b` around `swa`, `swb`, plus `extra`
    // switches and the links that follow.
    let stars = |extra: &str, links: &str| {
        format!(
            r#"
[[nodes]]
id = ["a[0..8]", "b[0..8]"]
kind = "accelerator"
[[nodes]]
id = ["swa", "swb", {extra}]
kind = "switch"
[[links]]
between = ["a[0..8]", "swa"]
kind = "nvlink4"
tier = "scale-up"
[[links]]
between = ["b[0..8]", "swb"]
kind = "nvlink4"
tier = "scale-up"
{links}"#
        )
    };
    // Each node's 8 GPUs behind one leaf, the two leaves joined by one link:
    // all 8 DP rings share it.
    let toml = stars(
        r#""la", "lb""#,
        r#"[[links]]
between = ["a[0..8]", "la"]
kind = "infiniband-ndr"
tier = "leaf"
[[links]]
between = ["b[0..8]", "lb"]
kind = "infiniband-ndr"
tier = "leaf"
[[links]]
between = ["la", "lb"]
kind = "infiniband-ndr"
tier = "spine"
"#,
    );
    let shared =
        fabricsim::topology::Topology::parse(&toml, "shared.toml", &Default::default()).unwrap();
    let job = small_job(8, 1, 2);
    let (one, all) = (dp_time(&shared, &job, false), dp_time(&shared, &job, true));
    assert!(all > 1.5 * one, "8 rings on one spine link: {all} vs {one}");
    // Non-blocking: GPU i of each node has its own rail switch r_i joining
    // it to GPU i of the other node (the domain switches are also joined,
    // so every pair is reachable, but the 3-hop path is never shortest).
    let mut toml = stars(
        r#""r[0..8]""#,
        r#"[[links]]
between = ["swa", "swb"]
kind = "infiniband-ndr"
tier = "spine"
"#,
    );
    for i in 0..8 {
        toml += &format!(
            "[[links]]\nbetween = [[\"a{i}\", \"b{i}\"], \"r{i}\"]\nkind = \"infiniband-ndr\"\ntier = \"leaf\"\n"
        );
    }
    let free =
        fabricsim::topology::Topology::parse(&toml, "free.toml", &Default::default()).unwrap();
    let (one, all) = (dp_time(&free, &job, false), dp_time(&free, &job, true));
    assert!(((all - one) / one).abs() < 1e-9, "{all} vs {one}");
}

/// The iteration composes as documented: with no overlap and one stage,
/// total = m·t_mb + every collective's time; and tokens/s = tokens / total.
#[test]
fn iteration_adds_up_without_overlap() {
    let topo = shipped("h100-2tier-16node.toml");
    let mut job = small_job(8, 1, 16);
    job.parallelism.global_batch = 64;
    job.overlap = Overlap::default();
    let r = iteration::run(&topo, &job, Params::default()).unwrap();
    let it = &r.iteration;
    let comm: f64 = r.by_kind.iter().map(|k| k.time_s).sum();
    assert!((it.total_time_s - (it.compute_time_s + comm)).abs() < 1e-12 * it.total_time_s);
    assert!((it.exposed_comm_time_s - comm).abs() < 1e-12 * comm);
    assert_eq!(it.bubble_s, 0.0);
    assert!(
        (it.compute_time_s + it.exposed_comm_time_s + it.bubble_s - it.total_time_s).abs()
            < 1e-12 * it.total_time_s
    );
    let tokens = 64.0 * 2048.0;
    assert!((it.tokens_per_s - tokens / it.total_time_s).abs() < 1e-9 * it.tokens_per_s);
    // m = 64 / 16 = 4; t_mb from FLOPs: 6·1e9 + 12·4·1024·2048 per token.
    let f = (6.0 * 1e9 + 12.0 * 4.0 * 1024.0 * 2048.0) * tokens;
    let want = f / (128.0 * 989e12 * 0.5);
    assert!((it.compute_time_s - want).abs() < 1e-12 * want);
    // TP runs inside one domain; DP crosses the network.
    let tp = r.by_kind.iter().find(|k| k.kind == Kind::Tp).unwrap();
    assert_eq!(tp.bottleneck.as_ref().unwrap().tier, "scale-up");
    let dp = r.by_kind.iter().find(|k| k.kind == Kind::Dp).unwrap();
    assert_eq!((dp.group_size, dp.groups), (16, 8));
}

/// With two pipeline stages and no overlap (1F1B, v = 1): the bubble is one
/// micro-batch step `t_mb + (TP + PP time)/m`, and compute + exposed
/// communication + bubble = total.
#[test]
fn pipeline_bubble_is_one_step_per_extra_stage() {
    let topo = shipped("hgx-h100.toml");
    let mut job = small_job(2, 2, 2);
    job.overlap = Overlap::default();
    let r = iteration::run(&topo, &job, Params::default()).unwrap();
    let it = &r.iteration;
    let m = 4.0;
    let per_mb: f64 = r
        .by_kind
        .iter()
        .filter(|k| k.kind != Kind::Dp)
        .map(|k| k.time_s)
        .sum::<f64>()
        / m;
    let step = it.compute_time_s / m + per_mb;
    assert!(
        (it.bubble_s - step).abs() < 1e-12 * step,
        "{} vs {step}",
        it.bubble_s
    );
    let sum = it.compute_time_s + it.exposed_comm_time_s + it.bubble_s;
    assert!((sum - it.total_time_s).abs() < 1e-12 * sum);
    // Every collective ran: TP (all-reduce), PP (both directions), DP.
    let kinds: Vec<Kind> = r.by_kind.iter().map(|k| k.kind).collect();
    assert_eq!(kinds, [Kind::Tp, Kind::Pp, Kind::Pp, Kind::Dp]);
}
