#!/usr/bin/env bash
# The long fuzz runs of docs/robustness.md: every target in turn, one
# process (no -jobs), seeded from the shipped files and the bad-input corpus.
# Usage: fuzz/run-all.sh [SECONDS_PER_TARGET]   (needs nightly + cargo-fuzz)
# Per-target run budgets below; each run stops at its budget or the time cap.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-900}
seed() { # seed TARGET FILES...
  local dir=fuzz/corpus/$1; shift
  mkdir -p "$dir"
  for f in "$@"; do if [ -f "$f" ]; then cp "$f" "$dir/seed-$(basename "$f")"; fi; done
}
seed topology topologies/*.toml tests/it/invalid/*.toml tests/it/invalid/failures/*.toml
seed job workloads/*.toml tests/it/invalid/jobs/*.toml
seed flows tests/it/data/scenarios/*.json tests/it/invalid/flows/*.json
seed sweep sweeps/*.toml
seed merge tests/it/data/results-two-points.json
seed calibrate_log tests/data/nccl/*.log tests/it/invalid/nccl-logs/*.log
mkdir -p fuzz/corpus/units fuzz/corpus/select fuzz/corpus/failures fuzz/logs
for s in "800 Gb/s" "1.5 us" "64 MiB" "400 Gbps" "50 GB/s" "300 ns" "1e3 kB" "0.5 ms"; do
  printf '%s' "$s" > "fuzz/corpus/units/seed-$(echo "$s" | tr ' /.' '___')"; done
for s in "1MiB..8GiB" "1GiB" "1MiB,4MiB" "0..8,16,17" "64" "8B..1PiB"; do
  printf '%s' "$s" > "fuzz/corpus/select/seed-$(echo "$s" | tr ' /.,' '____')"; done
for s in "link:d0.gpu0,d0.sw0" "switch:d0.sw[0..2]" "rail:1" "plane:0" "random:10%:7" "random:3:1:scale-up"; do
  printf '%s' "$s" > "fuzz/corpus/failures/seed-$(echo "$s" | tr ' /.,:%[]' '________')"; done
for t in topology:2000000 job:1000000 flows:1000000 failures:500000 units:1000000 select:1000000 sweep:1000000 merge:1000000 calibrate_log:300000; do
  name=${t%%:*}; runs=${t##*:}
  echo "== $name: up to $runs runs or ${secs}s"
  cargo +nightly fuzz run -O "$name" "fuzz/corpus/$name" -- \
    -runs="$runs" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    -print_final_stats=1 2>&1 | tee "fuzz/logs/$name.log" | grep -E "^(Done|==|stat::number_of_executed_units|stat::average_exec_per_sec)|panicked|ERROR" || true
done
