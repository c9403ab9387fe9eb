"""Transcribed published measurements. Numbers only; every table names its source.
Each nccl-tests row is kept as printed (size count type redop [root] time algbw busbw #wrong x2);
the in-place columns are used unless a table says otherwise."""

SYSTEMS = []
POINTS = []

def system(**kw):
    SYSTEMS.append(kw)

def _f(x):
    return float(x)

def nccl_rows(system, gpus, op, text, *, library, algo, source, date, note, which="ip", collnet=None):
    """Parse pasted nccl-tests rows. which: 'ip' (in-place), 'oop' (out-of-place), 'oop-only'
    (table has only one set of columns: size count type redop [root] time algbw busbw wrong)."""
    for line in text.strip().splitlines():
        t = line.split()
        if not t or t[0].startswith("#"):
            continue
        size = int(t[0])
        if which == "ip":
            tm, al, bb = t[-4], t[-3], t[-2]
            inplace = True
        elif which == "oop":
            tm, al, bb = t[-8], t[-7], t[-6]
            inplace = False
        elif which == "oop-only":
            tm, al, bb = t[-4], t[-3], t[-2]
            inplace = False
        else:
            raise ValueError(which)
        POINTS.append(dict(system=system, gpus=gpus, op=op, size_bytes=size, busbw_gbps=_f(bb),
                           algbw_gbps=_f(al), time_us=_f(tm), inplace=inplace, library=library,
                           algo=algo, source=source, source_date=date, note=note, collnet=collnet))

def busbw_list(system, gpus, op, sizes, values, *, library, algo, source, date, note, inplace=True):
    sizes = sizes.split() if isinstance(sizes, str) else sizes
    values = values.split() if isinstance(values, str) else values
    assert len(sizes) == len(values), (system, len(sizes), len(values))
    for s, v in zip(sizes, values):
        POINTS.append(dict(system=system, gpus=gpus, op=op, size_bytes=parse_size(s), busbw_gbps=_f(v),
                           inplace=inplace, library=library, algo=algo, source=source,
                           source_date=date, note=note))

def point(**kw):
    POINTS.append(kw)

_AZ = {"1K": 1024, "2K": 2048, "4K": 4096, "8K": 8192, "16K": 16384, "32K": 32768, "65K": 65536,
       "132K": 131072, "256K": 262144, "524K": 524288, "1M": 1 << 20, "2M": 2 << 20, "4M": 4 << 20,
       "8M": 8 << 20, "16M": 16 << 20, "33M": 32 << 20, "67M": 64 << 20, "134M": 128 << 20,
       "268M": 256 << 20, "536M": 512 << 20, "1G": 1 << 30, "2G": 2 << 30, "4G": 4 << 30, "8G": 8 << 30}

def parse_size(s):
    if isinstance(s, int):
        return s
    if s in _AZ:
        return _AZ[s]
    return int(s)

# ============================ sources ============================
# ---------------------------------------------------------------- Azure AI-benchmarking-guide
AZ_REPO = "https://github.com/Azure/AI-benchmarking-guide/blob/main/"
AZ_SIZES = "1K 2K 4K 8K 16K 32K 65K 132K 256K 524K 1M 2M 4M 8M 16M 33M 67M 134M 268M 536M 1G 2G 4G 8G"
AZ_NOTE = ("busbw column of the page's table (in-place, all_reduce_perf -n 40); size labels such as "
           "'65K', '33M', '1G' read as the powers of two nccl-tests prints (65536, 33554432, 1073741824)")

system(id="hgx-a100-8", name="8x A100 SXM4 board (HGX/DGX A100; Azure ND A100 v4 and others)", split="fit",
       accelerator="NVIDIA A100-SXM4-80GB", gpus_per_node=8,
       scale_up="NVLink3, 12 links x 25 GB/s/dir per GPU (300 GB/s/dir) via 6 NVSwitch gen2",
       scale_out="none (single node)",
       topology_hint="one node: 8 GPUs on 6 NVSwitch2 (NVLink3, 300 GB/s/dir per GPU); topologies/hgx-a100.toml",
       why_split="fit: the project's NVLink per-step alpha (11 us) was fitted on the Azure ND A100 v4 ramp (docs/validation.md).",
       notes="Every single-node 8xA100 SXM measurement goes here, whatever the operator, so no A100 board leaks into held_out.")
busbw_list("hgx-a100-8", 8, "all-reduce", AZ_SIZES,
           "0.04 0.08 0.17 0.33 0.67 1.37 2.70 5.15 10.11 19.24 36.22 53.54 71.43 89.99 109.22 132.77 166.63 174.18 213.87 221.58 228.10 230.22 230.48 231.58",
           library="NCCL 2.18.5", algo="default",
           source=AZ_REPO + "Azure_Results/ND_A100_v4_results.md", date="2024-10",
           note=AZ_NOTE + "; page says NVLS but A100 has no NVLink SHARP, so NCCL ran its default (Ring); date approximate (commit history)")

system(id="hgx-h100-8", name="8x H100 SXM board (HGX/DGX H100; Azure ND H100 v5 and others)", split="fit",
       accelerator="NVIDIA H100 80GB HBM3 (SXM5)", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 18 links, 450 GB/s/dir per GPU (900 GB/s bidir), NVLink SHARP",
       scale_out="none (single node)",
       topology_hint="one node: 8 GPUs on 4 NVSwitch3 with NVLS; topologies/hgx-h100.toml",
       why_split="fit: the NVLS efficiency (0.74) was fitted to 8xH100 NVLS ~480 GB/s (nccl#1455, #2140, nccl-tests#212).",
       notes="Every single-node 8xH100 SXM measurement goes here (also the intra-node rows of multi-node sources).")
busbw_list("hgx-h100-8", 8, "all-reduce", AZ_SIZES,
           "0.07 0.14 0.27 0.53 0.95 1.71 2.72 5.40 10.86 21.35 43.70 81.93 128.73 172.13 234.45 295.53 361.78 400.61 423.38 438.46 466.35 472.36 475.54 478.87",
           library="NCCL 2.18.5", algo="NVLS",
           source=AZ_REPO + "Azure%20Results/ND_H100_v5_results.md", date="2024-10",
           note=AZ_NOTE + "; NCCL_ALGO=NVLS set by the benchmark script; date approximate")

system(id="hgx-h200-8", name="8x H200 SXM board (HGX H200; Azure ND H200 v5 and others)", split="fit",
       accelerator="NVIDIA H200 141GB", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU, NVLink SHARP",
       scale_out="none (single node)",
       topology_hint="one node: same NVLink4 fabric as hgx-h100 (topologies/hgx-h100.toml); only HBM differs",
       why_split="fit: the NVLS per-step alpha (60 us) was fitted on the Azure ND H200 v5 NVLS ramp (docs/validation.md).",
       notes="Every single-node 8xH200 measurement goes here.")
busbw_list("hgx-h200-8", 8, "all-reduce", AZ_SIZES,
           "0.06 0.12 0.23 0.47 0.93 1.84 3.72 7.39 14.75 29.38 52.96 88.78 138.44 181.94 240.41 300.91 368.11 412.45 432.24 442.72 467.58 472.57 477.41 479.98",
           library="NCCL 2.20.5", algo="NVLS",
           source=AZ_REPO + "Azure_Results/ND_H200_v5_results.md", date="2024-10",
           note=AZ_NOTE + "; NCCL_ALGO=NVLS set by the benchmark script; date approximate")

system(id="azure-nd-gb200-v6", name="Azure ND GB200 v6 (one GB200 compute tray, 4 GPUs, in an NVL72 rack)", split="held_out",
       accelerator="NVIDIA GB200 (B200 185GB)", gpus_per_node=4,
       scale_up="NVLink5, 18 links x 50 GB/s/dir = 900 GB/s/dir per GPU, through the rack's 18 NVSwitch chips (NVL72)",
       scale_out="none in this measurement (4 GPUs of one tray)",
       topology_hint="4 GPUs of one compute tray whose NVLink5 ports go to the NVL72 switch trays (topologies/gb200-nvl72.toml, first 4 ranks)",
       why_split="held_out: NVLink5 / GB200 was never used to fit any parameter.",
       notes="Ring forced by the Azure script for 4 GPUs (NCCL_ALGO=Ring); Azure/AI-benchmarking-guide issue 7 confirms 4 GPUs on one host.")
busbw_list("azure-nd-gb200-v6", 4, "all-reduce", AZ_SIZES,
           "0.10 0.19 0.38 0.76 1.46 2.88 5.71 11.29 22.41 44.07 80.48 110.43 146.27 253.46 331.09 422.62 550.73 574.19 593.53 618.74 646.87 666.63 673.06 679.61",
           library="NCCL 2.25.1", algo="Ring",
           source=AZ_REPO + "Azure_Results/ND_GB200_v6_results.md", date="2025-03",
           note=AZ_NOTE + "; date approximate (issue 7 of 2025-03-31 discusses this table)")

# ---------------------------------------------------------------- CoreWeave nccl-tests README
CW_SRC = "https://github.com/coreweave/nccl-tests/blob/main/README.md"
system(id="coreweave-gb200-nvl72", name="CoreWeave GB200 NVL72 racks with Quantum-X800 InfiniBand", split="held_out",
       accelerator="NVIDIA GB200", gpus_per_node=4,
       scale_up="NVLink5 NVL72: 72 GPUs per rack, 900 GB/s/dir per GPU, 18 NVSwitch chips, NVLink SHARP",
       scale_out="4x ConnectX-7 400G per tray (1 per GPU), NVIDIA Quantum-X800 InfiniBand with SHARP (per the README)",
       topology_hint="1, 2 and 20 NVL72 racks (72/144/1440 GPUs): MNNVL inside a rack, IB between racks; topologies/gb200-nvl72.toml and gb200-nvl72-20rack-ib-xdr.toml",
       why_split="held_out: no GB200 rack or multi-rack result was used for calibration.",
       notes="README 'Expected Performance' section, NCCL 2.26.2; all_reduce_perf float sum from 512 MiB.")
CW_NOTE = "nccl-tests table pasted in the README (in-place columns); NCCL 2.26.2 per the README"
nccl_rows("coreweave-gb200-nvl72", 72, "all-reduce", """
   536870912     134217728     float     sum      -1   1806.7  297.16  586.06      0   1835.9  292.43  576.74      0
  1073741824     268435456     float     sum      -1   3108.8  345.38  681.17      0   2924.7  367.13  724.06      0
  2147483648     536870912     float     sum      -1   5589.1  384.22  757.78      0   5474.6  392.26  773.62      0
  4294967296    1073741824     float     sum      -1    10094  425.49  839.16      0    10141  423.54  835.32      0
  8589934592    2147483648     float     sum      -1    20299  423.16  834.57      0    20006  429.37  846.82      0
""", library="NCCL 2.26.2", algo="default", source=CW_SRC, date="2025-05", note=CW_NOTE + "; one full rack")
nccl_rows("coreweave-gb200-nvl72", 144, "all-reduce", """
   536870912     134217728     float     sum      -1   2156.8  248.92  493.94      0   2093.7  256.42  508.83      0
  1073741824     268435456     float     sum      -1   3574.4  300.40  596.10      0   3565.5  301.15  597.59      0
  2147483648     536870912     float     sum      -1   6264.0  342.83  680.30      0   6258.4  343.14  680.91      0
  4294967296    1073741824     float     sum      -1    11469  374.47  743.09      0    11435  375.61  745.36      0
  8589934592    2147483648     float     sum      -1    21493  399.65  793.06      0    21525  399.06  791.88      0
 17179869184    4294967296     float     sum      -1    42067  408.40  810.41      0    41557  413.41  820.36      0
""", library="NCCL 2.26.2", algo="default", source=CW_SRC, date="2025-05", note=CW_NOTE + "; two racks")
nccl_rows("coreweave-gb200-nvl72", 1440, "all-reduce", """
   536870912     134217728     float     sum      -1   7108.4   75.53  150.95      0   7145.8   75.13  150.16      0
  1073741824     268435456     float     sum      -1   9805.7  109.50  218.85      0   9819.6  109.35  218.54      0
  2147483648     536870912     float     sum      -1    14980  143.36  286.52      0    15087  142.34  284.49      0
  4294967296    1073741824     float     sum      -1    24782  173.31  346.38      0    24975  171.97  343.71      0
  8589934592    2147483648     float     sum      -1    45004  190.87  381.48      0    44930  191.19  382.11      0
 17179869184    4294967296     float     sum      -1    84625  203.01  405.74      0    84828  202.53  404.77      0
""", library="NCCL 2.26.2", algo="default", source=CW_SRC, date="2025-05",
          note=CW_NOTE + "; 20 racks (rank 1439 is the last rank); also in coreweave/nccl-tests PR 48 (2025-04-21)")

system(id="coreweave-h100-ib", name="CoreWeave HGX H100 cluster, 8x400G InfiniBand (SHARP-capable)", split="held_out",
       accelerator="NVIDIA H100 80GB HBM3", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU",
       scale_out="8x ConnectX-7 400G NDR InfiniBand per node, rail-optimized fat tree with SHARP (CoreWeave)",
       topology_hint="8 nodes x 8 H100 (64 GPUs), one 400G NIC per GPU; SHARP (CollNet) may be active; topologies/h100-2tier-16node.toml first 8 nodes",
       why_split="held_out: a different H100 IB cluster from the 64-GPU one used for the multi-node check (uccl#205).",
       notes="The README shows this log after the SHARP manifest command, so the run may use IB SHARP; algorithm not printed.")
nccl_rows("coreweave-h100-ib", 64, "all-reduce", """
   536870912     134217728     float     sum      -1   2984.6  179.88  356.01      0   2979.7  180.18  356.60      0
  1073741824     268435456     float     sum      -1   5808.0  184.87  365.90      0   5882.2  182.54  361.28      0
  2147483648     536870912     float     sum      -1    11163  192.37  380.73      0    11203  191.70  379.40      0
  4294967296    1073741824     float     sum      -1    22181  193.63  383.23      0    22570  190.29  376.62      0
  8589934592    2147483648     float     sum      -1    43980  195.31  386.56      0    44094  194.81  385.56      0
""", library="unknown", algo="default (SHARP plugin possibly active)", source=CW_SRC, date="2024",
          collnet=(True, "the h100-64 SHARP manifest sets NCCL_COLLNET_ENABLE=1 (docs/sources.md [S-coreweave-manifests])"),
          note="example log in the README's MPI Operator section, printed after applying the h100-64 SHARP manifest; NCCL version not printed; date approximate")

# ---------------------------------------------------------------- OCI GPU quick starts
OCI = "https://github.com/oracle-quickstart/oci-gpu-quickstarts/blob/main/"
OCI_NOTE = ("OCI quick-start page, nccl-tests output with smaller sizes truncated by the authors (in-place "
            "columns); measurement date not given, date is that of the document revision read")
system(id="oci-gb300-nvl72", name="OCI BM.GPU.GB300.4 in GB300 NVL72 racks, RoCE scale-out", split="held_out",
       accelerator="NVIDIA GB300 (B300 288GB)", gpus_per_node=4,
       scale_up="NVLink5 NVL72 (72 GPUs per rack, 900 GB/s/dir per GPU, NVLink SHARP)",
       scale_out="8x 400G RoCE per 4-GPU tray (ConnectX-8 as 2x400G per GPU), OCI RoCE fabric",
       topology_hint="1 tray (4), 2 trays (8), 16 trays = 64 GPUs in one rack, 32 trays over 2 racks (128) with RoCE between racks; topologies/gb300-nvl72.toml, gb300-nvl72-16rack.toml",
       why_split="held_out: GB300 was never used for fitting.",
       notes="NCCL 2.28.7+cuda13.0 printed in each log; MNNVL and NVLS enabled by the run script.")
for g, txt in ((4, """
  8589934592    2147483648     float     sum      -1    18920  454.02  681.03      0    18916  454.10  681.15      0
 17179869184    4294967296     float     sum      -1    37610  456.79  685.19      0    37605  456.85  685.27      0
"""), (8, """
  8589934592    2147483648     float     sum      -1    17930  479.07  838.38      0    17928  479.15  838.50      0
 17179869184    4294967296     float     sum      -1    35722  480.93  841.63      0    35702  481.21  842.11      0
"""), (64, """
  8589934592    2147483648     float     sum      -1    18842  455.88  897.52      0    18790  457.15  900.01      0
 17179869184    4294967296     float     sum      -1    36350  472.63  930.48      0    36345  472.69  930.60      0
"""), (128, """
  8589934592    2147483648     float     sum      -1    24050  357.16  708.75      0    24006  357.83  710.06      0
 17179869184    4294967296     float     sum      -1    46170  372.10  738.39      0    46070  372.91  739.99      0
""")):
    nccl_rows("oci-gb300-nvl72", g, "all-reduce", txt, library="NCCL 2.28.7", algo="default (NVLS enabled)",
              source=OCI + "nvidia/GB300/README-GB300.md", date="2025-12", note=OCI_NOTE)
for g, txt in ((4, """
  8589934592     536870912     float    none      -1    10308  833.31  624.98      0   9568.2  897.76  673.32    N/A
 17179869184    1073741824     float    none      -1    20527  836.92  627.69      0    18929  907.60  680.70    N/A
"""), (8, """
  8589934592     268435456     float    none      -1    11059  776.74  679.65      0    11171  768.98  672.86    N/A
 17179869184     536870912     float    none      -1    21943  782.92  685.06      0    22211  773.49  676.81    N/A
"""), (64, """
  8589934592      33554432     float    none      -1    13028  659.33  649.03      0    12953  663.18  652.82    N/A
 17179869184      67108864     float    none      -1    25357  677.51  666.92      0    25565  672.01  661.51    N/A
"""), (128, """
  8589934592      16777216     float    none      -1   180191   47.67   47.30      0   179150   47.95   47.57    N/A
 17179869184      33554432     float    none      -1   357610   48.04   47.67      0   358715   47.89   47.52    N/A
""")):
    nccl_rows("oci-gb300-nvl72", g, "all-to-all", txt, library="NCCL 2.28.7", algo="default",
              source=OCI + "nvidia/GB300/README-GB300.md", date="2025-12",
              note=OCI_NOTE + "; out-of-place columns (in-place all-to-all is not validated: #wrong N/A)", which="oop")

system(id="oci-gb200-nvl72", name="OCI BM.GPU.GB200.4 in GB200 NVL72 racks, RoCE scale-out", split="held_out",
       accelerator="NVIDIA GB200 (B200 192GB)", gpus_per_node=4,
       scale_up="NVLink5 NVL72 (72 GPUs per rack, 900 GB/s/dir per GPU, NVLink SHARP)",
       scale_out="4x 400G RoCE per 4-GPU tray (ConnectX-7, one per GPU), OCI RoCE fabric",
       topology_hint="1 tray (4), 2 trays (8), 16 trays (64) in one rack; 32 trays on 2 racks (128) and 48 trays on 3 racks (192) with RoCE between racks; topologies/gb200-nvl72.toml",
       why_split="held_out: GB200 was never used for fitting.",
       notes="NCCL 2.27.3+cuda12.8 printed in the multi-node logs; the 'count' column of several pasted rows is inconsistent with the size (copy-paste in the source), the size column is used as printed.")
for g, txt, extra in ((4, """
4294967296  107374124   float   sum     -1  9801.3  438.20  657.31  0   9809.9  437.82  656.73  0
8589934592  2147483648  float   sum     -1  19424   442.22  663.34  0   19465   441.30  661.95  0
""", "; single tray, ./build/all_reduce_perf -g 4"), (8, """
4294967296  107374124   float   sum     -1  9878.8  434.77  855.95  0   9868.1  435.24  856.87  0
8589934592  2147483648  float   sum     -1  18967   452.90  891.64  0   18884   454.88  895.54  0
""", "; 2 trays in one rack"), (128, """
4294967296  107374124   float   sum     -1  11311   379.72  753.51  0   11334   378.96  751.99  0
8589934592  2147483648  float   sum     -1  21313   403.04  799.79  0   21316   402.98  799.66  0
""", "; '2 Racks - 32 nodes'"), (192, """
4294967296  107374124   float   sum     -1  12154   353.37  703.07  0   12125   354.21  704.74  0
8589934592  2147483648  float   sum     -1  22820   376.43  748.93  0   22859   375.77  747.63  0
""", "; '3 Racks - 48 nodes'")):
    nccl_rows("oci-gb200-nvl72", g, "all-reduce", txt, library="NCCL 2.27.3", algo="default (NVLS enabled)",
              source=OCI + "nvidia/GB200/README-GB200.md", date="2026-03", note=OCI_NOTE + extra)
for g, txt, extra in ((4, """
4294967296  107374124   float   none    -1  5267.6  815.35  611.52  0   4782.9  897.98  673.49  N/A
8589934592  2147483648  float   none    -1  10470   820.40  615.30  0   9654.2  889.76  667.32  N/A
""", "; single tray"), (8, """
8589934592  2147483648  float   none    -1  11426   751.78  657.81  0   11418   752.324 658.30  N/A
17179869184 536870912   float   none    -1  22698   756.88  662.27  0   22741   755.47  661.03  N/A
""", "; 2 trays in one rack"), (64, """
4294967296  107374124   float   none    -1  7465.7  575.29  566.30  0   6765.9  634.79  624.88  N/A
8589934592  2147483648  float   none    -1  13574   632.81  622.92  0   13560   633.50  623.60  N/A
""", "; 16 trays in one rack"), (128, """
4294967296  107374124   float   none    -1  48079   89.33   88.63   0   48071   89.35   88.65   N/A
8589934592  2147483648  float   none    -1  95018   90.40   89.70   0   95119   90.31   89.60   N/A
""", "; 32 trays on 2 racks"), (192, """
4294967296  107374124   float   none    -1  70159   61.22   60.90   0   70439   60.97   60.66   N/A
8589934592  2147483648  float   none    -1  136749  62.82   62.49   0   137392  62.52   62.20   N/A
""", "; 48 trays on 3 racks")):
    nccl_rows("oci-gb200-nvl72", g, "all-to-all", txt, library="NCCL 2.27.3", algo="default",
              source=OCI + "nvidia/GB200/README-GB200.md", date="2026-03",
              note=OCI_NOTE + "; out-of-place columns (in-place all-to-all not validated)" + extra, which="oop")

system(id="oci-mi355x", name="OCI BM.GPU.MI355X (8x MI355X), Pollara 400 RoCE variant", split="held_out",
       accelerator="AMD Instinct MI355X (288 GB)", gpus_per_node=8,
       scale_up="xGMI (Infinity Fabric) full mesh of 8 GPUs, 7 links per GPU",
       scale_out="8x AMD Pensando Pollara 400 AI NIC (400G Ethernet RoCE, AMD ANP plugin) per node; the v1.8 shape uses 8x ConnectX-7 400G instead",
       topology_hint="1, 2 and 4 nodes of 8 MI355X on an xGMI mesh, one 400G RoCE NIC per GPU; topologies/mi355x-8.toml plus a RoCE leaf",
       why_split="held_out: MI355X (xGMI of CDNA4) and Pollara RoCE were never fitted; the xGMI preset was fitted on MI300X only.",
       notes="rccl-tests logs with smaller sizes truncated by the authors; RCCL 2.26.6 / ROCm 7.0.2 recommended on the page (not printed in the log).")
MI355_SRC = OCI + "amd/MI355X/README-MI355X-Pollara.md"
for g, op, txt, extra in ((8, "all-reduce", """
  8589934592    2147483648     float     sum      -1    36863  233.02  407.79      0    36835  233.20  408.10      0
 17179869184    4294967296     float     sum      -1    73544  233.60  408.80      0    73681  233.17  408.04      0
""", "; single node"), (16, "all-reduce", """
  8589934592    2147483648     float     sum      -1    43674  196.68  368.78      0    43684  196.64  368.70      0
 17179869184    4294967296     float     sum      -1    86980  197.52  370.34      0    86978  197.52  370.35      0
""", "; 2 nodes"), (32, "all-reduce", """
  8589934592    2147483648     float     sum      -1    44952  191.09  370.24      0    44947  191.11  370.28      0
 17179869184    4294967296     float     sum      -1    89839  191.23  370.51      0    89846  191.22  370.48      0
""", "; 4 nodes")):
    nccl_rows("oci-mi355x", g, op, txt, library="RCCL 2.26.6 (recommended by the page)", algo="default",
              source=MI355_SRC, date="2026-03", note=OCI_NOTE + extra)
for g, txt, extra in ((8, """
  8589934592     268435456     float    none      -1    20839  412.20  360.67      0    20893  411.14  359.75    N/A
 17179869184     536870912     float    none      -1    41626  412.72  361.13      0    41546  413.52  361.83    N/A
""", "; single node"), (16, """
  8589934592     134217728     float    none      -1    92988   92.38   86.60      0    92968   92.40   86.62    N/A
 17179869184     268435456     float    none      -1   185711   92.51   86.73      0   185928   92.40   86.63    N/A
""", "; 2 nodes"), (32, """
  8589934592      67108864     float    none      -1   165769   51.82   50.20      0   164522   52.21   50.58    N/A
 17179869184     134217728     float    none      -1   328749   52.26   50.63      0   327875   52.40   50.76    N/A
""", "; 4 nodes")):
    nccl_rows("oci-mi355x", g, "all-to-all", txt, library="RCCL 2.26.6 (recommended by the page)", algo="default",
              source=MI355_SRC, date="2026-03", note=OCI_NOTE + "; out-of-place columns" + extra, which="oop")
# the ConnectX-7 variant page, single node (rccl-tests HEAD:e1b8a3a)
nccl_rows("oci-mi355x", 8, "all-reduce", """
  8589934592    2147483648     float     sum      -1    36956  232.43  406.76      0    36911  232.72  407.26      0
 17179869184    4294967296     float     sum      -1    73913  232.43  406.76      0    73917  232.42  406.73      0
""", library="RCCL (ROCm 7.x, rccl-tests HEAD:e1b8a3a)", algo="default", source=OCI + "amd/MI355X/README-MI355X.md",
          date="2026-01", note=OCI_NOTE + "; single node, ConnectX-7 shape page (second run of the same board type)")
nccl_rows("oci-mi355x", 8, "all-to-all", """
 8589934592     268435456     float    none      -1    20837  412.23  360.71      0    20817  412.64  361.06    N/A
 17179869184     536870912     float    none      -1    41593  413.05  361.41      0    41618  412.80  361.20    N/A
""", library="RCCL (ROCm 7.x, rccl-tests HEAD:e1b8a3a)", algo="default", source=OCI + "amd/MI355X/README-MI355X.md",
          date="2026-01", note=OCI_NOTE + "; out-of-place columns; single node, ConnectX-7 shape page", which="oop")

# ---------------------------------------------------------------- hisohara/ai-scripts (AMD Accelerator Cloud clusters)
HISO = "https://github.com/hisohara/ai-scripts/blob/main/training/01_rccl-smoketest/README.md"
HISO_DATE = "2025-10"
HISO_NOTE = "rccl-tests log in the README (in-place columns); date approximate (README revision 0780bb3, RCCL 2.26.6 era)"
system(id="mi300x-8", name="8x MI300X OAM board (AMD Instinct MI300X platform)", split="fit",
       accelerator="AMD Instinct MI300X (192 GB)", gpus_per_node=8,
       scale_up="xGMI full mesh, 7 links per GPU (64 GB/s raw, ~48 GB/s usable per direction each)",
       scale_out="none (single node)",
       topology_hint="one node: 8 GPUs on an xGMI full mesh; topologies/mi300x-8.toml",
       why_split="fit: the xGMI alpha (31.5 us) and efficiency (0.705) were fitted on this AAC8 ramp (docs/validation.md).",
       notes="Every single-node 8xMI300X measurement goes here, whatever the operator.")
nccl_rows("mi300x-8", 8, "all-reduce", """
           8             2     float     sum      -1    19.28    0.00    0.00      0    17.24    0.00    0.00      0
          16             4     float     sum      -1    16.32    0.00    0.00      0    16.53    0.00    0.00      0
          32             8     float     sum      -1    17.10    0.00    0.00      0    17.33    0.00    0.00      0
          64            16     float     sum      -1    18.59    0.00    0.01      0    20.95    0.00    0.01      0
         128            32     float     sum      -1    23.05    0.01    0.01      0    24.40    0.01    0.01      0
         256            64     float     sum      -1    23.36    0.01    0.02      0    23.14    0.01    0.02      0
         512           128     float     sum      -1    23.21    0.02    0.04      0    23.42    0.02    0.04      0
        1024           256     float     sum      -1    13.67    0.07    0.13      0    14.87    0.07    0.12      0
        2048           512     float     sum      -1    13.67    0.15    0.26      0    13.45    0.15    0.27      0
        4096          1024     float     sum      -1    13.72    0.30    0.52      0    13.33    0.31    0.54      0
        8192          2048     float     sum      -1    13.76    0.60    1.04      0    13.42    0.61    1.07      0
       16384          4096     float     sum      -1    15.47    1.06    1.85      0    14.11    1.16    2.03      0
       32768          8192     float     sum      -1    13.94    2.35    4.11      0    13.59    2.41    4.22      0
       65536         16384     float     sum      -1    14.25    4.60    8.05      0    13.82    4.74    8.30      0
      131072         32768     float     sum      -1    14.60    8.98   15.71      0    15.65    8.38   14.66      0
      262144         65536     float     sum      -1    17.46   15.02   26.28      0    16.88   15.53   27.17      0
      524288        131072     float     sum      -1    27.30   19.20   33.60      0    24.75   21.19   37.08      0
     1048576        262144     float     sum      -1    28.39   36.94   64.64      0    28.04   37.40   65.45      0
     2097152        524288     float     sum      -1    36.68   57.17  100.05      0    35.80   58.57  102.50      0
     4194304       1048576     float     sum      -1    52.96   79.20  138.60      0    54.34   77.18  135.07      0
     8388608       2097152     float     sum      -1    84.78   98.95  173.16      0    87.87   95.46  167.06      0
    16777216       4194304     float     sum      -1    149.9  111.92  195.85      0    156.3  107.33  187.83      0
    33554432       8388608     float     sum      -1    246.3  136.25  238.45      0    258.9  129.59  226.78      0
    67108864      16777216     float     sum      -1    432.5  155.15  271.51      0    443.0  151.49  265.11      0
   134217728      33554432     float     sum      -1    800.3  167.72  293.50      0    808.3  166.04  290.58      0
   268435456      67108864     float     sum      -1   1540.4  174.26  304.96      0   1549.8  173.20  303.10      0
   536870912     134217728     float     sum      -1   3027.1  177.35  310.37      0   3040.1  176.59  309.04      0
  1073741824     268435456     float     sum      -1   5990.7  179.24  313.66      0   5996.4  179.06  313.36      0
  2147483648     536870912     float     sum      -1    11940  179.86  314.75      0    11940  179.86  314.75      0
  4294967296    1073741824     float     sum      -1    23841  180.15  315.26      0    23893  179.76  314.58      0
  8589934592    2147483648     float     sum      -1    47617  180.40  315.69      0    47584  180.52  315.91      0
""", library="RCCL (rccl-tests develop:a7809b3)", algo="default", source=HISO, date=HISO_DATE,
          note=HISO_NOTE + "; AAC8 Kubernetes, single node, mpirun -np 8")

system(id="aac10-mi300x-roce", name="AMD Accelerator Cloud AAC10: 8x MI300X nodes, 8x ConnectX RoCE", split="held_out",
       accelerator="AMD Instinct MI300X (192 GB)", gpus_per_node=8,
       scale_up="xGMI full mesh, 7 links per GPU",
       scale_out="8x NVIDIA ConnectX (mlx5) RoCE NICs per node (NCCL_IB_GID_INDEX=3), link speed not stated (400G class)",
       topology_hint="2 nodes x 8 MI300X, one RoCE NIC per GPU through one Ethernet switch; topologies/mi300x-8.toml x2 + RoCE leaf",
       why_split="held_out: no multi-node MI300X or RoCE result was fitted (xGMI was fitted on one board only).",
       notes="RCCL 2.22.3 / ROCm 6.4.2 printed in the log; full ramp 8 B..16 GiB.")
nccl_rows("aac10-mi300x-roce", 16, "all-reduce", """
           8             2     float     sum      -1    256.5    0.00    0.00      0    254.7    0.00    0.00      0
          16             4     float     sum      -1    218.7    0.00    0.00      0    218.9    0.00    0.00      0
          32             8     float     sum      -1    218.6    0.00    0.00      0    219.3    0.00    0.00      0
          64            16     float     sum      -1    218.8    0.00    0.00      0    219.2    0.00    0.00      0
         128            32     float     sum      -1    219.8    0.00    0.00      0    219.4    0.00    0.00      0
         256            64     float     sum      -1    219.9    0.00    0.00      0    219.7    0.00    0.00      0
         512           128     float     sum      -1    220.8    0.00    0.00      0    221.9    0.00    0.00      0
        1024           256     float     sum      -1    220.8    0.00    0.01      0    221.0    0.00    0.01      0
        2048           512     float     sum      -1    223.6    0.01    0.02      0    223.7    0.01    0.02      0
        4096          1024     float     sum      -1    226.2    0.02    0.03      0    225.6    0.02    0.03      0
        8192          2048     float     sum      -1    240.5    0.03    0.06      0    240.3    0.03    0.06      0
       16384          4096     float     sum      -1    238.8    0.07    0.13      0    239.1    0.07    0.13      0
       32768          8192     float     sum      -1    239.9    0.14    0.26      0    240.0    0.14    0.26      0
       65536         16384     float     sum      -1    241.1    0.27    0.51      0    240.9    0.27    0.51      0
      131072         32768     float     sum      -1    242.9    0.54    1.01      0    242.7    0.54    1.01      0
      262144         65536     float     sum      -1    248.8    1.05    1.98      0    248.0    1.06    1.98      0
      524288        131072     float     sum      -1    305.6    1.72    3.22      0    299.3    1.75    3.28      0
     1048576        262144     float     sum      -1    414.8    2.53    4.74      0    413.6    2.54    4.75      0
     2097152        524288     float     sum      -1    318.6    6.58   12.34      0    313.0    6.70   12.56      0
     4194304       1048576     float     sum      -1    337.9   12.41   23.27      0    339.0   12.37   23.20      0
     8388608       2097152     float     sum      -1    402.2   20.85   39.10      0    402.4   20.84   39.08      0
    16777216       4194304     float     sum      -1    497.3   33.74   63.26      0    502.5   33.39   62.60      0
    33554432       8388608     float     sum      -1    590.3   56.84  106.58      0    596.3   56.27  105.51      0
    67108864      16777216     float     sum      -1    821.9   81.65  153.10      0    826.8   81.16  152.18      0
   134217728      33554432     float     sum      -1   1448.8   92.64  173.70      0   1434.0   93.60  175.49      0
   268435456      67108864     float     sum      -1   1713.4  156.67  293.75      0   1728.4  155.31  291.20      0
   536870912     134217728     float     sum      -1   3096.3  173.39  325.10      0   3113.0  172.46  323.36      0
  1073741824     268435456     float     sum      -1   5908.3  181.74  340.75      0   5918.5  181.42  340.16      0
  2147483648     536870912     float     sum      -1    11574  185.55  347.90      0    11593  185.24  347.32      0
  4294967296    1073741824     float     sum      -1    22788  188.48  353.40      0    22796  188.41  353.26      0
  8589934592    2147483648     float     sum      -1    45224  189.94  356.14      0    45242  189.87  356.00      0
 17179869184    4294967296     float     sum      -1    90115  190.64  357.46      0    90127  190.62  357.41      0
""", library="RCCL 2.22.3", algo="default", source=HISO, date=HISO_DATE,
          note=HISO_NOTE + "; AAC10 Slurm, 2 nodes; small sizes ~220 us suggest a slow (likely host/socket-staged) small-message path")

system(id="aac11-mi325x-thor2", name="AMD Accelerator Cloud AAC11: 8x MI325X nodes, 8x Broadcom Thor2 400G RoCE", split="held_out",
       accelerator="AMD Instinct MI325X (256 GB)", gpus_per_node=8,
       scale_up="xGMI full mesh, 7 links per GPU (same Infinity Fabric generation as MI300X)",
       scale_out="8x Broadcom BCM57608 Thor2 400G RoCE v2 NICs (bnxt_re) per node",
       topology_hint="1, 2, 4, 8 nodes x 8 MI325X, one 400G RoCE NIC per GPU; mi300x-8-like board + RoCE leaf/spine",
       why_split="held_out: MI325X and Broadcom RoCE were never fitted.",
       notes="NCCL_ALGO=Ring forced for every run; only the 4, 8 and 16 GiB rows were printed (egrep in the README). NIC model from the README's NIC names (bnxt_re).")
for g, txt in ((8, """
  4294967296    1073741824     float     sum      -1    23719  181.07  316.88      0    23774  180.66  316.16      0
  8589934592    2147483648     float     sum      -1    47217  181.93  318.37      0    47268  181.73  318.03      0
 17179869184    4294967296     float     sum      -1    94222  182.33  319.08      0    94185  182.40  319.21      0
"""), (16, """
  4294967296    1073741824     float     sum      -1    23192  185.19  347.23      0    23209  185.06  346.99      0
  8589934592    2147483648     float     sum      -1    46123  186.24  349.20      0    46145  186.15  349.03      0
 17179869184    4294967296     float     sum      -1    91973  186.79  350.24      0    91996  186.75  350.15      0
"""), (32, """
  4294967296    1073741824     float     sum      -1    23904  179.68  348.12      0    23914  179.60  347.98      0
  8589934592    2147483648     float     sum      -1    47563  180.60  349.92      0    47624  180.37  349.47      0
 17179869184    4294967296     float     sum      -1    94942  180.95  350.59      0    94968  180.90  350.50      0
"""), (64, """
  4294967296    1073741824     float     sum      -1    24572  174.79  344.13      0    24588  174.68  343.89      0
  8589934592    2147483648     float     sum      -1    48321  177.77  349.98      0    48348  177.67  349.79      0
 17179869184    4294967296     float     sum      -1    96405  178.21  350.84      0    96498  178.03  350.50      0
""")):
    nccl_rows("aac11-mi325x-thor2", g, "all-reduce", txt, library="RCCL (ROCm 6.4.1)", algo="Ring", source=HISO,
              date=HISO_DATE, note=HISO_NOTE + f"; {g // 8} node(s), NCCL_ALGO=Ring")

system(id="aac14-mi355x-pollara", name="AMD Accelerator Cloud AAC14: 8x MI355X nodes, 8x Pollara 400 AI NIC", split="held_out",
       accelerator="AMD Instinct MI355X (288 GB)", gpus_per_node=8,
       scale_up="xGMI full mesh of 8 MI355X",
       scale_out="8x AMD Pensando Pollara 400 (400G Ethernet RoCE, ANP plugin) per node",
       topology_hint="2 nodes x 8 MI355X, one 400G RoCE NIC per GPU; topologies/mi355x-8.toml x2 + RoCE leaf",
       why_split="held_out: MI355X and Pollara were never fitted.",
       notes="RCCL 2.26.6 with AMD ANP plugin, ROCm 7.0.1 printed; full ramp 8 B..8 GiB.")
nccl_rows("aac14-mi355x-pollara", 16, "all-reduce", """
           8             2     float     sum      -1    41.16    0.00    0.00      0    39.80    0.00    0.00      0
          16             4     float     sum      -1    40.09    0.00    0.00      0    39.52    0.00    0.00      0
          32             8     float     sum      -1    39.34    0.00    0.00      0    40.04    0.00    0.00      0
          64            16     float     sum      -1    40.38    0.00    0.00      0    43.36    0.00    0.00      0
         128            32     float     sum      -1    41.41    0.00    0.01      0    41.59    0.00    0.01      0
         256            64     float     sum      -1    43.11    0.01    0.01      0    43.29    0.01    0.01      0
         512           128     float     sum      -1    44.18    0.01    0.02      0    44.31    0.01    0.02      0
        1024           256     float     sum      -1    47.20    0.02    0.04      0    47.28    0.02    0.04      0
        2048           512     float     sum      -1    50.81    0.04    0.08      0    50.82    0.04    0.08      0
        4096          1024     float     sum      -1    55.28    0.07    0.14      0    52.19    0.08    0.15      0
        8192          2048     float     sum      -1    55.27    0.15    0.28      0    53.00    0.15    0.29      0
       16384          4096     float     sum      -1    56.25    0.29    0.55      0    54.10    0.30    0.57      0
       32768          8192     float     sum      -1    56.51    0.58    1.09      0    56.03    0.58    1.10      0
       65536         16384     float     sum      -1    59.17    1.11    2.08      0    59.74    1.10    2.06      0
      131072         32768     float     sum      -1    65.97    1.99    3.73      0    66.40    1.97    3.70      0
      262144         65536     float     sum      -1    67.22    3.90    7.31      0    67.44    3.89    7.29      0
      524288        131072     float     sum      -1    69.78    7.51   14.09      0    68.90    7.61   14.27      0
     1048576        262144     float     sum      -1    81.37   12.89   24.16      0    82.36   12.73   23.87      0
     2097152        524288     float     sum      -1    98.50   21.29   39.92      0    99.08   21.17   39.68      0
     4194304       1048576     float     sum      -1    118.6   35.36   66.30      0    119.5   35.09   65.79      0
     8388608       2097152     float     sum      -1    166.5   50.39   94.49      0    164.6   50.95   95.54      0
    16777216       4194304     float     sum      -1    261.6   64.12  120.23      0    259.3   64.70  121.30      0
    33554432       8388608     float     sum      -1    391.8   85.65  160.59      0    391.4   85.74  160.76      0
    67108864      16777216     float     sum      -1    614.3  109.25  204.84      0    612.6  109.55  205.40      0
   134217728      33554432     float     sum      -1   1041.8  128.84  241.57      0   1043.5  128.63  241.17      0
   268435456      67108864     float     sum      -1   1652.0  162.49  304.67      0   1604.5  167.30  313.68      0
   536870912     134217728     float     sum      -1   2880.5  186.38  349.47      0   2865.4  187.36  351.31      0
  1073741824     268435456     float     sum      -1   5525.0  194.34  364.39      0   5525.8  194.31  364.34      0
  2147483648     536870912     float     sum      -1    10989  195.41  366.40      0    10990  195.41  366.39      0
  4294967296    1073741824     float     sum      -1    21870  196.38  368.22      0    21868  196.41  368.26      0
  8589934592    2147483648     float     sum      -1    43643  196.82  369.04      0    43639  196.84  369.08      0
""", library="RCCL 2.26.6 + AMD ANP", algo="default", source=HISO, date=HISO_DATE,
          note=HISO_NOTE + "; AAC14, 2 nodes, -N 2 (one cycle)")

# ---------------------------------------------------------------- Google Cloud AI Hypercomputer NCCL docs
GCP_NOTE = ("Google Cloud documentation example output ('similar to the following'), in-place columns; "
            "date = page 'last updated' as stored")
GCP_GKE_A4 = "https://docs.cloud.google.com/ai-hypercomputer/docs/nccl/test-gke-custom"
GCP_GKE_A4XMAX = "https://docs.cloud.google.com/ai-hypercomputer/docs/nccl/test-gke-custom-a4x-max"

system(id="gcp-a4-b200", name="Google Cloud A4 (8x B200 HGX), RoCE with GPUDirect RDMA (gIB)", split="held_out",
       accelerator="NVIDIA B200", gpus_per_node=8,
       scale_up="NVLink5 via 2 NVSwitch (HGX B200), 900 GB/s/dir per GPU",
       scale_out="8x ConnectX-7 400G RoCE per node (GPUDirect RDMA, Google gIB NCCL plugin), rail-aligned",
       topology_hint="2 nodes x 8 B200 (16 GPUs), one 400G RoCE NIC per GPU; hgx-b300.toml-like board with NVLink5 + RoCE leaf",
       why_split="held_out: B200 / NVLink5 boards were never fitted.",
       notes="run_nccl_tests.sh -t all_gather -b 1K -e 8G between two nodes; NIC count from the manifest's 8 rdma interfaces.")
nccl_rows("gcp-a4-b200", 16, "all-gather", """
1024 16 float none -1 48.17 0.02 0.02 0 47.21 0.02 0.02 0
2048 32 float none -1 47.23 0.04 0.04 0 47.17 0.04 0.04 0
4096 64 float none -1 47.43 0.09 0.08 0 47.48 0.09 0.08 0
8192 128 float none -1 47.93 0.17 0.16 0 47.98 0.17 0.16 0
16384 256 float none -1 48.90 0.34 0.31 0 48.75 0.34 0.32 0
32768 512 float none -1 50.10 0.65 0.61 0 49.59 0.66 0.62 0
65536 1024 float none -1 51.70 1.27 1.19 0 51.66 1.27 1.19 0
131072 2048 float none -1 52.23 2.51 2.35 0 55.60 2.36 2.21 0
262144 4096 float none -1 53.89 4.86 4.56 0 53.39 4.91 4.60 0
524288 8192 float none -1 56.80 9.23 8.65 0 57.66 9.09 8.52 0
1048576 16384 float none -1 87.85 11.94 11.19 0 88.47 11.85 11.11 0
2097152 32768 float none -1 92.52 22.67 21.25 0 93.22 22.50 21.09 0
4194304 65536 float none -1 97.41 43.06 40.37 0 96.15 43.62 40.90 0
8388608 131072 float none -1 110.0 76.27 71.51 0 110.9 75.66 70.93 0
16777216 262144 float none -1 141.3 118.77 111.35 0 140.7 119.27 111.81 0
33554432 524288 float none -1 203.2 165.14 154.82 0 202.3 165.90 155.53 0
67108864 1048576 float none -1 303.3 221.25 207.42 0 301.9 222.27 208.38 0
134217728 2097152 float none -1 513.2 261.56 245.21 0 509.3 263.56 247.08 0
268435456 4194304 float none -1 842.4 318.64 298.72 0 832.3 322.54 302.38 0
536870912 8388608 float none -1 1511.8 355.12 332.92 0 1502.5 357.31 334.98 0
1073741824 16777216 float none -1 2976.7 360.72 338.17 0 2923.2 367.32 344.36 0
2147483648 33554432 float none -1 5888.9 364.66 341.87 0 5766.2 372.43 349.15 0
4294967296 67108864 float none -1 11722 366.39 343.49 0 11457 374.88 351.45 0
8589934592 134217728 float none -1 23379 367.43 344.46 0 22818 376.45 352.92 0
""", library="NCCL + gIB plugin (version not printed)", algo="default", source=GCP_GKE_A4, date="2026-04",
          note=GCP_NOTE + "; two A4 nodes (16 ranks; count = size/4/16 confirms 16 ranks)")

system(id="gcp-a3-ultra-h200", name="Google Cloud A3 Ultra (8x H200 HGX), RoCE with GPUDirect RDMA (gIB)", split="held_out",
       accelerator="NVIDIA H200 141GB", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU",
       scale_out="8x ConnectX-7 400G RoCE per node (GPUDirect RDMA, gIB plugin), rail-aligned",
       topology_hint="2 nodes x 8 H200 (16 GPUs), one 400G RoCE NIC per GPU; hgx-h100.toml x2 + RoCE leaf",
       why_split="held_out: its intra-node fabric equals the fit H200 board, but no RoCE multi-node cluster was fitted.",
       notes="run_nccl_tests.sh -t all_gather -b 1K -e 8G between two nodes.")
nccl_rows("gcp-a3-ultra-h200", 16, "all-gather", """
1024 16 float none -1 56.00 0.02 0.02 0 55.59 0.02 0.02 0
2048 32 float none -1 55.79 0.04 0.03 0 55.57 0.04 0.03 0
4096 64 float none -1 56.29 0.07 0.07 0 57.35 0.07 0.07 0
8192 128 float none -1 56.44 0.15 0.14 0 56.32 0.15 0.14 0
16384 256 float none -1 57.57 0.28 0.27 0 57.60 0.28 0.27 0
32768 512 float none -1 57.92 0.57 0.53 0 59.35 0.55 0.52 0
65536 1024 float none -1 59.92 1.09 1.03 0 60.15 1.09 1.02 0
131072 2048 float none -1 59.21 2.21 2.08 0 61.82 2.12 1.99 0
262144 4096 float none -1 63.58 4.12 3.87 0 63.34 4.14 3.88 0
524288 8192 float none -1 64.89 8.08 7.57 0 65.09 8.06 7.55 0
1048576 16384 float none -1 80.90 12.96 12.15 0 77.49 13.53 12.69 0
2097152 32768 float none -1 80.22 26.14 24.51 0 79.88 26.25 24.61 0
4194304 65536 float none -1 82.86 50.62 47.45 0 82.47 50.86 47.68 0
8388608 131072 float none -1 95.83 87.53 82.06 0 93.27 89.94 84.32 0
16777216 262144 float none -1 122.8 136.58 128.04 0 121.7 137.86 129.24 0
33554432 524288 float none -1 180.6 185.75 174.14 0 179.2 187.19 175.49 0
67108864 1048576 float none -1 279.7 239.90 224.90 0 277.0 242.26 227.12 0
134217728 2097152 float none -1 507.5 264.46 247.93 0 485.1 276.66 259.37 0
268435456 4194304 float none -1 866.3 309.88 290.51 0 864.0 310.70 291.28 0
536870912 8388608 float none -1 1576.1 340.62 319.33 0 1558.2 344.54 323.01 0
1073741824 16777216 float none -1 3096.6 346.75 325.08 0 3047.5 352.33 330.31 0
2147483648 33554432 float none -1 6148.0 349.30 327.47 0 6034.3 355.88 333.64 0
4294967296 67108864 float none -1 12226 351.29 329.33 0 12000 357.92 335.55 0
8589934592 134217728 float none -1 24391 352.17 330.16 0 23920 359.11 336.67 0
""", library="NCCL + gIB plugin (version not printed)", algo="default", source=GCP_GKE_A4, date="2026-04",
          note=GCP_NOTE + "; two A3 Ultra nodes (16 ranks)")

system(id="gcp-a4x-max-gb300", name="Google Cloud A4X Max (GB300 NVL72 racks, 4 GPUs per VM), RDMA between NVLink domains", split="held_out",
       accelerator="NVIDIA GB300", gpus_per_node=4,
       scale_up="NVLink5 NVL72 (72 GPUs per NVLink domain)",
       scale_out="ConnectX-8 RDMA (GPUDirect RDMA, gIB plugin) between NVLink domains",
       topology_hint="2 trays x 4 GB300 in DIFFERENT NVLink domains (8 GPUs), so all traffic between the two trays crosses RDMA NICs; gb300-nvl72.toml with 2 racks",
       why_split="held_out: GB300 and ConnectX-8 RDMA were never fitted.",
       notes="The page states the two pods were in distinct NVLink domains for the shown output (cross-domain RDMA throughput). NCCL 2.28.9 headers / library 22809 = 2.28.9.")
nccl_rows("gcp-a4x-max-gb300", 8, "all-gather", """
4096 128 float none -1 28.51 0.14 0.13 0 27.71 0.15 0.13 0
8192 256 float none -1 28.10 0.29 0.26 0 28.40 0.29 0.25 0
16384 512 float none -1 28.55 0.57 0.50 0 28.19 0.58 0.51 0
32768 1024 float none -1 30.56 1.07 0.94 0 29.65 1.11 0.97 0
65536 2048 float none -1 33.30 1.97 1.72 0 33.14 1.98 1.73 0
131072 4096 float none -1 36.18 3.62 3.17 0 36.14 3.63 3.17 0
262144 8192 float none -1 38.50 6.81 5.96 0 94.91 2.76 2.42 0
524288 16384 float none -1 152.25 3.44 3.01 0 54.79 9.57 8.37 0
1048576 32768 float none -1 63.82 16.43 14.38 0 64.06 16.37 14.32 0
2097152 65536 float none -1 65.10 32.21 28.19 0 66.13 31.71 27.75 0
4194304 131072 float none -1 67.73 61.92 54.18 0 67.16 62.45 54.65 0
8388608 262144 float none -1 79.65 105.31 92.15 0 80.02 104.83 91.73 0
16777216 524288 float none -1 189.74 88.42 77.37 0 187.57 89.44 78.26 0
33554432 1048576 float none -1 252.85 132.70 116.11 0 202.31 165.86 145.13 0
67108864 2097152 float none -1 250.55 267.85 234.37 0 276.11 243.06 212.67 0
134217728 4194304 float none -1 394.38 340.33 297.79 0 487.60 275.26 240.85 0
268435456 8388608 float none -1 717.97 373.88 327.15 0 799.98 335.55 293.61 0
536870912 16777216 float none -1 1421.29 377.73 330.52 0 1392.81 385.46 337.28 0
1073741824 33554432 float none -1 2783.37 385.77 337.55 0 2596.97 413.46 361.78 0
2147483648 67108864 float none -1 5396.10 397.97 348.22 0 5059.01 424.49 371.43 0
4294967296 134217728 float none -1 10579.7 405.96 355.22 0 9918.44 433.03 378.90 0
8589934592 268435456 float none -1 21012.9 408.79 357.69 0 20043.4 428.57 375.00 0
17179869184 536870912 float none -1 42091.7 408.15 357.13 0 40243.2 426.90 373.54 0
""", library="NCCL 2.28.9 + gIB plugin", algo="default", source=GCP_GKE_A4XMAX, date="2026-04-06",
          note=GCP_NOTE + "; two A4X Max VMs in distinct NVLink domains (8 ranks); noisy mid sizes as printed")

system(id="gcp-a4x-gb200", name="Google Cloud A4X (GB200 NVL72, 4 GPUs per VM)", split="held_out",
       accelerator="NVIDIA GB200", gpus_per_node=4,
       scale_up="NVLink5 NVL72 (MNNVL through IMEX / ComputeDomain), 900 GB/s/dir per GPU",
       scale_out="4x ConnectX-7 400G RDMA per VM (gIB plugin); not on the path of these in-domain runs",
       topology_hint="8 GPUs (2 trays) and 32 GPUs (8 trays) inside one NVLink domain; topologies/gb200-nvl72.toml subsets",
       why_split="held_out: GB200 never fitted.",
       notes="World sizes inferred from the count column (all_gather count = size/4/nranks): 8 ranks for the two-node test, 32 ranks for the TAS JobSet test.")
GCP_GKE_A4X = "https://docs.cloud.google.com/ai-hypercomputer/docs/nccl/test-gke-custom-a4x"
nccl_rows("gcp-a4x-gb200", 8, "all-gather", """
1024 32 float none -1 21.20 0.05 0.04 0 20.56 0.05 0.04 0
2048 64 float none -1 21.03 0.10 0.09 0 20.82 0.10 0.09 0
4096 128 float none -1 21.11 0.19 0.17 0 20.98 0.20 0.17 0
8192 256 float none -1 21.51 0.38 0.33 0 21.15 0.39 0.34 0
16384 512 float none -1 21.85 0.75 0.66 0 21.72 0.75 0.66 0
32768 1024 float none -1 24.08 1.36 1.19 0 23.73 1.38 1.21 0
65536 2048 float none -1 24.68 2.66 2.32 0 24.02 2.73 2.39 0
131072 4096 float none -1 24.93 5.26 4.60 0 24.30 5.40 4.72 0
262144 8192 float none -1 24.86 10.55 9.23 0 24.33 10.78 9.43 0
524288 16384 float none -1 25.10 20.89 18.28 0 24.48 21.41 18.74 0
1048576 32768 float none -1 25.43 41.24 36.09 0 24.82 42.25 36.97 0
2097152 65536 float none -1 32.30 64.93 56.81 0 31.28 67.04 58.66 0
4194304 131072 float none -1 45.92 91.34 79.92 0 44.22 94.84 82.99 0
8388608 262144 float none -1 71.38 117.52 102.83 0 68.98 121.61 106.41 0
16777216 524288 float none -1 74.17 226.20 197.93 0 72.37 231.83 202.85 0
33554432 1048576 float none -1 116.6 287.84 251.86 0 112.7 297.75 260.54 0
67108864 2097152 float none -1 188.9 355.27 310.86 0 184.0 364.71 319.12 0
134217728 4194304 float none -1 309.6 433.56 379.36 0 299.7 447.83 391.85 0
268435456 8388608 float none -1 559.0 480.23 420.20 0 540.3 496.85 434.75 0
536870912 16777216 float none -1 1053.7 509.52 445.83 0 1021.4 525.64 459.93 0
1073741824 33554432 float none -1 2087.4 514.39 450.10 0 2013.8 533.19 466.54 0
2147483648 67108864 float none -1 4154.7 516.88 452.27 0 3987.4 538.57 471.25 0
4294967296 134217728 float none -1 8289.2 518.14 453.37 0 7907.4 543.16 475.26 0
8589934592 268435456 float none -1 16556 518.85 453.99 0 15726 546.24 477.96 0
""", library="NCCL + gIB plugin (version not printed)", algo="default", source=GCP_GKE_A4X, date="2026-04-06",
          note=GCP_NOTE + "; two A4X VMs with IMEX (same NVLink domain), 8 ranks")
nccl_rows("gcp-a4x-gb200", 32, "all-gather", """
1024 8 float none -1 56.72 0.02 0.02 0 56.12 0.02 0.02 0
2048 16 float none -1 56.85 0.04 0.03 0 56.87 0.04 0.03 0
4096 32 float none -1 57.53 0.07 0.07 0 57.47 0.07 0.07 0
8192 64 float none -1 58.43 0.14 0.14 0 58.27 0.14 0.14 0
16384 128 float none -1 59.29 0.28 0.27 0 58.87 0.28 0.27 0
32768 256 float none -1 60.02 0.55 0.53 0 59.60 0.55 0.53 0
65536 512 float none -1 61.83 1.06 1.03 0 61.64 1.06 1.03 0
131072 1024 float none -1 70.99 1.85 1.79 0 70.82 1.85 1.79 0
262144 2048 float none -1 71.56 3.66 3.55 0 71.07 3.69 3.57 0
524288 4096 float none -1 72.62 7.22 6.99 0 71.90 7.29 7.06 0
1048576 8192 float none -1 72.80 14.40 13.95 0 72.31 14.50 14.05 0
2097152 16384 float none -1 73.40 28.57 27.68 0 72.96 28.74 27.85 0
4194304 32768 float none -1 73.86 56.78 55.01 0 73.44 57.12 55.33 0
8388608 65536 float none -1 102.5 81.86 79.30 0 101.4 82.69 80.11 0
16777216 131072 float none -1 158.3 105.97 102.66 0 156.8 107.02 103.68 0
33554432 262144 float none -1 158.4 211.89 205.26 0 157.5 212.99 206.33 0
67108864 524288 float none -1 250.7 267.68 259.32 0 248.7 269.81 261.38 0
134217728 1048576 float none -1 417.7 321.29 311.25 0 414.1 324.13 314.01 0
268435456 2097152 float none -1 728.8 368.32 356.81 0 721.5 372.08 360.45 0
536870912 4194304 float none -1 1226.5 437.72 424.04 0 1216.1 441.46 427.66 0
1073741824 8388608 float none -1 2268.4 473.35 458.56 0 2247.0 477.86 462.93 0
2147483648 16777216 float none -1 4330.6 495.88 480.39 0 4291.6 500.39 484.76 0
4294967296 33554432 float none -1 8640.9 497.05 481.52 0 8544.0 502.69 486.98 0
8589934592 67108864 float none -1 17258 497.75 482.19 0 17052 503.75 488.00 0
""", library="NCCL + gIB plugin (version not printed)", algo="default", source=GCP_GKE_A4X, date="2026-04-06",
          note=GCP_NOTE + "; TAS JobSet inside one NVLink sub-block, 32 ranks inferred from count column (node count is a placeholder on the page)")
nccl_rows("gcp-a4-b200", 16, "all-gather", """
4096 64 float none -1 59.97 0.07 0.06 0 57.49 0.07 0.07 0
8192 128 float none -1 58.17 0.14 0.13 0 58.36 0.14 0.13 0
16384 256 float none -1 59.07 0.28 0.26 0 59.03 0.28 0.26 0
32768 512 float none -1 60.93 0.54 0.50 0 60.79 0.54 0.51 0
65536 1024 float none -1 61.93 1.06 0.99 0 62.17 1.05 0.99 0
131072 2048 float none -1 64.62 2.03 1.90 0 64.48 2.03 1.91 0
262144 4096 float none -1 66.50 3.94 3.70 0 67.05 3.91 3.67 0
524288 8192 float none -1 69.37 7.56 7.09 0 67.83 7.73 7.25 0
1048576 16384 float none -1 117.2 8.95 8.39 0 113.7 9.22 8.64 0
2097152 32768 float none -1 118.8 17.65 16.55 0 118.1 17.75 16.64 0
4194304 65536 float none -1 122.2 34.32 32.17 0 122.6 34.22 32.08 0
8388608 131072 float none -1 132.2 63.44 59.48 0 130.7 64.20 60.18 0
16777216 262144 float none -1 139.2 120.49 112.96 0 139.7 120.07 112.56 0
33554432 524288 float none -1 152.0 220.81 207.01 0 152.1 220.59 206.81 0
67108864 1048576 float none -1 227.6 294.87 276.44 0 225.9 297.08 278.51 0
134217728 2097152 float none -1 431.7 310.87 291.44 0 438.0 306.41 287.26 0
268435456 4194304 float none -1 728.6 368.44 345.41 0 735.9 364.79 341.99 0
536870912 8388608 float none -1 1404.2 382.33 358.44 0 1418.4 378.51 354.85 0
1073741824 16777216 float none -1 2795.8 384.06 360.05 0 2768.9 387.79 363.55 0
2147483648 33554432 float none -1 5440.1 394.75 370.08 0 5418.7 396.31 371.54 0
4294967296 67108864 float none -1 10754 399.40 374.43 0 10746 399.67 374.69 0
8589934592 134217728 float none -1 21434 400.77 375.72 0 21421 401.01 375.95 0
17179869184 268435456 float none -1 42679 402.53 377.38 0 42792 401.48 376.38 0
""", library="NCCL 2.25.1 + gIB plugin", algo="default", source="https://docs.cloud.google.com/ai-hypercomputer/docs/nccl/test-vms",
          date="2026-04-06", note=GCP_NOTE + "; 'Run NCCL on Compute Engine instances' page, two A4 VMs, run_nccl_tests.sh -m 0x0 (world level); page URL as linked from other GCP pages")

# ---------------------------------------------------------------- GCP A3 Mega (user log in a public repo)
system(id="gcp-a3-mega-h100", name="Google Cloud A3 Mega (8x H100 HGX), GPUDirect-TCPXO", split="held_out",
       accelerator="NVIDIA H100 80GB HBM3", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU",
       scale_out="8x 200G NICs per VM (1.6 Tb/s) with GPUDirect-TCPXO (TCP-based device-direct transport), Google data-center Ethernet",
       topology_hint="2 VMs x 8 H100 (16 GPUs), 200G per GPU over an Ethernet/TCP transport; hgx-h100.toml x2 + 200G Ethernet links with a lower efficiency",
       why_split="held_out: TCPXO transport was never modelled or fitted.",
       notes="Public user log; the repository name says A3 Mega; NCCL version not printed. Small messages cost ~123 us (TCPXO latency).")
nccl_rows("gcp-a3-mega-h100", 16, "all-reduce", """
           8             2     float     sum      -1    135.8    0.00    0.00      0    123.5    0.00    0.00      0
          16             4     float     sum      -1    123.2    0.00    0.00      0    122.3    0.00    0.00      0
          32             8     float     sum      -1    123.3    0.00    0.00      0    122.7    0.00    0.00      0
          64            16     float     sum      -1    123.4    0.00    0.00      0    122.9    0.00    0.00      0
         128            32     float     sum      -1    123.0    0.00    0.00      0    122.7    0.00    0.00      0
         256            64     float     sum      -1    123.6    0.00    0.00      0    122.7    0.00    0.00      0
         512           128     float     sum      -1    126.6    0.00    0.01      0    123.4    0.00    0.01      0
        1024           256     float     sum      -1    147.1    0.01    0.01      0    123.1    0.01    0.02      0
        2048           512     float     sum      -1    125.8    0.02    0.03      0    124.6    0.02    0.03      0
        4096          1024     float     sum      -1    126.9    0.03    0.06      0    125.6    0.03    0.06      0
        8192          2048     float     sum      -1    131.6    0.06    0.12      0    130.6    0.06    0.12      0
       16384          4096     float     sum      -1    138.6    0.12    0.22      0    137.6    0.12    0.22      0
       32768          8192     float     sum      -1    155.2    0.21    0.40      0    153.1    0.21    0.40      0
       65536         16384     float     sum      -1    159.4    0.41    0.77      0    157.6    0.42    0.78      0
      131072         32768     float     sum      -1    159.3    0.82    1.54      0    169.0    0.78    1.45      0
      262144         65536     float     sum      -1    167.1    1.57    2.94      0    163.9    1.60    3.00      0
      524288        131072     float     sum      -1    174.2    3.01    5.64      0    171.0    3.07    5.75      0
     1048576        262144     float     sum      -1    203.2    5.16    9.68      0    207.2    5.06    9.49      0
     2097152        524288     float     sum      -1    254.0    8.26   15.48      0    252.9    8.29   15.55      0
     4194304       1048576     float     sum      -1    364.6   11.50   21.57      0    356.6   11.76   22.05      0
     8388608       2097152     float     sum      -1    571.9   14.67   27.50      0    563.5   14.89   27.91      0
    16777216       4194304     float     sum      -1    977.6   17.16   32.18      0    951.6   17.63   33.06      0
    33554432       8388608     float     sum      -1   1059.9   31.66   59.36      0   1054.0   31.84   59.69      0
    67108864      16777216     float     sum      -1   1261.6   53.20   99.74      0   1270.2   52.83   99.06      0
   134217728      33554432     float     sum      -1   1652.2   81.24  152.32      0   1636.7   82.01  153.76      0
   268435456      67108864     float     sum      -1   2360.9  113.70  213.19      0   2359.9  113.75  213.28      0
   536870912     134217728     float     sum      -1   3817.5  140.63  263.69      0   3828.0  140.25  262.97      0
  1073741824     268435456     float     sum      -1   6759.0  158.86  297.86      0   6737.4  159.37  298.82      0
  2147483648     536870912     float     sum      -1    12646  169.81  318.40      0    12641  169.88  318.52      0
  4294967296    1073741824     float     sum      -1    24361  176.31  330.58      0    24365  176.27  330.51      0
  8589934592    2147483648     float     sum      -1    47535  180.71  338.82      0    47743  179.92  337.35      0
""", library="unknown (NCCL with TCPXO plugin)", algo="default",
          source="https://github.com/lessizzmore/create-a3mega-ztan-fork/blob/02dd8f455c43ced1cf442ef29334bda97149264b/ztan-NCCL-test-result",
          date="2024", note="user log in a public repository (in-place columns); date unknown (2024 assumed from the A3 Mega/TCPXO era)")

# ---------------------------------------------------------------- NVIDIA/nccl issue excerpts (small-message latency rows)
system(id="a100-hdr-256", name="32-node 8xA100-SXM4 cluster, 4x HDR 200G InfiniBand per node", split="held_out",
       accelerator="NVIDIA A100-SXM4", gpus_per_node=8,
       scale_up="NVLink3 via 6 NVSwitch2, 300 GB/s/dir per GPU",
       scale_out="4x ConnectX-6 HDR 200G InfiniBand per node (100 GB/s per node)",
       topology_hint="32 nodes x 8 A100 (256 GPUs), 4 HDR NICs per node (one per 2 GPUs), IB fat tree; hgx-a100.toml x32 + 200G IB",
       why_split="held_out: no A100 multi-node or HDR IB result was fitted.",
       notes="Only the first rows of the issue's table are visible in the stored copy; they are small-message latencies (NCCL 2.11-2.12 era).")
nccl_rows("a100-hdr-256", 256, "all-reduce", """
           4             1     float     sum    70.95    0.00    0.00  5e-07    68.99    0.00    0.00  5e-07
           8             2     float     sum    62.99    0.00    0.00  5e-07    62.03    0.00    0.00  5e-07
          16             4     float     sum    62.85    0.00    0.00  1e-06    65.57    0.00    0.00  1e-06
          32             8     float     sum    65.46    0.00    0.00  1e-06    62.69    0.00    0.00  1e-06
          64            16     float     sum    63.54    0.00    0.00  2e-06    63.97    0.00    0.00  2e-06
         128            32     float     sum    63.94    0.00    0.00  2e-06    62.39    0.00    0.00  2e-06
""", library="unknown (2022)", algo="default", source="https://github.com/NVIDIA/nccl/issues/652", date="2022-03-18",
          note="issue description table, first rows only (rest not read); in-place time; busbw 0.00 at these sizes as printed")

system(id="h20-ndr-16", name="2 nodes x 8 H20 (HGX H20), 8x ConnectX-7 NDR 400G InfiniBand per node", split="held_out",
       accelerator="NVIDIA H20 (96 GB)", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3 (NV18, 450 GB/s/dir per GPU), NVLink SHARP",
       scale_out="8x ConnectX-7 NDR 400G InfiniBand per node (16 NICs for 16 GPUs)",
       topology_hint="2 nodes x 8 H20 with NVLS + IB (NVLSTree); hgx-h100.toml x2 + NDR IB leaf",
       why_split="held_out: H20 boards and NVLSTree across IB were never fitted (shares NVLink4 with the fit H100/H200 boards).",
       notes="NCCL 2.21.5 + CUDA 12.3, NCCL_ALGO=NVLSTree; only the first rows of the pasted table are visible in the stored copy.")
nccl_rows("h20-ndr-16", 16, "all-reduce", """
           4             1     float     sum    47.54    0.00    0.00  0e+00    49.35    0.00    0.00  4e-07
           8             2     float     sum    47.60    0.00    0.00  2e-07    47.54    0.00    0.00  2e-07
          16             4     float     sum    46.25    0.00    0.00  1e-07    46.27    0.00    0.00  1e-07
          32             8     float     sum    46.35    0.00    0.00  2e-07    46.28    0.00    0.00  2e-07
          64            16     float     sum    46.30    0.00    0.00  1e-07    46.29    0.00    0.00  2e-07
         128            32     float     sum    47.76    0.00    0.01  6e-08    46.52    0.00    0.01  6e-08
         256            64     float     sum    46.65    0.01    0.01  1e-07    46.73    0.01    0.01  6e-08
         512           128     float     sum    46.58    0.01    0.02  6e-08    46.42    0.01    0.02  6e-08
""", library="NCCL 2.21.5", algo="NVLSTree", source="https://github.com/NVIDIA/nccl/issues/1244", date="2024-04-09",
          note="comment table (NCCL_ALGO=NVLSTree), first rows only; in-place time")

system(id="aws-p4dn-a100-efa", name="AWS p4dn.24xlarge (8x A100 40GB), 4x 100G EFA per instance", split="held_out",
       accelerator="NVIDIA A100-SXM4-40GB", gpus_per_node=8,
       scale_up="NVLink3 via 6 NVSwitch2, 300 GB/s/dir per GPU",
       scale_out="4x 100 Gb/s EFA (SRD over AWS Ethernet) per instance, aws-ofi-nccl plugin",
       topology_hint="2, 3, 4 instances x 8 A100, 400 Gb/s per instance over EFA; hgx-a100.toml xN + 100G Ethernet-class links",
       why_split="held_out: EFA was never fitted.",
       notes="Issue titled 'Slow bus bandwidth w/ nccl 2.9.9 on EC2 instances': the reporter considered these low; NCCL_COLLNET_ENABLE=1 set. The 1-instance row belongs to hgx-a100-8.")
for g, row in ((16, "2   1073741824     268435456     float     sum    35215   30.49   57.17  4e-07    35198   30.51   57.20  4e-07"),
               (24, "3   1073741824     268435456     float     sum    64782   16.57   31.77  7e-07    64827   16.56   31.75  7e-07"),
               (32, "4   1073741824     268435456     float     sum    70253   15.28   29.61  1e-06    70207   15.29   29.63  1e-06")):
    nccl_rows("aws-p4dn-a100-efa", g, "all-reduce", row.split(None, 1)[1], library="NCCL 2.9.9", algo="default",
              source="https://github.com/NVIDIA/nccl/issues/527", date="2022-07-25",
              note=f"comment table, row for {g // 8} p4dn instances; in-place columns; performance disputed in the thread")
nccl_rows("hgx-a100-8", 8, "all-reduce",
          "1073741824     268435456     float     sum   8142.6  131.87  230.77  2e-07   8141.2  131.89  230.81  2e-07",
          library="NCCL 2.9.9", algo="default", source="https://github.com/NVIDIA/nccl/issues/527", date="2022-07-25",
          note="1-instance row (AWS p4dn.24xlarge, A100 40GB) of the comment table; in-place columns")

system(id="h100-roce-2node-nccl2409", name="2 nodes x 8 H100 SXM, 8x ConnectX-7 400G RoCEv2 per node (NVIDIA/nccl#2409)", split="held_out",
       accelerator="NVIDIA H100 80GB HBM3 (SXM)", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU",
       scale_out="8x ConnectX-7 400 Gb/s RoCEv2 per node, GPU i <-> NIC i on the same PCIe switch (PIX)",
       topology_hint="2 nodes x 8 H100 with one 400G RoCE NIC per GPU, one rail per NIC; hgx-h100.toml x2 + RoCE",
       why_split="held_out: a RoCE H100 pair not used for fitting; the reporter considers it under-performing, which makes it a useful outlier check.",
       notes="NCCL 2.31.2 (also 2.29.7); the issue reports ~13 GB/s per GPU-GPU connection and asks whether this is expected; values are the summary table's rounded figures.")
for op, size, bb, extra in (("all-reduce", 1 << 30, 216.5, "16 ranks x 8 rails, 1 GiB"),
                            ("all-reduce", 8 << 30, 231.0, "16 ranks x 8 rails, 8 GiB"),
                            ("all-gather", 256 << 20, 101.0, "'~101 GB/s' at 256 MiB"),
                            ("reduce-scatter", 256 << 20, 100.0, "'~100 GB/s' at 256 MiB"),
                            ("all-to-all", 256 << 20, 25.0, "'~25 GB/s' at 256 MiB")):
    point(system="h100-roce-2node-nccl2409", gpus=16, op=op, size_bytes=size, busbw_gbps=bb, library="NCCL 2.31.2",
          algo="default", source="https://github.com/NVIDIA/nccl/issues/2409", source_date="2026-09-14",
          note="summary table of the issue description (" + extra + "); reported as lower than expected; in-place/out-of-place not stated")
point(system="h100-roce-2node-nccl2409", gpus=2, op="sendrecv", size_bytes=1 << 30, busbw_gbps=13.1, library="NCCL 2.31.2",
      algo="default", source="https://github.com/NVIDIA/nccl/issues/2409", source_date="2026-09-14",
      note="sendrecv_perf, 2 ranks on one rail, 1 GiB: '13.1 GB/s (send 6.99 + recv 6.99)' as written in the issue")

system(id="h100-roce-256-nccl1218", name="32 nodes x 8 H100, 8x ConnectX NICs per node (RoCE, GID index 3)", split="held_out",
       accelerator="NVIDIA H100", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU",
       scale_out="8 mlx5 NICs per node used by NCCL with NCCL_IB_GID_INDEX=3 (RoCEv2); link speed not stated",
       topology_hint="32 nodes x 8 H100 (256 GPUs), one RoCE NIC per GPU, 16 channels forced",
       why_split="held_out: a 256-GPU RoCE all-gather that no parameter was fitted to.",
       notes="NCCL_MIN/MAX_NCHANNELS=16 forced; all_gather_perf -b 2G -e 2G -c 0 -n 1 (one iteration); value from the issue title.")
point(system="h100-roce-256-nccl1218", gpus=256, op="all-gather", size_bytes=2 << 30, busbw_gbps=200.0, library="unknown (2024-03)",
      algo="default", source="https://github.com/NVIDIA/nccl/issues/1218", source_date="2024-03-12",
      note="'only achieves 200GBps' in the issue title for a 2G message on 256 GPUs; approximate, single iteration (-n 1)")

system(id="h200-ib-1984", name="248 nodes x 8 H200, 8 HCAs per node (NVIDIA/nccl-tests#283)", split="fit",
       accelerator="NVIDIA H200", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU",
       scale_out="8 mlx5 HCAs per node (NCCL_IB_HCA mlx5_1..8), InfiniBand-class RDMA; fabric and tiers not stated",
       topology_hint="248 nodes x 8 H200 (1984 GPUs), one 400G-class NIC per GPU, multi-tier fat tree; topologies/h100-1024node-3tier.toml-like",
       why_split="fit: listed in shared/reference/calibration.md as a calibration measurement (multi-node scale-out section), so it is not an independent check.",
       notes="all_reduce_perf at 512 MiB only, default algorithm, many iterations; busbw 'typically around 350G, occasionally below 300G'.")
point(system="h200-ib-1984", gpus=1984, op="all-reduce", size_bytes=512 << 20, busbw_gbps=350.0, library="unknown (2025-01)",
      algo="default", source="https://github.com/NVIDIA/nccl-tests/issues/283", source_date="2025-01-18",
      note="'typically measuring around 350G, but occasionally dropping below 300G' (issue text); approximate typical value, no table")

# ---------------------------------------------------------------- ROCm blog: RCCL bandwidth and xGMI on MI300X
ROCM_BLOG = "https://github.com/ROCm/rocm-blogs/blob/main/blogs/software-tools-optimization/mi300x-rccl-xgmi/README.md"
nccl_rows("mi300x-8", 8, "all-reduce", """
           8             2     float     sum      -1    16.61    0.00    0.00      0    16.53    0.00    0.00      0
          16             4     float     sum      -1    16.12    0.00    0.00      0    15.94    0.00    0.00      0
          32             8     float     sum      -1    16.56    0.00    0.00      0    16.68    0.00    0.00      0
          64            16     float     sum      -1    17.94    0.00    0.01      0    18.36    0.00    0.01      0
         128            32     float     sum      -1    22.94    0.01    0.01      0    22.78    0.01    0.01      0
         256            64     float     sum      -1    22.93    0.01    0.02      0    22.85    0.01    0.02      0
         512           128     float     sum      -1    22.91    0.02    0.04      0    23.20    0.02    0.04      0
        1024           256     float     sum      -1    13.11    0.08    0.14      0    12.79    0.08    0.14      0
        2048           512     float     sum      -1    13.09    0.16    0.27      0    12.96    0.16    0.28      0
        4096          1024     float     sum      -1    13.27    0.31    0.54      0    12.71    0.32    0.56      0
        8192          2048     float     sum      -1    13.30    0.62    1.08      0    12.89    0.64    1.11      0
       16384          4096     float     sum      -1    13.54    1.21    2.12      0    13.01    1.26    2.20      0
       32768          8192     float     sum      -1    13.31    2.46    4.31      0    13.10    2.50    4.38      0
       65536         16384     float     sum      -1    13.77    4.76    8.33      0    13.38    4.90    8.57      0
      131072         32768     float     sum      -1    14.14    9.27   16.22      0    13.77    9.52   16.66      0
      262144         65536     float     sum      -1    16.87   15.54   27.20      0    16.55   15.84   27.72      0
      524288        131072     float     sum      -1    24.41   21.48   37.59      0    23.88   21.95   38.42      0
     1048576        262144     float     sum      -1    27.42   38.25   66.93      0    27.13   38.65   67.64      0
     2097152        524288     float     sum      -1    34.81   60.25  105.43      0    34.84   60.20  105.35      0
     4194304       1048576     float     sum      -1    51.72   81.09  141.91      0    129.0   32.52   56.92      0
     8388608       2097152     float     sum      -1    83.68  100.24  175.43      0    86.67   96.78  169.37      0
    16777216       4194304     float     sum      -1    148.8  112.72  197.26      0    155.6  107.81  188.66      0
    33554432       8388608     float     sum      -1    244.1  137.47  240.57      0    256.0  131.07  229.38      0
    67108864      16777216     float     sum      -1    429.1  156.38  273.66      0    440.6  152.30  266.52      0
   134217728      33554432     float     sum      -1    797.4  168.32  294.55      0    805.8  166.56  291.48      0
   268435456      67108864     float     sum      -1   1537.1  174.64  305.62      0   1546.0  173.63  303.85      0
   536870912     134217728     float     sum      -1   3026.2  177.41  310.46      0   3034.2  176.94  309.64      0
  1073741824     268435456     float     sum      -1   5970.6  179.84  314.72      0   5974.5  179.72  314.51      0
  2147483648     536870912     float     sum      -1    11891  180.59  316.04      0    11895  180.54  315.94      0
  4294967296    1073741824     float     sum      -1    23680  181.37  317.40      0    23769  180.69  316.21      0
  8589934592    2147483648     float     sum      -1    47278  181.69  317.96      0    47323  181.52  317.66      0
 17179869184    4294967296     float     sum      -1    94254  182.27  318.98      0    94328  182.13  318.73      0
""", library="RCCL 2.22.3", algo="default", source=ROCM_BLOG, date="2025-03-02",
          note="AMD ROCm blog 'Understanding RCCL Bandwidth and xGMI Performance on AMD Instinct MI300X', rccl-tests without graph mode; in-place columns (the in-place 4 MiB row is an outlier as printed)")
nccl_rows("mi300x-8", 8, "all-reduce", """
           8             2     float     sum      -1    16.38    0.00    0.00      0    16.29    0.00    0.00      0
          16             4     float     sum      -1    15.75    0.00    0.00      0    15.79    0.00    0.00      0
          32             8     float     sum      -1     6.32    0.01    0.01      0     6.17    0.01    0.01      0
          64            16     float     sum      -1     6.00    0.01    0.02      0     6.51    0.01    0.02      0
         128            32     float     sum      -1     6.53    0.02    0.03      0     6.20    0.02    0.04      0
         256            64     float     sum      -1     6.77    0.04    0.07      0     7.18    0.04    0.06      0
         512           128     float     sum      -1     7.44    0.07    0.12      0     7.84    0.07    0.11      0
        1024           256     float     sum      -1     7.47    0.14    0.24      0     7.76    0.13    0.23      0
        2048           512     float     sum      -1     7.46    0.27    0.48      0     7.54    0.27    0.48      0
        4096          1024     float     sum      -1     7.61    0.54    0.94      0     7.61    0.54    0.94      0
        8192          2048     float     sum      -1     7.64    1.07    1.88      0     8.10    1.01    1.77      0
       16384          4096     float     sum      -1     8.71    1.88    3.29      0     8.10    2.02    3.54      0
       32768          8192     float     sum      -1     9.05    3.62    6.33      0     8.79    3.73    6.52      0
       65536         16384     float     sum      -1     9.14    7.17   12.54      0     9.14    7.17   12.54      0
      131072         32768     float     sum      -1     9.51   13.78   24.12      0     9.53   13.75   24.06      0
      262144         65536     float     sum      -1    10.26   25.54   44.69      0    10.32   25.39   44.43      0
      524288        131072     float     sum      -1    14.26   36.75   64.32      0    14.64   35.81   62.66      0
     1048576        262144     float     sum      -1    19.40   54.06   94.61      0    19.72   53.18   93.06      0
     2097152        524288     float     sum      -1    35.03   59.86  104.76      0    34.83   60.20  105.35      0
     4194304       1048576     float     sum      -1    51.83   80.93  141.62      0    52.99   79.15  138.52      0
     8388608       2097152     float     sum      -1    83.74  100.17  175.30      0    86.66   96.80  169.41      0
    16777216       4194304     float     sum      -1    149.1  112.55  196.96      0    156.3  107.32  187.81      0
    33554432       8388608     float     sum      -1    243.4  137.85  241.23      0    255.5  131.33  229.82      0
    67108864      16777216     float     sum      -1    427.9  156.83  274.45      0    439.1  152.83  267.46      0
   134217728      33554432     float     sum      -1    795.3  168.77  295.35      0    805.9  166.54  291.44      0
   268435456      67108864     float     sum      -1   1534.4  174.94  306.15      0   1546.7  173.55  303.72      0
   536870912     134217728     float     sum      -1   3024.0  177.54  310.69      0   3034.5  176.92  309.62      0
  1073741824     268435456     float     sum      -1   5961.9  180.10  315.18      0   5974.7  179.71  314.50      0
  2147483648     536870912     float     sum      -1    11880  180.77  316.34      0    11897  180.50  315.88      0
  4294967296    1073741824     float     sum      -1    23658  181.55  317.71      0    23681  181.37  317.40      0
  8589934592    2147483648     float     sum      -1    47244  181.82  318.18      0    47287  181.65  317.89      0
 17179869184    4294967296     float     sum      -1    94182  182.41  319.22      0    94540  181.72  318.01      0
""", library="RCCL 2.22.3", algo="default", source=ROCM_BLOG, date="2025-03-02",
          note="same blog, run with rccl-tests -G 1 (HIP graph launch; the printed header still says graph: 0); in-place columns; shows launch-overhead-free small-message times (~6-9 us)")

# ---------------------------------------------------------------- nccl-tests#309: 2 x Dell XE9680 (8 H100) over 8x400G IB
NT309 = "https://github.com/NVIDIA/nccl-tests/issues/309"
system(id="h100-ib-2node-nt309", name="2 x Dell PowerEdge XE9680 (8 H100 SXM each), 8x ConnectX-7 400G InfiniBand per node (NVIDIA/nccl-tests#309)",
       split="fit",
       accelerator="NVIDIA H100 80GB HBM3", gpus_per_node=8,
       scale_up="NVLink4 via 4 NVSwitch3, 450 GB/s/dir per GPU, NVLink SHARP (NVLS)",
       scale_out="8x ConnectX-7 400 Gb/s InfiniBand per node (mlx5_0..7, one per GPU, GPUDirect RDMA at PIX); switch not stated",
       topology_hint="2 nodes x 8 H100, one 400G NDR NIC per GPU, rail-optimized; topologies/corpus/coreweave-h100-ib.toml with 2 domains and no SHARP",
       why_split="fit: added as calibration data for multi-node pipelines (the only multi-node NVIDIA ramp from 8 B to 16 GiB outside the held-out split); it chose how a pipeline's fill pays latency (docs/validation.md), so it is not an independent check.",
       notes="NCCL 2.26.2+cuda12.8, bare metal, all_reduce_perf_mpi -b 8 -e 16g -f 2 -g 1 (warmup 5, iters 20), no NCCL_ALGO/PROTO forced, no CollNet; an NVIDIA maintainer: 'Your numbers look good to me!' and NVLSTree is what NCCL runs across the 2 nodes.")
nccl_rows("h100-ib-2node-nt309", 16, "all-reduce", """
           8             2     float     sum      -1    68.52    0.00    0.00      0    24.70    0.00    0.00      0
          16             4     float     sum      -1    24.96    0.00    0.00      0    24.93    0.00    0.00      0
          32             8     float     sum      -1    24.93    0.00    0.00      0    25.02    0.00    0.00      0
          64            16     float     sum      -1    25.29    0.00    0.00      0    25.21    0.00    0.00      0
         128            32     float     sum      -1    25.68    0.00    0.01      0    25.62    0.00    0.01      0
         256            64     float     sum      -1    94.40    0.00    0.01      0    25.90    0.01    0.02      0
         512           128     float     sum      -1    32.35    0.02    0.03      0    26.31    0.02    0.04      0
        1024           256     float     sum      -1    29.75    0.03    0.06      0    26.65    0.04    0.07      0
        2048           512     float     sum      -1    28.19    0.07    0.14      0    28.22    0.07    0.14      0
        4096          1024     float     sum      -1    30.24    0.14    0.25      0    29.72    0.14    0.26      0
        8192          2048     float     sum      -1    32.12    0.26    0.48      0    31.67    0.26    0.48      0
       16384          4096     float     sum      -1    32.74    0.50    0.94      0    32.24    0.51    0.95      0
       32768          8192     float     sum      -1    34.10    0.96    1.80      0    33.47    0.98    1.84      0
       65536         16384     float     sum      -1    33.84    1.94    3.63      0    33.08    1.98    3.71      0
      131072         32768     float     sum      -1    38.77    3.38    6.34      0    38.12    3.44    6.45      0
      262144         65536     float     sum      -1    48.67    5.39   10.10      0    46.79    5.60   10.50      0
      524288        131072     float     sum      -1    77.69    6.75   12.65      0    70.33    7.46   13.98      0
     1048576        262144     float     sum      -1    71.93   14.58   27.33      0    71.47   14.67   27.51      0
     2097152        524288     float     sum      -1    76.24   27.51   51.58      0    76.62   27.37   51.32      0
     4194304       1048576     float     sum      -1    94.38   44.44   83.33      0    94.22   44.52   83.47      0
     8388608       2097152     float     sum      -1    132.6   63.24  118.57      0    131.4   63.85  119.72      0
    16777216       4194304     float     sum      -1    185.4   90.49  169.67      0    183.8   91.29  171.16      0
    33554432       8388608     float     sum      -1    267.9  125.23  234.81      0    267.7  125.34  235.02      0
    67108864      16777216     float     sum      -1    466.1  143.99  269.98      0    466.3  143.91  269.83      0
   134217728      33554432     float     sum      -1    748.3  179.35  336.29      0    749.2  179.14  335.88      0
   268435456      67108864     float     sum      -1   1282.8  209.26  392.35      0   1276.0  210.37  394.44      0
   536870912     134217728     float     sum      -1   2357.6  227.72  426.97      0   2355.1  227.96  427.43      0
  1073741824     268435456     float     sum      -1   4484.9  239.41  448.90      0   4470.2  240.20  450.37      0
  2147483648     536870912     float     sum      -1   8729.8  245.99  461.24      0   8717.2  246.35  461.91      0
  4294967296    1073741824     float     sum      -1    17262  248.81  466.52      0    17284  248.49  465.91      0
  8589934592    2147483648     float     sum      -1    34381  249.84  468.46      0    34365  249.96  468.67      0
 17179869184    4294967296     float     sum      -1    68652  250.24  469.21      0    68668  250.19  469.10      0
""", library="NCCL 2.26.2", algo="default", source=NT309, date="2025-05-20",
          note="issue description's 2-node table (hosts bm-h100-01/02); in-place columns (the out-of-place 8 B, 256 B and 512 B rows are one-off outliers); the description's prose was edited later, the table was not")
