#!/usr/bin/env python3
"""Run a `fabricsim flows` scenario in SimGrid 3.32 (pure max-min sharing) and
print every flow's completion time, for benches/compare_simgrid.sh.

Usage:  python3 benches/simgrid_maxmin.py SCENARIO.json [options] > times.json
        (SCENARIO.json may be - for standard input)

Needs SimGrid's Python bindings: Debian's `python3-simgrid` (SimGrid 3.32),
`apt-get install -y --no-install-recommends python3-simgrid`. That module is
built for Debian's /usr/bin/python3 (CPython 3.11); another CPython 3.11 (a
pyenv one, say) can load it too, so on ImportError this script also looks in
/usr/lib/python3/dist-packages.

Input: the format `fabricsim flows` reads (docs/cli.md), base units:
  {"links": [{"id": "l0", "bandwidth": 1e9, "latency": 1e-6}, ...],
   "flows": [{"id": "f0", "route": ["l0", ...], "bytes": 1000000, "start": 0.0}, ...]}
`deps`/`delay` (flow dependencies) are not supported and are refused.

Output (stdout): the shape of `fabricsim flows --json`, flows in input order:
  {"flows": [{"id": "f0", "finish_s": ...}, ...], "makespan_s": ...}
Stderr: one line with the load, setup and run seconds (wall clock, this
process), and the sizes of the SimGrid platform.

What is compared, and how SimGrid is configured
-----------------------------------------------
fabricsim's flow model (docs/semantics.md section 4, docs/flow-model.md): a
flow released at `start` first waits its route's latency L = sum of its links'
latencies without using bandwidth, then moves its bytes at its max-min fair
rate; rates change only when a flow starts moving or finishes.

SimGrid's network models are max-min solvers (LMM) plus TCP corrections. The
corrections are switched off as SimGrid's documentation describes them
(docs/sources.md [S-simgrid]; its documentation, "The SimGrid Models": sections "The TCP models", "CM02" and
"LV08"; "Configuring SimGrid": "Configuring the Network Model"):

  --cfg=network/model:CM02          CM02: max-min (LMM) without LV08's
                                    correction factors (LV08, the default,
                                    multiplies latency by 13.01 and bandwidth
                                    by 0.97 and adds ACK cross-traffic)
  --cfg=network/TCP-gamma:0         no TCP window bound: CM02 otherwise caps a
                                    flow at gamma / (2 * route latency), gamma
                                    4194304 B by default; "set TCP-gamma to 0"
                                    disables it ("to model e.g. UDP or memory
                                    movements")
  --cfg=network/latency-factor:1    \  CM02's own defaults (weight-S adds
  --cfg=network/bandwidth-factor:1   > S / bandwidth per link to a flow's
  --cfg=network/weight-S:0          /  sharing weight; LV08 uses S = 20537),
                                       set explicitly so nothing brings a
                                       correction back
  --cfg=network/crosstraffic:0      no reverse (ACK) flow on the back route;
                                    also required here: the platform below has
                                    no back routes

Checked on SimGrid 3.32 (1e9 B over one 1e9 B/s link of 0.1 s latency): LV08
50.46 s, CM02 47.78 s (window-bound), CM02 + TCP-gamma:0 1.1 s = 0.1 + 1.

Latency. Like fabricsim, SimGrid pays a transfer's latency first, without
loading any link ("Regardless of the used TCP model, the latency is paid
beforehand"). Unlike fabricsim, CM02 then shares a saturated link by
*weighted* max-min: "flows receive an amount of bandwidth inversely
proportional to their round trip time" (each flow's sharing weight is its
route latency), whereas fabricsim's max-min is unweighted. So by default
(`--latency shift`) every SimGrid link gets latency 0 -- all flows then have
the same weight -- and each flow's transfer is started at start + L, which
gives completion = start + L + transfer under plain max-min: fabricsim's
definition. `--latency native` hands SimGrid the link latencies instead (its
own RTT-weighted model). That differs from fabricsim wherever flows with
different route latencies share a link: on benches/fat_tree_flows.py 1000 1
(intra-leaf routes 2 us, inter-leaf 4 us) by up to 46 % in completion time.

Numerics and speed: SimGrid's solver works to `maxmin/precision` (on rates
and amounts of work) and `surf/precision` (on times, s). This driver passes
SimGrid 3.32's defaults, 1e-5 and 1e-9, explicitly, and network/optim:Full
instead of the default Lazy. Measured on benches/fat_tree_flows.py 10000 1
(2-vCPU VM): Full took 20 s of SimGrid run time and matched fabricsim to a
relative 1.5e-14; Lazy took 32 s and, because its event heap treats
completions within surf/precision (1e-9 s) of each other as one, was off by up
to 4.2e-7 (Lazy with --surf-precision 1e-12: 1.5e-14, 37 s). So Full is both
SimGrid's faster and its exact choice here. Agreement is to a tolerance, not
bit for bit: benches/compare_times.py measures the largest relative
difference.

Platform: one SimGrid star zone. Each distinct route becomes one source host
whose "up" route is exactly the route's links, in order; one sink host has an
empty route. Each scenario link is one SHARED SimGrid link (one capacity for
every flow on it; links are directed, as in fabricsim). A flow is a
Comm.sendto_async(route host -> sink, bytes) started by one driver actor at
the flow's activation time. Flows of 0 bytes use no bandwidth; they finish at
start + L and are not handed to SimGrid.
"""
import argparse
import json
import sys
import time

DEBIAN_DIST_PACKAGES = "/usr/lib/python3/dist-packages"


def import_simgrid():
    try:
        import simgrid
    except ImportError:
        if DEBIAN_DIST_PACKAGES in sys.path:
            raise
        sys.path.append(DEBIAN_DIST_PACKAGES)
        try:
            import simgrid
        except ImportError as err:
            sys.exit(f"simgrid_maxmin: cannot import SimGrid's Python bindings ({err}).\n"
                     "Install them with `apt-get install -y --no-install-recommends "
                     "python3-simgrid` and run this script with /usr/bin/python3.")
    return simgrid


def load_scenario(stream):
    """Parse and check a scenario; return (links, flows) as plain tuples.

    links: {id: (bandwidth, latency)}; flows: [(id, route tuple, bytes, start)].
    """
    doc = json.load(stream)
    links = {}
    for link in doc.get("links", []):
        lid = link["id"]
        if lid in links:
            raise ValueError(f"link {lid!r} declared twice")
        bandwidth = float(link["bandwidth"])
        latency = float(link.get("latency", 0.0))
        if not bandwidth > 0 or bandwidth == float("inf"):
            raise ValueError(f"link {lid!r}: bandwidth must be positive and finite")
        if not latency >= 0:
            raise ValueError(f"link {lid!r}: latency must be >= 0")
        links[lid] = (bandwidth, latency)
    flows = []
    seen = set()
    for flow in doc.get("flows", []):
        fid = flow["id"]
        if fid in seen:
            raise ValueError(f"flow {fid!r} declared twice")
        seen.add(fid)
        if flow.get("deps"):
            raise ValueError(f"flow {fid!r}: deps are not supported by this driver")
        route = tuple(flow["route"])
        if not route:
            raise ValueError(f"flow {fid!r}: empty route")
        for lid in route:
            if lid not in links:
                raise ValueError(f"flow {fid!r}: unknown link {lid!r}")
        if len(set(route)) != len(route):
            raise ValueError(f"flow {fid!r}: a link appears twice in the route")
        size = float(flow["bytes"])
        if not size >= 0:
            raise ValueError(f"flow {fid!r}: bytes must be >= 0")
        start = float(flow.get("start", 0.0))
        if not start >= 0:
            raise ValueError(f"flow {fid!r}: start must be >= 0")
        flows.append((fid, route, size, start))
    return links, flows


def simulate(sg, links, flows, args):
    """Build the platform, run SimGrid, return (finish times, stats)."""
    native = args.latency == "native"
    engine = sg.Engine([
        "simgrid_maxmin",
        "--cfg=network/model:CM02",
        "--cfg=network/TCP-gamma:0",
        "--cfg=network/latency-factor:1",
        "--cfg=network/bandwidth-factor:1",
        "--cfg=network/weight-S:0",
        "--cfg=network/crosstraffic:0",
        f"--cfg=network/optim:{args.optim}",
        f"--cfg=maxmin/precision:{args.maxmin_precision!r}",
        f"--cfg=surf/precision:{args.surf_precision!r}",
        "--log=root.thres:warning",
    ] + [f"--cfg={c}" for c in args.cfg])

    zone = sg.NetZone.create_star_zone("fabric")
    sg_links = {}
    for lid, (bandwidth, latency) in links.items():
        link = zone.create_link(f"link{len(sg_links)}", bandwidth)
        # sharing policy: SHARED, SimGrid's default (one capacity for all flows)
        link.set_latency(latency if native else 0.0)
        sg_links[lid] = link.seal()

    sink = zone.create_host("sink", 1e9).seal()
    zone.add_route(None, sink.netpoint, None, None, [], False)

    route_hosts = {}  # route tuple -> its source host
    finish = [None] * len(flows)
    sends = []  # (time the driver starts the comm, flow index, host, bytes)
    for index, (fid, route, size, start) in enumerate(flows):
        latency = 0.0
        for lid in route:  # left to right, as the route is written
            latency += links[lid][1]
        if size == 0:
            finish[index] = start + latency
            continue
        nbytes = int(round(size))
        if nbytes != size:
            print(f"simgrid_maxmin: warning: flow {fid}: {size} bytes rounded to {nbytes} "
                  "(SimGrid sizes are integers)", file=sys.stderr)
        host = route_hosts.get(route)
        if host is None:
            host = zone.create_host(f"route{len(route_hosts)}", 1e9).seal()
            zone.add_route(host.netpoint, None, None, None,
                           [sg.LinkInRoute(sg_links[lid]) for lid in route], False)
            route_hosts[route] = host
        sends.append((start if native else start + latency, index, host, nbytes))
    zone.seal()
    sends.sort(key=lambda s: (s[0], s[1]))

    def driver():
        comms = []
        for when, index, host, nbytes in sends:
            if when > sg.Engine.clock:
                sg.this_actor.sleep_until(when)
            comms.append((index, sg.Comm.sendto_async(host, sink, nbytes)))
        sg.Comm.wait_all([comm for _, comm in comms])
        for index, comm in comms:
            finish[index] = comm.finish_time

    sg.Actor.create("driver", sink, driver)
    return engine, finish, {"routes": len(route_hosts), "links": len(sg_links),
                            "comms": len(sends)}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", help="scenario JSON file, or - for standard input")
    parser.add_argument("--latency", choices=("shift", "native"), default="shift",
                        help="shift (default): links at latency 0 in SimGrid, each transfer "
                             "started after its route latency (plain max-min, fabricsim's "
                             "model); native: SimGrid's own latency handling (RTT-weighted)")
    parser.add_argument("--optim", choices=("Lazy", "Full"), default="Full",
                        help="SimGrid's network/optim (default Full: faster and exact on the "
                             "leaf/spine benchmark; SimGrid's own default is Lazy)")
    parser.add_argument("--maxmin-precision", type=float, default=1e-5,
                        help="SimGrid's maxmin/precision (default 1e-5, SimGrid 3.32's)")
    parser.add_argument("--surf-precision", type=float, default=1e-9,
                        help="SimGrid's surf/precision in s (default 1e-9, SimGrid 3.32's)")
    parser.add_argument("--cfg", action="append", default=[], metavar="NAME:VALUE",
                        help="any further SimGrid --cfg item (repeatable)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    if args.scenario == "-":
        links, flows = load_scenario(sys.stdin)
    else:
        with open(args.scenario) as stream:
            links, flows = load_scenario(stream)
    sg = import_simgrid()
    t1 = time.perf_counter()
    engine, finish, sizes = simulate(sg, links, flows, args)
    t2 = time.perf_counter()
    engine.run()
    t3 = time.perf_counter()

    out = {"flows": [{"id": fid, "finish_s": finish[i]} for i, (fid, *_rest) in enumerate(flows)],
           "makespan_s": max((t for t in finish), default=0.0)}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    print(f"simgrid_maxmin: load {t1 - t0:.3f} s, setup {t2 - t1:.3f} s, run {t3 - t2:.3f} s; "
          f"{len(flows)} flows ({sizes['comms']} to SimGrid), {sizes['routes']} routes, "
          f"{sizes['links']} links; latency {args.latency}, optim {args.optim}, "
          f"maxmin/precision {args.maxmin_precision:g}, surf/precision {args.surf_precision:g}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
