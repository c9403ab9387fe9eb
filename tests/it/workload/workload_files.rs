//! Job files: the shipped workloads, their cited numbers, and one negative
//! test per validation rule (`rule_*`, mirroring the list in
//! `crates/workload/src/spec/` and docs/workload-format.md), plus a snapshot of
//! the rendered messages of every rule.
//!
//! Expected numbers are worked out by hand in the comments (from the sources
//! cited in each file's header), never copied from the code's output.
//! `load`/`errors` are the only calls into the parser.

use std::path::PathBuf;

use crate::common::root;
use fabricsim::topology::Diagnostics;
use fabricsim::workload::job::DEFAULT_DP_BUCKET_BYTES;
use fabricsim::workload::{Compute, Dim, Job, Overlap};

#[track_caller]
fn load(src: &str) -> Job {
    Job::parse(src, "j.toml", &Default::default())
        .unwrap_or_else(|d| panic!("unexpected errors:\n{d}"))
}

#[track_caller]
fn errors(src: &str) -> Diagnostics {
    match Job::parse(src, "j.toml", &Default::default()) {
        Ok(_) => panic!("expected errors, the file was accepted:\n{src}"),
        Err(d) => d,
    }
}

/// Asserts exactly one diagnostic, at `line:col`, whose message contains `msg`
/// and whose help contains `help`.
#[track_caller]
fn one_error(src: &str, line: usize, col: usize, msg: &str, help: &str) {
    let d = errors(src);
    assert_eq!(d.len(), 1, "expected one error, got:\n{d}");
    let e = &d.items[0];
    assert_eq!((e.line, e.col), (line, col), "position of:\n{d}");
    assert!(
        e.message.contains(msg),
        "message {:?} lacks {msg:?}",
        e.message
    );
    let h = e.help.as_deref().unwrap_or("");
    assert!(h.contains(help), "help {h:?} lacks {help:?}");
}

/// A valid dense job. The `# ...+` lines are slots: replacing one with a key
/// adds that key without moving any other line.
const BASE: &str = r#"name = "t"
[model]
parameters = 8e9
layers = 32
hidden = 4096
ffn_hidden = 14336
heads = 32
seq_len = 8192
vocab = 128256
dtype = "bf16"
# model+
[parallelism]
tp = 8
pp = 4
dp = 4
micro_batch = 1
global_batch = 64
# parallelism+
[compute]
tflops_per_accelerator = 989
mfu = 0.4
# compute+
"#;

/// `BASE` with the first line starting with each `prefix` replaced by `line`.
#[track_caller]
fn job(edits: &[(&str, &str)]) -> String {
    let mut lines: Vec<String> = BASE.lines().map(str::to_string).collect();
    for (prefix, new) in edits {
        let i = lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line starts with {prefix:?}"));
        lines[i] = new.to_string();
    }
    lines.join("\n") + "\n"
}

// ---------------------------------------------------------------- reading

#[test]
fn base_job_and_its_defaults() {
    let j = load(BASE);
    assert_eq!(j.name, "t");
    let m = &j.model;
    assert_eq!(m.parameters, 8e9);
    assert_eq!(
        (m.layers, m.hidden, m.ffn_hidden, m.heads),
        (32, 4096, 14336, 32)
    );
    assert_eq!((m.seq_len, m.vocab, m.dtype_bytes), (8192, 128256, 2));
    // Defaults: kv_heads = heads; dense (1 expert, top 1, no shared, no MoE
    // layers, expert width = ffn_hidden); fp32 gradients.
    assert_eq!((m.kv_heads, m.experts, m.top_k), (32, 1, 1));
    assert_eq!(
        (m.shared_experts, m.moe_layers, m.moe_ffn_hidden),
        (0, 0, 14336)
    );
    assert_eq!(m.grad_dtype_bytes, 4);
    let p = &j.parallelism;
    assert_eq!((p.tp, p.pp, p.dp, p.ep, p.cp), (8, 4, 4, 1, 1));
    assert_eq!(
        (p.zero, p.sequence_parallel, p.virtual_stages),
        (0, false, 1)
    );
    assert_eq!((p.micro_batch, p.global_batch), (1, 64));
    assert_eq!(p.placement, [Dim::Tp, Dim::Cp, Dim::Ep, Dim::Dp, Dim::Pp]);
    assert!(!p.allow_tp_across_domains);
    assert_eq!(p.dp_bucket_bytes, DEFAULT_DP_BUCKET_BYTES);
    // 989 TFLOP/s = 989e12 FLOP/s.
    assert_eq!(
        j.compute,
        Compute::Peak {
            flops_per_s: 989e12,
            mfu: 0.4
        }
    );
    // Only the data-parallel reduction overlaps by default.
    assert_eq!(
        j.overlap,
        Overlap {
            dp: true,
            ..Overlap::default()
        }
    );
    // 8 × 1 × 4 × 4 = 128 accelerators; 64 / (1 × 4) = 16 micro-batches.
    assert_eq!(p.world(), 128);
    assert_eq!(p.micro_batches(), 16);
}

#[test]
fn every_key_given() {
    let j = load(&job(&[
        (
            "# model+",
            "kv_heads = 8\nexperts = 16\ntop_k = 4\nshared_experts = 2\nmoe_ffn_hidden = 2048\nmoe_layers = 30\ngrad_dtype = \"bf16\"",
        ),
        (
            "# parallelism+",
            "ep = 4\ncp = 2\nzero = 3\nsequence_parallel = true\nvirtual_stages = 2\n\
             placement = [\"tp\", \"ep\", \"cp\", \"dp\", \"pp\"]\nallow_tp_across_domains = true\ndp_bucket = \"64 MiB\"",
        ),
        (
            "# compute+",
            "overlap = { dp = false, tp = true, pp = true, ep = true, cp = true }",
        ),
        ("dtype", "dtype = \"fp8\""),
    ]));
    let m = &j.model;
    assert_eq!(
        (m.kv_heads, m.experts, m.top_k, m.shared_experts),
        (8, 16, 4, 2)
    );
    assert_eq!((m.moe_ffn_hidden, m.moe_layers), (2048, 30));
    // fp8: 1 byte; bf16 gradients: 2 bytes.
    assert_eq!((m.dtype_bytes, m.grad_dtype_bytes), (1, 2));
    let p = &j.parallelism;
    assert_eq!((p.ep, p.cp, p.zero, p.virtual_stages), (4, 2, 3, 2));
    assert!(p.sequence_parallel && p.allow_tp_across_domains);
    assert_eq!(p.placement, [Dim::Tp, Dim::Ep, Dim::Cp, Dim::Dp, Dim::Pp]);
    // 64 MiB = 64 × 2^20 bytes.
    assert_eq!(p.dp_bucket_bytes, 64.0 * 1024.0 * 1024.0);
    assert_eq!(
        j.overlap,
        Overlap {
            tp: true,
            pp: true,
            dp: false,
            ep: true,
            cp: true
        }
    );
    // The dense-DP degree is dp / ep = 4 / 4 = 1; world = 8 × 2 × 4 × 4.
    assert_eq!(p.degree(Dim::Dp), 1);
    assert_eq!(p.world(), 256);
}

#[test]
fn moe_defaults() {
    // An MoE model: every layer is MoE unless told otherwise, and the expert
    // width defaults to ffn_hidden.
    let j = load(&job(&[("# model+", "experts = 8\ntop_k = 2")]));
    assert_eq!((j.model.moe_layers, j.model.moe_ffn_hidden), (32, 14336));
    assert_eq!(j.model.shared_experts, 0);
}

#[test]
fn layer_time_form_and_overlap_table() {
    let j = load(&job(&[
        ("tflops_per_accelerator", "layer_time = \"12 ms\""),
        ("mfu", ""),
        ("# compute+", "[compute.overlap]\ntp = true"),
    ]));
    assert_eq!(j.compute, Compute::PerLayer { seconds: 0.012 });
    // Keys left out keep their defaults (dp true).
    assert_eq!(
        j.overlap,
        Overlap {
            tp: true,
            dp: true,
            ..Overlap::default()
        }
    );
}

#[test]
fn numbers_may_be_integers_or_floats() {
    // parameters = 175_000_000_000 and tflops 989.4 are the same kind of value.
    let j = load(&job(&[
        ("parameters", "parameters = 175_000_000_000"),
        ("tflops_per_accelerator", "tflops_per_accelerator = 989.4"),
        ("mfu", "mfu = 1"),
    ]));
    assert_eq!(j.model.parameters, 175e9);
    assert_eq!(
        j.compute,
        Compute::Peak {
            flops_per_s: 989.4e12,
            mfu: 1.0
        }
    );
}

#[test]
fn uneven_pipeline_stages_are_accepted() {
    // Llama 3 405B: 126 layers on 16 stages (the first and last stage hold one
    // layer less); 30 layers on pp 4 is the same situation.
    let j = load(&job(&[("layers", "layers = 30")]));
    assert_eq!((j.model.layers, j.parallelism.pp), (30, 4));
    // Exactly one layer per virtual stage: 32 = 4 × 8.
    load(&job(&[("# parallelism+", "virtual_stages = 8")]));
}

#[test]
fn name_defaults_to_file_stem() {
    let src = job(&[("name", "")]);
    let j = Job::parse(&src, "some/dir/my-job.toml", &Default::default()).unwrap();
    assert_eq!(j.name, "my-job");
}

#[test]
fn unreadable_file_is_a_diagnostic() {
    let d = Job::load(
        root().join("workloads/does-not-exist.toml"),
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(d.len(), 1);
    assert!(d.to_string().contains("error: cannot read file"));
}

// ---------------------------------------------------------------- shipped files

fn shipped() -> Vec<PathBuf> {
    crate::common::files("workloads", "toml")
}

fn shipped_job(name: &str) -> Job {
    let f = root().join("workloads").join(name);
    Job::load(&f, &Default::default()).unwrap_or_else(|d| panic!("{}:\n{d}", f.display()))
}

#[test]
fn every_shipped_workload_parses() {
    let files = shipped();
    assert!(files.len() >= 6, "{files:?}");
    for f in files {
        let j =
            Job::load(&f, &Default::default()).unwrap_or_else(|d| panic!("{}:\n{d}", f.display()));
        assert!(!j.name.is_empty());
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            text.starts_with('#') && text.contains("Sources:") && text.contains("Needs "),
            "{} must open with a header citing its sources and its accelerator count",
            f.display()
        );
    }
}

#[test]
fn llama3_405b_matches_the_paper() {
    let j = shipped_job("llama3-405b.toml");
    let m = &j.model;
    // arXiv:2407.21783 Table 3: 126 layers, 16,384 wide, FFN 53,248, 128 heads, 8 KV heads.
    assert_eq!((m.layers, m.hidden, m.ffn_hidden), (126, 16384, 53248));
    assert_eq!(
        (m.heads, m.kv_heads, m.vocab, m.seq_len),
        (128, 8, 128256, 8192)
    );
    assert_eq!((m.experts, m.moe_layers), (1, 0));
    // Parameters from the shapes: 2 × 128,256 × 16,384 embeddings plus
    // 126 × (2 × 16,384² + 2 × 16,384 × 1,024 + 3 × 16,384 × 53,248) plus
    // 253 RMSNorm vectors of 16,384 ≈ 405.85e9.
    let h = 16384.0_f64;
    let derived = 2.0 * 128256.0 * h
        + 126.0 * (2.0 * h * h + 2.0 * h * 1024.0 + 3.0 * h * 53248.0)
        + 253.0 * h;
    assert!(
        (m.parameters - derived).abs() / derived < 1e-4,
        "{derived:e}"
    );
    // Table 4: TP 8, CP 1, PP 16, DP 128 on 16,384 GPUs.
    let p = &j.parallelism;
    assert_eq!((p.tp, p.cp, p.pp, p.dp, p.ep), (8, 1, 16, 128, 1));
    assert_eq!(p.world(), 16_384);
    // 16M tokens = 16,777,216 / 8,192 = 2,048 sequences; / (1 × 128) = 16 micro-batches.
    assert_eq!(p.global_batch as u64 * m.seq_len, 16 * 1024 * 1024);
    assert_eq!(p.micro_batches(), 16);
    // 400 TFLOP/s per GPU of 989.4 peak.
    // The file takes the peak from the topology's accelerator (H100 SXM,
    // 989.4 dense BF16 TFLOP/s on the datasheet).
    let Compute::Efficiency { efficiency, .. } = j.compute else {
        panic!("{:?}", j.compute)
    };
    assert!((989.4e12 * efficiency - 400e12).abs() < 1e12);
}

#[test]
fn llama3_8b_and_70b_match_the_paper() {
    // arXiv:2407.21783 Table 3.
    let m = shipped_job("llama3-8b.toml").model;
    assert_eq!(
        (m.layers, m.hidden, m.ffn_hidden, m.heads, m.kv_heads),
        (32, 4096, 14336, 32, 8)
    );
    let m = shipped_job("llama3-70b.toml").model;
    assert_eq!(
        (m.layers, m.hidden, m.ffn_hidden, m.heads, m.kv_heads),
        (80, 8192, 28672, 64, 8)
    );
}

#[test]
fn gpt3_matches_the_paper() {
    // arXiv:2005.14165 Table 2.1: 96 layers, d_model 12,288, 96 heads, n_ctx 2,048; d_ff = 4 d_model.
    let m = shipped_job("gpt3-175b.toml").model;
    assert_eq!(
        (m.parameters, m.layers, m.hidden, m.heads),
        (175e9, 96, 12288, 96)
    );
    assert_eq!(
        (m.ffn_hidden, m.kv_heads, m.seq_len, m.vocab),
        (4 * 12288, 96, 2048, 50257)
    );
}

#[test]
fn mixtral_matches_the_paper() {
    // arXiv:2401.04088 Table 1: 8 experts, top 2, 32 layers, every one MoE.
    let j = shipped_job("mixtral-8x7b.toml");
    let m = &j.model;
    assert_eq!((m.experts, m.top_k, m.layers, m.moe_layers), (8, 2, 32, 32));
    assert_eq!(
        (m.hidden, m.moe_ffn_hidden, m.heads, m.kv_heads),
        (4096, 14336, 32, 8)
    );
    assert_eq!((m.seq_len, m.vocab), (32768, 32000));
    assert_eq!(j.parallelism.ep, 8);
}

#[test]
fn deepseek_v3_matches_the_paper() {
    let j = shipped_job("deepseek-v3.toml");
    let m = &j.model;
    // 671B total; 256 routed + 1 shared expert, 8 per token, 2,048 wide;
    // 61 layers of which the first 3 are dense: 58 MoE layers.
    assert_eq!(m.parameters, 671e9);
    assert_eq!((m.experts, m.shared_experts, m.top_k), (256, 1, 8));
    assert_eq!((m.moe_ffn_hidden, m.ffn_hidden), (2048, 18432));
    assert_eq!((m.layers, m.moe_layers), (61, 58));
    assert_eq!(
        (m.hidden, m.heads, m.vocab, m.seq_len),
        (7168, 128, 129280, 4096)
    );
    // PP 16, EP 64, no TP, ZeRO-1 on 2,048 GPUs: dp = 2,048 / 16 = 128, of
    // which 128 / 64 = 2 replicas of the dense weights.
    let p = &j.parallelism;
    assert_eq!((p.tp, p.pp, p.dp, p.ep, p.zero), (1, 16, 128, 64, 1));
    assert_eq!(p.world(), 2048);
    assert_eq!(p.degree(Dim::Dp), 2);
    // 15,360 sequences / (1 × 128) = 120 micro-batches.
    assert_eq!(p.micro_batches(), 120);
    assert!(j.overlap.ep && j.overlap.pp && j.overlap.dp);
}

#[test]
fn shipped_layouts_are_consistent() {
    // (file, accelerators, micro-batches per pipeline), worked out by hand:
    let expect = [
        // 128 × 8 × 16 = 16,384; 2,048 / 128 = 16.
        ("llama3-405b.toml", 16_384, 16),
        // 8 × 4 × 36 = 1,152; 1,152 / 36 = 32.
        ("llama3-70b.toml", 1_152, 32),
        // 128; 512 / 128 = 4.
        ("llama3-8b.toml", 128, 4),
        // 8 × 8 × 16 = 1,024; 1,536 / 16 = 96.
        ("gpt3-175b.toml", 1_024, 96),
        // 4 × 32 = 128; 128 / 32 = 4.
        ("mixtral-8x7b.toml", 128, 4),
        // 16 × 128 = 2,048; 15,360 / 128 = 120.
        ("deepseek-v3.toml", 2_048, 120),
        // 8 × 16 × 64 = 8,192; 2,048 / 64 = 32.
        ("llama3-405b-8k.toml", 8_192, 32),
        // 8 × 18 × 700 = 100,800; 12,600 / 700 = 18.
        ("llama3-405b-100k.toml", 100_800, 18),
    ];
    assert_eq!(
        expect.len(),
        shipped().len(),
        "a new workload needs a row here"
    );
    for (file, world, micro_batches) in expect {
        let p = shipped_job(file).parallelism;
        assert_eq!(p.world(), world, "{file}");
        assert_eq!(
            p.world(),
            p.tp as u64 * p.cp as u64 * p.pp as u64 * p.dp as u64
        );
        assert_eq!(p.micro_batches(), micro_batches, "{file}");
        assert_eq!(
            p.micro_batches() as u64 * p.micro_batch as u64 * p.dp as u64,
            p.global_batch as u64,
            "{file}"
        );
        // A pipeline with fewer micro-batches than stages is mostly bubble.
        assert!(p.micro_batches() >= p.pp, "{file}");
    }
}

#[test]
fn shipped_workloads_fit_their_named_topologies() {
    // The headers name the shipped topology each job is sized for; the job
    // is placed there and (below 2,000 GPUs, to keep the test fast) one
    // iteration is simulated.
    for (job, topo) in [
        ("llama3-8b.toml", "h100-2tier-16node.toml"),
        ("mixtral-8x7b.toml", "h100-2tier-16node.toml"),
        ("gpt3-175b.toml", "h100-superpod.toml"),
        ("gpt3-175b.toml", "h100-2to1-oversubscribed.toml"),
        ("llama3-70b.toml", "gb300-nvl72-16rack.toml"),
        ("llama3-405b-8k.toml", "h100-1024node-3tier.toml"),
    ] {
        let text = std::fs::read_to_string(root().join("workloads").join(job)).unwrap();
        assert!(text.contains(&format!("topologies/{topo}")), "{job}");
        let t = fabricsim::topology::Topology::load(
            root().join("topologies").join(topo),
            &Default::default(),
        )
        .unwrap_or_else(|d| panic!("{topo}:\n{d}"));
        let j = shipped_job(job);
        assert_eq!(
            j.parallelism.world(),
            t.accelerators.len() as u64,
            "{job} on {topo}"
        );
        fabricsim::workload::placement::place(&t, &j)
            .unwrap_or_else(|e| panic!("{job} on {topo}: {e}"));
        if t.accelerators.len() < 2000 {
            let r = fabricsim::workload::iteration::run(&t, &j, Default::default())
                .unwrap_or_else(|e| panic!("{job} on {topo}: {e}"));
            assert!(r.iteration.total_time_s > 0.0, "{job} on {topo}");
        }
    }
}

#[test]
fn deleting_any_line_of_a_shipped_file_never_panics() {
    for f in shipped() {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for i in 0..lines.len() {
            let mut cut = lines.clone();
            cut.remove(i);
            let _ = Job::parse(&cut.join("\n"), "cut.toml", &Default::default());
        }
    }
}

// ---------------------------------------------------------------- rules (one negative test each)

#[test]
fn rule_1_toml_syntax() {
    // `[model` lacks its `]`, expected at column 7.
    one_error(&job(&[("[model]", "[model")]), 2, 7, "invalid TOML", "");
}

#[test]
fn rule_2_unknown_key_did_you_mean() {
    one_error(
        &job(&[("# model+", "layer = 3")]),
        11,
        1,
        "unknown key \"layer\" in [model]",
        "did you mean \"layers\"?",
    );
    one_error(
        &job(&[("# parallelism+", "pipeline = 2")]),
        18,
        1,
        "unknown key \"pipeline\" in [parallelism]",
        "the keys of [parallelism] are: tp, pp, dp",
    );
    one_error(
        &job(&[("# compute+", "overlap = { dp = true, ppp = true }")]),
        22,
        24,
        "unknown key \"ppp\" in overlap",
        "did you mean \"pp\"?",
    );
    // A misspelt table is one error, not also a missing [model].
    one_error(
        &job(&[("[model]", "[modle]")]),
        2,
        2,
        "unknown key \"modle\" in the top level",
        "did you mean \"model\"?",
    );
}

#[test]
fn rule_3_missing_tables_and_keys() {
    // No [compute] at all: reported at the start of the file.
    let src = BASE.split("[compute]").next().unwrap();
    one_error(
        src,
        1,
        1,
        "missing table [compute]",
        "tflops_per_accelerator and mfu, or layer_time",
    );
    // A missing required key is reported at its table's header.
    one_error(
        &job(&[("heads", "")]),
        2,
        1,
        "missing key \"heads\" in [model]",
        "add e.g. heads = 64",
    );
    one_error(
        &job(&[("global_batch", "")]),
        12,
        1,
        "missing key \"global_batch\" in [parallelism]",
        "",
    );
}

#[test]
fn rule_3_wrong_type() {
    one_error(
        &job(&[("tp", "tp = \"8\"")]),
        13,
        6,
        "\"tp\" must be an integer from 1 to 4294967295, found string",
        "remove the quotes: tp = 8",
    );
    one_error(
        &job(&[("# parallelism+", "sequence_parallel = 1")]),
        18,
        21,
        "\"sequence_parallel\" must be true or false, found integer",
        "",
    );
    // `model = 3` instead of a [model] table (whose keys are left out).
    let src = format!(
        "model = 3\n[parallelism]{}",
        BASE.split("[parallelism]").nth(1).unwrap()
    );
    one_error(
        &src,
        1,
        9,
        "\"model\" must be a table ([model]), found integer",
        "",
    );
}

#[test]
fn rule_4_counts_are_positive_integers() {
    one_error(
        &job(&[("dp", "dp = 0")]),
        15,
        6,
        "\"dp\" must be an integer from 1 to 4294967295, found 0",
        "",
    );
    one_error(
        &job(&[("layers", "layers = -3")]),
        4,
        10,
        "\"layers\" must be an integer from 1 to 4294967295, found -3",
        "",
    );
    one_error(
        &job(&[("heads", "heads = 32.0")]),
        7,
        9,
        "\"heads\" must be an integer from 1 to 4294967295, found float",
        "",
    );
    one_error(
        &job(&[("# parallelism+", "zero = 4")]),
        18,
        8,
        "\"zero\" must be a ZeRO stage from 0 to 3, found 4",
        "1: optimizer states sharded",
    );
}

#[test]
fn rule_5_numbers_finite_and_positive() {
    one_error(
        &job(&[("parameters", "parameters = nan")]),
        3,
        14,
        "\"parameters\" must be a finite number, found nan",
        "parameters = 70.6e9",
    );
    one_error(
        &job(&[("parameters", "parameters = -inf")]),
        3,
        14,
        "must be a finite number, found -inf",
        "",
    );
    one_error(
        &job(&[("tflops_per_accelerator", "tflops_per_accelerator = 0")]),
        20,
        26,
        "\"tflops_per_accelerator\" must be positive, found 0",
        "",
    );
    one_error(
        &job(&[("parameters", "parameters = \"70.6B\"")]),
        3,
        14,
        "\"parameters\" must be a number, found string",
        "write a plain number, e.g. parameters = 70.6e9",
    );
    one_error(
        &job(&[("mfu", "mfu = 45")]),
        21,
        7,
        "\"mfu\" must be greater than 0 and at most 1, found 45",
        "a fraction, not a percentage: write mfu = 0.45",
    );
    one_error(
        &job(&[("# parallelism+", "dp_bucket = 25")]),
        18,
        13,
        "\"dp_bucket\" must be a string with a unit, e.g. \"64 MiB\", found a bare number",
        "",
    );
    one_error(
        &job(&[("# parallelism+", "dp_bucket = \"0 MiB\"")]),
        18,
        13,
        "\"dp_bucket\" must be positive, found zero",
        "",
    );
}

#[test]
fn rule_6_data_types_did_you_mean() {
    one_error(
        &job(&[("dtype", "dtype = \"bf61\"")]),
        10,
        9,
        "unknown data type \"bf61\"; did you mean \"bf16\"?",
        "\"fp8\" (1 byte)",
    );
    one_error(
        &job(&[("# model+", "grad_dtype = \"float32\"")]),
        11,
        14,
        "unknown data type \"float32\"",
        "\"fp32\" (4 bytes)",
    );
}

#[test]
fn rule_7_placement_names_each_dimension_once() {
    one_error(
        &job(&[(
            "# parallelism+",
            "placement = [\"tp\", \"dp\", \"ep\", \"dp\", \"pp\"]",
        )]),
        18,
        32,
        "\"dp\" appears twice in \"placement\"",
        "exactly once",
    );
    one_error(
        &job(&[(
            "# parallelism+",
            "placement = [\"tp\", \"cp\", \"ep\", \"dp\"]",
        )]),
        18,
        13,
        "\"placement\" lacks \"pp\"",
        "innermost",
    );
    one_error(
        &job(&[(
            "# parallelism+",
            "placement = [\"tp\", \"cp\", \"ep\", \"ddp\", \"pp\"]",
        )]),
        18,
        32,
        "unknown dimension \"ddp\" in \"placement\"; did you mean \"dp\"?",
        "",
    );
    one_error(
        &job(&[("# parallelism+", "placement = \"tp\"")]),
        18,
        13,
        "\"placement\" must be an array of the five dimension names, found string",
        "[\"tp\", \"cp\", \"ep\", \"dp\", \"pp\"]",
    );
}

#[test]
fn rule_8_attention_heads_split_evenly() {
    // kv_heads = 5 does not divide 32 heads.
    one_error(
        &job(&[("# model+", "kv_heads = 5")]),
        11,
        12,
        "kv_heads = 5 does not divide heads = 32",
        "(the divisors of 32: 1, 2, 4, 8, 16, 32)",
    );
    // tp = 3 does not divide 32 heads (world 96 and batch 64 / 4 are fine).
    one_error(
        &job(&[("tp", "tp = 3")]),
        13,
        6,
        "tp = 3 does not divide heads = 32",
        "tensor parallelism splits the attention heads evenly",
    );
}

#[test]
fn rule_9_experts_consistent() {
    // experts > 1 needs top_k (reported at [model]).
    one_error(
        &job(&[("# model+", "experts = 8")]),
        2,
        1,
        "missing key \"top_k\" in [model]",
        "top_k = 2",
    );
    // top_k = 4 of 2 experts. The slot holds two keys, so [parallelism] moves down one line.
    one_error(
        &job(&[("# model+", "experts = 2\ntop_k = 4")]),
        12,
        9,
        "top_k = 4 exceeds experts = 2",
        "",
    );
    one_error(
        &job(&[("# model+", "top_k = 2")]),
        11,
        9,
        "top_k = 2 exceeds experts = 1",
        "",
    );
    one_error(
        &job(&[("# model+", "experts = 8\ntop_k = 2\nmoe_layers = 40")]),
        13,
        14,
        "moe_layers = 40 exceeds layers = 32",
        "the rest are dense",
    );
    one_error(
        &job(&[("# model+", "moe_layers = 4")]),
        11,
        14,
        "moe_layers = 4 but experts = 1 (a dense model)",
        "",
    );
    one_error(
        &job(&[("# model+", "experts = 8\ntop_k = 2\nmoe_layers = 0")]),
        13,
        14,
        "moe_layers = 0 but experts = 8",
        "set experts = 1",
    );
    one_error(
        &job(&[("# model+", "shared_experts = 1")]),
        11,
        18,
        "shared_experts = 1 but experts = 1 (a dense model)",
        "",
    );
}

#[test]
fn rule_10_expert_parallelism_divides_dp_and_experts() {
    // ep = 3 does not divide dp = 4 (6 experts are divisible by 3).
    one_error(
        &job(&[
            ("# model+", "experts = 6\ntop_k = 2"),
            ("# parallelism+", "ep = 3"),
        ]),
        19,
        6,
        "ep = 3 does not divide dp = 4",
        "carved out of data parallelism",
    );
    // 3 experts are not divisible by ep = 2 (which divides dp = 4).
    one_error(
        &job(&[
            ("# model+", "experts = 3\ntop_k = 2"),
            ("# parallelism+", "ep = 2"),
        ]),
        19,
        6,
        "experts = 3 are not divisible by ep = 2",
        "(the divisors of 3: 1, 3)",
    );
}

#[test]
fn rule_11_every_pipeline_stage_holds_a_layer() {
    // pp 4 × 16 virtual stages = 64 stages for 32 layers: blamed on virtual_stages.
    one_error(
        &job(&[("# parallelism+", "virtual_stages = 16")]),
        18,
        18,
        "pp × virtual_stages = 4 × 16 = 64 pipeline stages, but the model has only 32 layers",
        "lower pp or virtual_stages",
    );
    // pp = 64 alone: blamed on pp.
    one_error(
        &job(&[("pp", "pp = 64")]),
        14,
        6,
        "64 × 1 = 64 pipeline stages, but the model has only 32 layers",
        "",
    );
    one_error(
        &job(&[("pp", "pp = 1"), ("# parallelism+", "virtual_stages = 2")]),
        18,
        18,
        "virtual_stages = 2 needs pipeline parallelism (pp > 1)",
        "set virtual_stages = 1",
    );
}

#[test]
fn rule_12_global_batch_whole_micro_batches() {
    // 66 is not a multiple of 1 × 4; the nearest multiples are 64 and 68.
    one_error(
        &job(&[("global_batch", "global_batch = 66")]),
        17,
        16,
        "global_batch = 66 is not a multiple of micro_batch × dp = 1 × 4 = 4",
        "e.g. global_batch = 64 or 68",
    );
    // Smaller than one micro-batch per replica: 3 < 2 × 4.
    one_error(
        &job(&[
            ("global_batch", "global_batch = 3"),
            ("micro_batch", "micro_batch = 2"),
        ]),
        17,
        16,
        "is not a multiple of micro_batch × dp = 2 × 4 = 8",
        "e.g. global_batch = 8",
    );
}

#[test]
fn rule_13_context_parallelism_divides_seq_len() {
    one_error(
        &job(&[("# parallelism+", "cp = 3")]),
        18,
        6,
        "cp = 3 does not divide seq_len = 8192",
        "context parallelism splits each sequence into cp equal chunks",
    );
}

#[test]
fn rule_14_exactly_one_compute_form() {
    one_error(
        &job(&[("# compute+", "layer_time = \"12 ms\"")]),
        22,
        14,
        "[compute] gives both a peak form (efficiency, or tflops_per_accelerator/mfu) and layer_time",
        "not both",
    );
    one_error(
        &job(&[("tflops_per_accelerator", ""), ("mfu", "")]),
        19,
        1,
        "[compute] gives no compute time",
        "layer_time = \"12 ms\"",
    );
    one_error(
        &job(&[("mfu", "")]),
        19,
        1,
        "missing key \"mfu\" in [compute]",
        "mfu = 0.4",
    );
    one_error(
        &job(&[
            ("tflops_per_accelerator", "layer_time = \"0 ms\""),
            ("mfu", ""),
        ]),
        20,
        14,
        "\"layer_time\" must be positive, found zero",
        "",
    );
}

#[test]
fn rule_15_world_size_limit() {
    // 8 × 4 × 2,000,000 = 64,000,000 accelerators > 4,194,304.
    one_error(
        &job(&[
            ("dp", "dp = 2000000"),
            ("global_batch", "global_batch = 2000000"),
        ]),
        12,
        1,
        "tp × cp × pp × dp = 64000000 accelerators, more than a topology may have (4194304, the default of --max-nodes)",
        "",
    );
}

#[test]
fn rule_16_training_and_schedule() {
    one_error(
        &job(&[("# parallelism+", "schedule = \"zigzag\"")]),
        18,
        12,
        "unknown pipeline schedule \"zigzag\"",
        "\"zero-bubble\"",
    );
    one_error(
        &job(&[("# parallelism+", "schedule = \"interleaved\"")]),
        18,
        12,
        "schedule = \"interleaved\" needs virtual_stages ≥ 2",
        "add virtual_stages = 2",
    );
    one_error(
        &job(&[(
            "# parallelism+",
            "schedule = \"zero-bubble\"\nvirtual_stages = 2",
        )]),
        18,
        12,
        "schedule = \"zero-bubble\" runs one model chunk per rank, but virtual_stages = 2",
        "schedule = \"interleaved\"",
    );
    one_error(
        &job(&[("# compute+", "[training]\nrecompute = \"ful\"")]),
        23,
        13,
        "unknown recompute setting \"ful\"; did you mean \"full\"?",
        "FlashAttention",
    );
    one_error(
        &job(&[("# compute+", "[training]\noptimizer_bytes = 100")]),
        23,
        19,
        "\"optimizer_bytes\" must be at most",
        "",
    );
    // Absent: the defaults (selective recomputation, 12 optimizer bytes,
    // 1F1B without virtual stages, interleaved with).
    let j = load(BASE);
    assert_eq!(
        (j.training.recompute, j.training.optimizer_bytes),
        (fabricsim::workload::Recompute::Selective, 12.0)
    );
    assert_eq!(
        j.parallelism.schedule,
        fabricsim::workload::PipelineSchedule::OneFOneB
    );
    let j = load(&job(&[("# parallelism+", "virtual_stages = 2")]));
    assert_eq!(
        j.parallelism.schedule,
        fabricsim::workload::PipelineSchedule::Interleaved
    );
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let d = errors(&job(&[
        ("parameters", "parameters = 0"),
        ("dtype", "dtype = \"int8\""),
        ("tp", "tp = 5"),
        ("mfu", "mfu = 2"),
    ]));
    let lines: Vec<usize> = d.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 10, 13, 21], "{d}");
}

// ---------------------------------------------------------------- snapshot

#[test]
fn snapshot_rule_messages() {
    let cases: Vec<(&str, String)> = vec![
        ("01 toml syntax", job(&[("[model]", "[model")])),
        (
            "02 unknown keys",
            job(&[
                ("name", "nmae = \"x\""),
                ("# model+", "layer = 3"),
                ("# parallelism+", "pipeline = 2"),
                ("# compute+", "overlap = { dp = true, ppp = true }"),
            ]),
        ),
        (
            "03 missing table",
            BASE.split("[compute]").next().unwrap().to_string(),
        ),
        (
            "03 missing keys",
            job(&[("heads", ""), ("global_batch", ""), ("mfu", "")]),
        ),
        (
            "03 wrong types",
            job(&[
                ("tp", "tp = \"8\""),
                ("# parallelism+", "sequence_parallel = 1"),
                ("# compute+", "overlap = [\"dp\"]"),
            ]),
        ),
        (
            "04 counts",
            job(&[
                ("dp", "dp = 0"),
                ("layers", "layers = -3"),
                ("heads", "heads = 32.0"),
                ("# parallelism+", "zero = 4"),
            ]),
        ),
        (
            "05 numbers",
            job(&[
                ("parameters", "parameters = nan"),
                ("tflops_per_accelerator", "tflops_per_accelerator = \"989\""),
                ("mfu", "mfu = 45"),
                ("# parallelism+", "dp_bucket = 25"),
            ]),
        ),
        (
            "06 data types",
            job(&[
                ("dtype", "dtype = \"bf61\""),
                ("# model+", "grad_dtype = \"float32\""),
            ]),
        ),
        (
            "07 placement duplicate",
            job(&[(
                "# parallelism+",
                "placement = [\"tp\", \"dp\", \"ep\", \"dp\", \"pp\"]",
            )]),
        ),
        (
            "07 placement missing",
            job(&[("# parallelism+", "placement = [\"tp\", \"cp\", \"dp\"]")]),
        ),
        (
            "07 placement unknown",
            job(&[(
                "# parallelism+",
                "placement = [\"tp\", \"cp\", \"ep\", \"ddp\", \"pp\"]",
            )]),
        ),
        (
            "08 attention",
            job(&[("# model+", "kv_heads = 5"), ("tp", "tp = 3")]),
        ),
        ("09 top_k missing", job(&[("# model+", "experts = 8")])),
        (
            "09 experts",
            job(&[("# model+", "experts = 2\ntop_k = 4\nmoe_layers = 40")]),
        ),
        (
            "09 dense model with MoE keys",
            job(&[("# model+", "moe_layers = 4\nshared_experts = 1")]),
        ),
        (
            "10 expert parallelism",
            job(&[
                ("# model+", "experts = 6\ntop_k = 2"),
                ("dp", "dp = 2"),
                ("# parallelism+", "ep = 4"),
            ]),
        ),
        (
            "11 pipeline",
            job(&[("# parallelism+", "virtual_stages = 16")]),
        ),
        (
            "11 interleaving without pipeline",
            job(&[("pp", "pp = 1"), ("# parallelism+", "virtual_stages = 2")]),
        ),
        (
            "12 global batch",
            job(&[("global_batch", "global_batch = 66")]),
        ),
        (
            "13 context parallelism",
            job(&[("# parallelism+", "cp = 3")]),
        ),
        (
            "14 both compute forms",
            job(&[("# compute+", "layer_time = \"12 ms\"")]),
        ),
        (
            "14 no compute form",
            job(&[("tflops_per_accelerator", ""), ("mfu", "")]),
        ),
        (
            "15 world size",
            job(&[
                ("dp", "dp = 2000000"),
                ("global_batch", "global_batch = 2000000"),
            ]),
        ),
    ];
    let mut out = String::new();
    for (label, src) in cases {
        let d = errors(&src);
        out.push_str(&format!("=== {label}\n{d}\n\n"));
    }
    insta::assert_snapshot!("invalid_workloads", out);
}

#[test]
fn documented_example_parses() {
    // The first ```toml block of docs/workload-format.md.
    let doc = std::fs::read_to_string(root().join("docs/workload-format.md")).unwrap();
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .unwrap();
    let j = load(example);
    // 8 × 4 × 36 = 1,152 accelerators; 1,152 / 36 = 32 micro-batches.
    assert_eq!(j.parallelism.world(), 1152);
    assert_eq!(j.parallelism.micro_batches(), 32);
}
