use fabricsim::collective::Params;
use fabricsim::workload::job::DEFAULT_DP_BUCKET_BYTES;
use fabricsim::workload::*;
use std::time::Instant;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let t0 = Instant::now();
    let topo = fabricsim::topology::load_file(&args[1]).unwrap();
    eprintln!("load {:?} ({} acc)", t0.elapsed(), topo.accelerators.len());
    let dp: u32 = args[2].parse().unwrap();
    let job = Job {
        name: "llama3-405b".into(),
        model: Model {
            parameters: 405e9,
            layers: 126,
            hidden: 16384,
            ffn_hidden: 53248,
            heads: 128,
            kv_heads: 8,
            seq_len: 8192,
            vocab: 128256,
            experts: 1,
            top_k: 1,
            shared_experts: 0,
            moe_ffn_hidden: 53248,
            moe_layers: 0,
            dtype_bytes: 2,
            grad_dtype_bytes: 4,
        },
        parallelism: Parallelism {
            tp: 8,
            pp: 16,
            dp,
            ep: 1,
            cp: 1,
            zero: 1,
            sequence_parallel: true,
            micro_batch: 1,
            global_batch: 16 * dp,
            virtual_stages: 1,
            placement: vec![Dim::Tp, Dim::Cp, Dim::Ep, Dim::Dp, Dim::Pp],
            allow_tp_across_domains: false,
            dp_bucket_bytes: DEFAULT_DP_BUCKET_BYTES,
        },
        compute: Compute::Peak {
            flops_per_s: 989e12,
            mfu: 0.5,
        },
        overlap: Overlap {
            dp: true,
            ..Overlap::default()
        },
    };
    let r = iteration::run(&topo, &job, Params::default()).unwrap();
    eprintln!("run {:?}", t0.elapsed());
    println!("{}", serde_json::to_string_pretty(&r).unwrap());
}
