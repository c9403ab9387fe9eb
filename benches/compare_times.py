#!/usr/bin/env python3
"""Compare the completion times of two runs of the same flow scenario.

Usage:  python3 benches/compare_times.py A.json B.json [--tol REL] [--quiet]

A and B are `fabricsim flows --json` outputs or benches/simgrid_maxmin.py
outputs (same shape: {"flows": [{"id", "finish_s"}], ...}). Flows are matched
by id; both files must hold the same set of ids.

Prints one line: the number of flows, the largest relative difference
|a - b| / max(|a|, |b|) and the flow where it occurs, the largest absolute
difference, and both makespans. With --quiet prints only the largest relative
difference (for scripts). Exit status 0 if the largest relative difference is
at most --tol (default 1e-6), 1 if not, 2 on malformed input.
"""
import argparse
import json
import sys


def finish_times(path):
    with open(path) as stream:
        doc = json.load(stream)
    times = {}
    for flow in doc["flows"]:
        if flow["id"] in times:
            raise ValueError(f"{path}: flow {flow['id']!r} listed twice")
        times[flow["id"]] = float(flow["finish_s"])
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--tol", type=float, default=1e-6,
                        help="largest accepted relative difference (default 1e-6)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    try:
        a, b = finish_times(args.a), finish_times(args.b)
    except (OSError, ValueError, KeyError, TypeError) as err:
        print(f"compare_times: {err}", file=sys.stderr)
        return 2
    if a.keys() != b.keys():
        only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
        print(f"compare_times: flow ids differ: {len(only_a)} only in {args.a} "
              f"(e.g. {only_a[:3]}), {len(only_b)} only in {args.b} (e.g. {only_b[:3]})",
              file=sys.stderr)
        return 2

    worst_rel, worst_id, worst_abs = 0.0, None, 0.0
    for fid, ta in a.items():
        tb = b[fid]
        diff = abs(ta - tb)
        scale = max(abs(ta), abs(tb))
        rel = diff / scale if scale > 0 else 0.0
        if rel > worst_rel or worst_id is None:
            worst_rel, worst_id = rel, fid
        worst_abs = max(worst_abs, diff)

    if args.quiet:
        print(f"{worst_rel:.2e}")
    else:
        detail = (f" at {worst_id} ({a[worst_id]!r} vs {b[worst_id]!r})"
                  if worst_id is not None else "")
        print(f"{len(a)} flows: max relative difference {worst_rel:.3e}{detail}; "
              f"max absolute difference {worst_abs:.3e} s; makespan "
              f"{max(a.values(), default=0.0)!r} vs {max(b.values(), default=0.0)!r} s")
    return 0 if worst_rel <= args.tol else 1


if __name__ == "__main__":
    sys.exit(main())
