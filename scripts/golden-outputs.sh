#!/usr/bin/env bash
# Writes the outputs of every shipped example and of `info`, `collective`,
# `job` and `compare` on the shipped files into DIR, one file per command, so
# two builds can be compared byte for byte:
#   scripts/golden-outputs.sh /tmp/before   # on the old commit
#   scripts/golden-outputs.sh /tmp/after    # on the new one
#   diff -r /tmp/before /tmp/after
# Plots are written into DIR/plots (examples write into plots/; the script
# copies them). Needs only the Rust toolchain.
set -uo pipefail
out=${1:?usage: scripts/golden-outputs.sh DIR}
cd "$(dirname "$0")/.."
mkdir -p "$out/plots"
cargo build --release --quiet --bin fabricsim --examples || exit 1
bin=${CARGO_TARGET_DIR:-target}/release/fabricsim
run() { # name, command...
  local name=$1; shift
  "$@" >"$out/$name.out" 2>"$out/$name.err"
  echo "exit $?" >>"$out/$name.out"
}
for t in topologies/*.toml; do
  b=$(basename "$t" .toml)
  run "info-$b" $bin info "$t" --json
  # The 100,800-GPU file takes minutes per size; `info` covers it.
  case $b in gb300-nvl72-1400rack-2plane) continue;; esac
  run "ar-$b" $bin collective "$t" --op all-reduce --size 1KiB,1MiB,64MiB,1GiB --json
done
for t in hgx-h100 mi300x-8 gb200-nvl72 h100-2tier-16node helios-mi450; do
  for op in all-gather reduce-scatter all-to-all broadcast; do
    run "$op-$t" $bin collective "topologies/$t.toml" --op $op --size 4KiB,16MiB,512MiB
  done
  for a in ring tree direct nvls hierarchical halving-doubling; do
    run "algo-$a-$t" $bin collective "topologies/$t.toml" --op all-reduce --size 64KiB,256MiB --algo $a
  done
done
for j in workloads/*.toml; do
  b=$(basename "$j" .toml)
  for t in h100-2tier-16node gb300-nvl72-16rack h100-1024node-3tier; do
    run "job-$b-$t" $bin job "topologies/$t.toml" "$j" --json --max-time 120
  done
done
run compare-job $bin compare topologies/gb300-nvl72-16rack.toml topologies/helios-mi450-16rack-uec.toml --job workloads/llama3-70b.toml --json
run compare-op $bin compare topologies/hgx-h100.toml topologies/mi300x-8.toml topologies/gb200-nvl72.toml --op all-reduce --size 1MiB,1GiB
# flow_scaling prints wall-clock timings, which differ run to run.
for e in examples/*.rs; do
  b=$(basename "$e" .rs)
  [ "$b" = flow_scaling ] && continue
  run "example-$b" cargo run --release --quiet --example "$b"
done
# Examples print where they wrote plots: make that independent of the checkout.
sed -i "s#$PWD/##g" "$out"/*.out
cp plots/*.png plots/*.svg "$out/plots/" 2>/dev/null
git checkout -- plots 2>/dev/null || true
echo "wrote $(ls "$out" | wc -l) outputs into $out"
