#!/usr/bin/env python3
"""Write the Meta 24K-GPU RoCE cluster topologies used by the Llama 3 405B
validation jobs (topologies/corpus/train-llama3-405b-h100-*.toml).

The fabric is the one of arXiv:2407.21783 section 3.3.1 (16 GPUs and one
Minipack2 ToR per rack; 192 racks per pod with full bisection bandwidth;
pods joined by aggregation switches at 1:7). It cannot be written with the
parametric [scale_out] block (whose oversubscription applies at the leaf
tier only), so the network part is an explicit graph; this script writes it.
The header text lives in HEADER below; see it for the sources and every
ASSUMED value.

Usage: python3 validation/jobs/tools/gen_meta_roce.py   (from the repo root)
"""

import pathlib

GPUS_PER_SERVER = 8
SERVERS_PER_RACK = 2          # "each rack hosts 16 GPUs split between two servers"
RACKS_PER_POD = 192           # "192 such racks ... a pod of 3,072 GPUs"
CTSW_PER_POD = 16             # ASSUMED (see header)
ATSW = 16                     # ASSUMED (see header)
CTSW_ATSW_LANES = 27          # 192 down : 27 up = 7.1 : 1 (the paper's 1:7)

RUNS = {
    "llama3-405b-h100-8192": 8192,
    "llama3-405b-h100-16384": 16384,
    "llama3-405b-h100-16384-cp16": 16384,
}

HEADER = """\
# Topology of the published run "{run}" (validation/training_runs.toml):
# {gpus:,} H100 of Meta's 24K-GPU RoCE cluster, on which Llama 3 405B was
# pre-trained. Written by validation/jobs/tools/gen_meta_roce.py (do not edit
# by hand; change the script and rerun it).
#
# Sources (docs/sources.md): [S-llama3-herd], [S-balaji-herding-llamas],
#   [S-astra-sim-hgx-h100], [S-simai-60], [S-nccl-topo-h], [S-nccl-tuning-cc],
#   [S-nvidia-nvswitch3-blog], [S-nccl-tests-267], [S-storagereview-th-ultra].
# - Run: https://glennklockwood.com/garden/llama-3.1 (P. Balaji, SC'24 slide,
#   [S-balaji-herding-llamas] [2nd]) and "The Llama 3 Herd of Models",
#   arXiv:2407.21783, Table 4 ([S-llama3-herd]; read in a stored copy of the
#   arXiv HTML). Cluster summary: https://ai-papers.xuzou.cn/papers/llama3_2024 [2nd].
# - Servers: Meta Grand Teton, 8 H100 80GB HBM3 (700 W) per server, the eight
#   GPUs joined by NVLink (arXiv:2407.21783 section 3.3.1, "Compute"). The
#   NVLink domain is the HGX H100 board of topologies/hgx-h100.toml: 4
#   NVSwitch gen3, 18 NVLink4 lanes per GPU split 5/4/4/5 ([S-astra-sim-hgx-h100],
#   [S-simai-60]; NVLS in-switch reduction [S-nvidia-nvswitch3-blog],
#   [S-nccl-tuning-cc]).
# - Scale-out: "RDMA over Converged Ethernet (RoCE) fabric based on the
#   Arista 7800 and Minipack2 Open Compute Project OCP rack switches"; "400
#   Gbps interconnects between GPUs" (section 3.3.1, "Network"): one 400G
#   link per GPU (Grand Teton has 8 x 400G backend NICs, one per GPU:
#   https://glennklockwood.com/garden/systems/meta's-h100-clusters [2nd]).
#   Modelled as a direct 400G link from each GPU to its rack switch (the NIC
#   is not a separate node), the "ethernet-400g" preset (50 GB/s per
#   direction; efficiency 0.95 ASSUMED in the preset, as NDR [S-nccl-tests-267]).
# - Topology, section 3.3.1 "Network topology": "three-layer Clos network. At
#   the bottom layer, each rack hosts 16 GPUs split between two servers and
#   connected by a single Minipack2 top-of-the-rack (ToR) switch. In the
#   middle layer, 192 such racks are connected by Cluster Switches to form a
#   pod of 3,072 GPUs with full bisection bandwidth, ensuring no
#   oversubscription. At the top layer, eight such pods within the same
#   datacenter building are connected via Aggregation Switches to form a
#   cluster of 24K GPUs. However, network connectivity at the aggregation
#   layer does not maintain full bisection bandwidth and instead has an
#   oversubscription ratio of 1:7."
#   Names: rtsw<r> (ToR of rack r = servers d<2r>, d<2r+1>), pod<p>.ctsw<j>
#   (Cluster Switches), atsw<j> (Aggregation Switches).
# - Rack: 16 x 400G down, 16 x 400G up (1:1, "no oversubscription" in the
#   pod), one 400G lane from every ToR to each of the pod's {ctsw} Cluster
#   Switches. ASSUMED: the number of Cluster Switches per pod ({ctsw}) and of
#   Aggregation Switches ({atsw}); the paper gives neither, only the ratios.
#   G. Lockwood's notes say the ToR uplinks are provisioned at 2:1 (twice
#   the down bandwidth) [2nd]; not modelled: with 1:1 the pod is already
#   non-blocking, as the paper says.
# - Aggregation: Cluster Switch j of every pod joins Aggregation Switch j
#   with {lanes} x 400G: 192 down-lanes : {lanes} up-lanes = 7.1 : 1, the
#   integer lane count closest to the paper's 1:7.
# - Which GPUs of the 24K the job used: ASSUMED the first {gpus:,} in pod
#   order ({racks} racks: {podtext}). A partial pod keeps its full
#   uplink bandwidth (the paper's job scheduler is topology-aware, section
#   3.3.1; other jobs on the rest of the pod are not modelled).
# - Switch latencies ASSUMED 250 ns per traversal (no source for Minipack2
#   (Tomahawk 4) or Arista 7800; the project's Ethernet switch figure,
#   [S-storagereview-th-ultra]); link latency 50 ns (preset, ASSUMED).
# - Routing "weighted": NVLink per-port split by lanes; on the symmetric
#   Ethernet Clos it equals "spray" (Meta spreads each GPU pair over 16 flows
#   balanced by E-ECMP, section 3.3.1 "Load balancing").
#
# Derived checks: {gpus:,} accelerators; per GPU 450 GB/s NVLink (18 x 25)
# and 50 GB/s RoCE per direction; pod bisection non-blocking; pod uplink
# {up:,} GB/s per direction vs {down:,} GB/s into a full pod (1:7.1).

"""


def write(run: str, gpus: int) -> None:
    servers = gpus // GPUS_PER_SERVER
    racks = servers // SERVERS_PER_RACK
    pods = -(-racks // RACKS_PER_POD)
    pod_racks = [min(RACKS_PER_POD, racks - p * RACKS_PER_POD) for p in range(pods)]
    full = sum(1 for n in pod_racks if n == RACKS_PER_POD)
    podtext = f"{full} full pod{'s' if full != 1 else ''} of 192 racks"
    if pod_racks[-1] != RACKS_PER_POD:
        podtext += f" and {pod_racks[-1]} racks of pod {pods - 1}"
    out = [HEADER.format(
        run=run, gpus=gpus, ctsw=CTSW_PER_POD, atsw=ATSW, lanes=CTSW_ATSW_LANES,
        racks=racks, podtext=podtext,
        up=CTSW_PER_POD * CTSW_ATSW_LANES * 50,
        down=RACKS_PER_POD * 16 * 50,
    )]
    out.append(
        f'name = "Meta 24K RoCE cluster, {gpus:,} H100 used ({servers} Grand Teton servers, '
        f'{racks} racks, {pods} pods; 1:7 at aggregation)"\n'
        'routing = "weighted"             # NVLink: per-port split by lanes; spray on the symmetric Clos\n\n'
        "[scale_up]                        # HGX H100 board (topologies/hgx-h100.toml)\n"
        'kind = "nvlink4"\n'
        "accelerators = 8\n"
        "switches = 4\n"
        "links_per_switch = [5, 4, 4, 5]\n"
        'switch_kind = "nvswitch-gen3"\n'
        "in_switch_reduction = true       # NVLS\n"
        f"domains = {servers}\n\n"
        "[[nodes]]                         # Minipack2 ToR, one per rack\n"
        f'id = "rtsw[0..{racks}]"\n'
        'kind = "switch"\n'
        'latency = "250 ns"               # ASSUMED\n\n'
        "[[nodes]]                         # Cluster Switches (Arista 7800)\n"
        f'id = "pod[0..{pods}].ctsw[0..{CTSW_PER_POD}]"\n'
        'kind = "switch"\n'
        'latency = "250 ns"               # ASSUMED\n\n'
        "[[nodes]]                         # Aggregation Switches\n"
        f'id = "atsw[0..{ATSW}]"\n'
        'kind = "switch"\n'
        'latency = "250 ns"               # ASSUMED\n'
    )
    out.append("\n# GPU -> ToR: the 16 GPUs of servers d<2r> and d<2r+1> on rtsw<r>, 400G each.\n")
    for r in range(racks):
        out.append(
            "[[links]]\n"
            f'between = ["d[{2 * r}..{2 * r + 2}].gpu[0..8]", "rtsw{r}"]\n'
            'kind = "ethernet-400g"\n'
            'tier = "leaf"\n'
        )
    out.append("\n# ToR -> Cluster Switches: every ToR of a pod to each of its Cluster Switches, one 400G lane.\n")
    first = 0
    for p, n in enumerate(pod_racks):
        out.append(
            "[[links]]\n"
            f'between = ["rtsw[{first}..{first + n}]", "pod{p}.ctsw[0..{CTSW_PER_POD}]"]\n'
            'kind = "ethernet-400g"\n'
            'tier = "spine"\n'
        )
        first += n
    out.append(f"\n# Cluster Switch j of every pod -> Aggregation Switch j, {CTSW_ATSW_LANES} x 400G (1:7.1).\n")
    for j in range(ATSW):
        out.append(
            "[[links]]\n"
            f'between = ["pod[0..{pods}].ctsw{j}", "atsw{j}"]\n'
            'kind = "ethernet-400g"\n'
            f"count = {CTSW_ATSW_LANES}\n"
            'tier = "core"\n'
        )
    path = pathlib.Path("topologies/corpus") / f"train-{run}.toml"
    path.write_text("".join(out))
    print(path, gpus, "GPUs", racks, "racks", pod_racks)


if __name__ == "__main__":
    for run, gpus in RUNS.items():
        write(run, gpus)
