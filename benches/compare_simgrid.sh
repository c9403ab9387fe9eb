#!/usr/bin/env bash
# Side-by-side speed of fabricsim's flow engine and SimGrid 3.32 on the
# reference leaf/spine scenario (benches/fat_tree_flows.py), with a check that
# both give the same completion times. Builds nothing.
#
# Usage: bash benches/compare_simgrid.sh [FABRICSIM] [N ...]
#   FABRICSIM  fabricsim binary (default target/release/fabricsim; build it
#              first with `cargo build --release`)
#   N ...      flow counts (default 1000 10000 30000)
#
# Environment:
#   SEED=1             scenario seed (the published figures use 1)
#   WORK=DIR           where scenarios and outputs go (default: a new temp dir,
#                      kept, its path printed)
#   SIMGRID_TIMEOUT=S  stop a SimGrid run after S seconds (default: no limit);
#                      its row then says so
#   SIMGRID_PYTHON=P   Python that imports SimGrid (default /usr/bin/python3,
#                      Debian's, for which python3-simgrid is built)
#   SIMGRID_ARGS="..." extra options for benches/simgrid_maxmin.py
#   TOL=1e-6           largest accepted relative difference in completion time
#
# Needs: python3, /usr/bin/time (Debian package `time`), SimGrid's Python
# bindings: apt-get install -y --no-install-recommends python3-simgrid
#
# For each N: writes ftN.json, runs
#   /usr/bin/time -f '%e %M' FABRICSIM flows ftN.json --json
#   /usr/bin/time -f '%e %M' SIMGRID_PYTHON benches/simgrid_maxmin.py ftN.json
# (wall seconds and peak resident set of the whole process, Python start-up and
# JSON parsing included on both sides), compares the completion times with
# benches/compare_times.py and prints a Markdown table. Exit status 1 if any
# comparison fails or a run fails, 0 otherwise (a SimGrid run stopped by
# SIMGRID_TIMEOUT is reported, not a failure).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fabricsim=target/release/fabricsim
if [[ $# -gt 0 && ! $1 =~ ^[0-9]+$ ]]; then
  fabricsim=$1
  shift
fi
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(1000 10000 30000)

seed=${SEED:-1}
tol=${TOL:-1e-6}
sg_python=${SIMGRID_PYTHON:-/usr/bin/python3}
read -r -a sg_args <<< "${SIMGRID_ARGS:-}"
timeout_s=${SIMGRID_TIMEOUT:-}

die() { echo "compare_simgrid: $*" >&2; exit 2; }
[[ -x $fabricsim ]] || die "no fabricsim binary at '$fabricsim' (cargo build --release, or pass its path)"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install -y time)"
"$sg_python" -c 'import sys; sys.path.append("/usr/lib/python3/dist-packages"); import simgrid' 2>/dev/null \
  || die "$sg_python cannot import simgrid (apt-get install -y --no-install-recommends python3-simgrid)"

work=${WORK:-$(mktemp -d /tmp/compare_simgrid.XXXXXX)}
mkdir -p "$work"

# Machine and versions, for the record.
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
sg_version=$(dpkg-query -W -f='${Version}' libsimgrid3.32 2>/dev/null || echo unknown)
echo "Machine: $(nproc) CPUs (${cpu:-model not reported}), $mem, $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fabricsim: $fabricsim ($("$fabricsim" --version 2>/dev/null || echo 'version unknown'))"
echo "SimGrid: Debian libsimgrid3.32 $sg_version via $sg_python $("$sg_python" -c 'import platform; print(platform.python_version())')"
echo "Scenario: benches/fat_tree_flows.py N $seed; files in $work"
echo

# mb KIB -> MiB with one decimal
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

rows=()
status=0
for n in "${counts[@]}"; do
  scenario=$work/ft$n.json
  python3 "$here/fat_tree_flows.py" "$n" "$seed" > "$scenario"

  echo "== $n flows: fabricsim" >&2
  if ! /usr/bin/time -o "$work/fabricsim$n.time" -f '%e %M' \
      "$fabricsim" flows "$scenario" --json > "$work/fabricsim$n.json" 2> "$work/fabricsim$n.err"; then
    cat "$work/fabricsim$n.err" >&2
    rows+=("| $n | failed | | | | | |")
    status=1
    continue
  fi
  read -r fs_wall fs_kb < "$work/fabricsim$n.time"

  echo "== $n flows: SimGrid" >&2
  sg_cmd=("$sg_python" "$here/simgrid_maxmin.py" "$scenario" "${sg_args[@]}")
  [[ -n $timeout_s ]] && sg_cmd=(timeout --signal=TERM "$timeout_s" "${sg_cmd[@]}")
  sg_rc=0
  /usr/bin/time -o "$work/simgrid$n.time" -f '%e %M' \
    "${sg_cmd[@]}" > "$work/simgrid$n.json" 2> "$work/simgrid$n.err" || sg_rc=$?
  grep -v 'xbt_cfg/INFO' "$work/simgrid$n.err" >&2 || true
  if [[ $sg_rc -eq 124 ]]; then
    rows+=("| $n | $fs_wall | $(mb "$fs_kb") | stopped after $timeout_s s | | > $(awk -v a="$timeout_s" -v b="$fs_wall" 'BEGIN {printf "%.0f", a / b}') | not compared |")
    continue
  elif [[ $sg_rc -ne 0 ]]; then
    rows+=("| $n | $fs_wall | $(mb "$fs_kb") | failed (exit $sg_rc) | | | |")
    status=1
    continue
  fi
  # /usr/bin/time prints "Command exited ..." lines first on failure; the last line is ours.
  read -r sg_wall sg_kb < <(tail -n 1 "$work/simgrid$n.time")

  diff_rc=0
  rel=$(python3 "$here/compare_times.py" "$work/fabricsim$n.json" "$work/simgrid$n.json" --tol "$tol" --quiet) || diff_rc=$?
  python3 "$here/compare_times.py" "$work/fabricsim$n.json" "$work/simgrid$n.json" --tol "$tol" >&2 || true
  if [[ $diff_rc -eq 1 ]]; then
    rel="$rel (> $tol)"
    status=1
  elif [[ $diff_rc -ne 0 ]]; then
    rel="comparison failed"
    status=1
  fi
  ratio=$(awk -v a="$sg_wall" -v b="$fs_wall" \
    'BEGIN {if (b <= 0) print "n/a"; else if (a / b >= 10) printf "%.0f", a / b; else printf "%.1f", a / b}')
  rows+=("| $n | $fs_wall | $(mb "$fs_kb") | $sg_wall | $(mb "$sg_kb") | $ratio | $rel |")
done

echo "| flows | fabricsim wall s | fabricsim peak MB | SimGrid wall s | SimGrid peak MB | ratio | max rel. diff |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
echo "Wall: elapsed seconds of the whole process (/usr/bin/time %e); peak MB: maximum resident set (%M KiB / 1024);"
echo "ratio: SimGrid wall / fabricsim wall (n/a when fabricsim took < 0.01 s, /usr/bin/time's resolution); max rel. diff: largest |a - b| / max(|a|, |b|) over the flows' completion times."
echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
