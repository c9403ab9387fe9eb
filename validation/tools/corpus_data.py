"""Transcribed published measurements. Numbers only; every table names its source.
Each nccl-tests row is kept as printed (size count type redop [root] time algbw busbw #wrong x2);
the in-place columns are used unless a table says otherwise."""

SYSTEMS = []
POINTS = []

def system(**kw):
    SYSTEMS.append(kw)

def _f(x):
    return float(x)

def nccl_rows(system, gpus, op, text, *, library, algo, source, date, note, which="ip"):
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
                           algo=algo, source=source, source_date=date, note=note))

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
