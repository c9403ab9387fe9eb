#!/usr/bin/env python3
"""Reference flow scenario for the flow-engine benchmarks (BENCHMARKS.md,
"Flow engine, whole process") and the SimGrid comparison
(benches/compare_simgrid.sh).

Usage:  python3 benches/fat_tree_flows.py N [SEED] > ftN.json
        (SEED defaults to 0; the published figures use SEED = 1)

Writes a `fabricsim flows` scenario (JSON, base units) to standard output:

* a two-level leaf/spine fabric of 128 hosts: 8 leaves x 16 hosts, 4 spines;
* 320 directed links, in this order: h0_up..h127_up (host -> leaf),
  h0_down..h127_down (leaf -> host), leaf{a}_spine{s} (a-major), then
  spine{s}_leaf{a} (s-major); host links 1.25e9 B/s, leaf<->spine links
  5e9 B/s, latency 1e-6 s on every link;
* N flows f0..f{N-1}: a uniform random source host, a uniform random
  destination host other than the source, and, when they sit under different
  leaves, a uniform random spine (routes: up, down within a leaf; up,
  leaf->spine, spine->leaf, down across leaves); a size log-uniform in
  [1e4, 1e7] bytes rounded to an integer; every flow released at 0.0, so each
  completion is an event of the engine.

This reproduces, byte for byte, the reference scenario the published figures
were measured on (the same output as the generator printed in BENCHMARKS.md):
Python's `random.Random(SEED)` is drawn in the same order -- per flow
randrange(128) for the source, randrange(127) for the destination (shifted up
past the source), randrange(4) for the spine only when the leaves differ, then
uniform(4, 7) for the size exponent -- and the JSON is written with
`json.dump`'s default separators and the same key order. Changing any of this
changes the scenario and makes old figures incomparable.
"""
import json
import random
import sys

LEAVES = 8
HOSTS_PER_LEAF = 16
SPINES = 4
HOST_BW = 1.25e9  # B/s, host <-> leaf, each direction (10 Gb/s)
FABRIC_BW = 5e9  # B/s, leaf <-> spine, each direction (40 Gb/s)
LATENCY = 1e-6  # s, every link
MIN_EXP, MAX_EXP = 4, 7  # sizes 10**uniform(4, 7) bytes


def build_links():
    """The 320 directed links, in file order, and name tables for routing."""
    hosts = LEAVES * HOSTS_PER_LEAF
    links = []

    def add(name, bandwidth):
        links.append({"id": name, "bandwidth": bandwidth, "latency": LATENCY})
        return name

    host_up = [add(f"h{h}_up", HOST_BW) for h in range(hosts)]
    host_down = [add(f"h{h}_down", HOST_BW) for h in range(hosts)]
    leaf_to_spine = [[add(f"leaf{a}_spine{s}", FABRIC_BW) for s in range(SPINES)]
                     for a in range(LEAVES)]
    spine_to_leaf = [[add(f"spine{s}_leaf{a}", FABRIC_BW) for a in range(LEAVES)]
                     for s in range(SPINES)]
    return links, host_up, host_down, leaf_to_spine, spine_to_leaf


def scenario(n_flows, seed):
    links, host_up, host_down, leaf_to_spine, spine_to_leaf = build_links()
    hosts = LEAVES * HOSTS_PER_LEAF
    rng = random.Random(seed)
    flows = []
    for i in range(n_flows):
        # The order of the rng calls below defines the scenario: keep it.
        src = rng.randrange(hosts)
        dst = rng.randrange(hosts - 1)
        if dst >= src:
            dst += 1
        src_leaf, dst_leaf = src // HOSTS_PER_LEAF, dst // HOSTS_PER_LEAF
        if src_leaf == dst_leaf:
            route = [host_up[src], host_down[dst]]
        else:
            spine = rng.randrange(SPINES)
            route = [host_up[src], leaf_to_spine[src_leaf][spine],
                     spine_to_leaf[spine][dst_leaf], host_down[dst]]
        size = int(round(10 ** rng.uniform(MIN_EXP, MAX_EXP)))
        flows.append({"id": f"f{i}", "route": route, "bytes": size, "start": 0.0})
    return {"links": links, "flows": flows}


def main(argv):
    if not 2 <= len(argv) <= 3 or argv[1] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    n_flows = int(argv[1])
    seed = int(argv[2]) if len(argv) == 3 else 0
    if n_flows < 0:
        sys.stderr.write("N must be >= 0\n")
        return 2
    json.dump(scenario(n_flows, seed), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
