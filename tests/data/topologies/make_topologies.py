#!/usr/bin/env python3
"""Writes the synthetic hwloc XML topologies used by tests/unit/threads_test.cpp.

They describe machines the tests cannot run on (hwloc 2.x XML, as exported
by lstopo 2.9, reduced to packages, NUMA nodes, caches, cores, PUs and
cpukinds). Re-run after editing: python3 make_topologies.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def mask(pus):
    v = 0
    for p in pus:
        v |= 1 << p
    words = []
    while True:
        words.append("0x%08x" % (v & 0xFFFFFFFF))
        v >>= 32
        if v == 0:
            break
    return ",".join(reversed(words))


class Gp:
    def __init__(self):
        self.n = 0

    def __call__(self):
        self.n += 1
        return self.n


def sets(pus, nodes, complete=None):
    return ('cpuset="%s" complete_cpuset="%s" nodeset="%s" complete_nodeset="%s"'
            % (mask(pus), mask(complete if complete is not None else pus), mask(nodes), mask(nodes)))


def machine(name, packages, kinds, allowed=None, arch="aarch64"):
    """packages: list of dict(node=int, mem=bytes, l3=bytes|None, cores=[dict(pus=[...], l2=bytes)])."""
    gp = Gp()
    all_pus = sorted(p for pk in packages for c in pk["cores"] for p in c["pus"])
    all_nodes = sorted({pk["node"] for pk in packages})
    allowed = all_pus if allowed is None else allowed
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<!DOCTYPE topology SYSTEM "hwloc2.dtd">',
           '<topology version="2.0">']
    out.append('  <object type="Machine" os_index="0" cpuset="%s" complete_cpuset="%s" '
               'allowed_cpuset="%s" nodeset="%s" complete_nodeset="%s" allowed_nodeset="%s" '
               'gp_index="%d">' % (mask(allowed), mask(all_pus), mask(allowed), mask(all_nodes),
                                   mask(all_nodes), mask(all_nodes), gp()))
    out.append('    <info name="Backend" value="Linux"/>')
    out.append('    <info name="Architecture" value="%s"/>' % arch)
    out.append('    <info name="SyntheticDescription" value="%s"/>' % name)
    for pi, pk in enumerate(packages):
        pus = sorted(p for c in pk["cores"] for p in c["pus"])
        vis = [p for p in pus if p in allowed]
        node = [pk["node"]]
        out.append('    <object type="Package" os_index="%d" %s gp_index="%d">'
                   % (pi, sets(vis, node, pus), gp()))
        out.append('      <object type="NUMANode" os_index="%d" %s gp_index="%d" local_memory="%d">'
                   % (pk["node"], sets(vis, node, pus), gp(), pk["mem"]))
        out.append('        <page_type size="4096" count="%d"/>' % (pk["mem"] // 4096))
        out.append('      </object>')
        ind = "      "
        if pk.get("l3"):
            out.append('%s<object type="L3Cache" os_index="%d" %s gp_index="%d" cache_size="%d" '
                       'depth="3" cache_linesize="64" cache_associativity="16" cache_type="0">'
                       % (ind, pi, sets(vis, node, pus), gp(), pk["l3"]))
            ind += "  "
        for c in pk["cores"]:
            cvis = [p for p in c["pus"] if p in allowed]
            first = c["pus"][0]
            out.append('%s<object type="L2Cache" os_index="%d" %s gp_index="%d" cache_size="%d" '
                       'depth="2" cache_linesize="64" cache_associativity="8" cache_type="0">'
                       % (ind, first, sets(cvis, node, c["pus"]), gp(), c["l2"]))
            out.append('%s  <object type="L1Cache" os_index="%d" %s gp_index="%d" cache_size="65536" '
                       'depth="1" cache_linesize="64" cache_associativity="4" cache_type="1">'
                       % (ind, first, sets(cvis, node, c["pus"]), gp()))
            out.append('%s    <object type="Core" os_index="%d" %s gp_index="%d">'
                       % (ind, first, sets(cvis, node, c["pus"]), gp()))
            for p in c["pus"]:
                out.append('%s      <object type="PU" os_index="%d" %s gp_index="%d"/>'
                           % (ind, p, sets([p] if p in allowed else [], node, [p]), gp()))
            out.append('%s    </object>' % ind)
            out.append('%s  </object>' % ind)
            out.append('%s</object>' % ind)
        if pk.get("l3"):
            out.append('      </object>')
        out.append('    </object>')
    out.append('  </object>')
    for k in kinds:
        eff = ' forced_efficiency="%d"' % k["efficiency"] if "efficiency" in k else ""
        out.append('  <cpukind cpuset="%s"%s>' % (mask(k["pus"]), eff))
        for key, val in k.get("infos", []):
            out.append('    <info name="%s" value="%s"/>' % (key, val))
        out.append('  </cpukind>')
    out.append('</topology>')
    with open(os.path.join(HERE, name + ".xml"), "w") as f:
        f.write("\n".join(out) + "\n")


GiB = 1 << 30

# Raspberry Pi 5: BCM2712, 4x Cortex-A76 (one kind), 2 MiB L3, 8 GB.
machine("rpi5", [dict(node=0, mem=8 * GiB, l3=2 << 20,
                      cores=[dict(pus=[i], l2=512 << 10) for i in range(4)])],
        [dict(pus=[0, 1, 2, 3], efficiency=0,
              infos=[("LinuxCapacity", 1024), ("FrequencyMaxMHz", 2400)])])

# RK3588: CPUs 0-3 Cortex-A55 (capacity 530, 1.8 GHz), 4-7 Cortex-A76
# (capacity 1024, 2.4 GHz), 3 MiB L3 shared, 16 GB.
rk_cores = [dict(pus=[i], l2=128 << 10) for i in range(4)] + \
           [dict(pus=[i], l2=512 << 10) for i in range(4, 8)]
rk_kinds = [dict(pus=[0, 1, 2, 3], efficiency=0,
                 infos=[("LinuxCapacity", 530), ("FrequencyMaxMHz", 1800)]),
            dict(pus=[4, 5, 6, 7], efficiency=1,
                 infos=[("LinuxCapacity", 1024), ("FrequencyMaxMHz", 2400)])]
machine("rk3588", [dict(node=0, mem=16 * GiB, l3=3 << 20, cores=rk_cores)], rk_kinds)

# The same RK3588 in a container whose cpuset allows only CPUs 0-5.
machine("rk3588-cpuset-0-5", [dict(node=0, mem=16 * GiB, l3=3 << 20, cores=rk_cores)], rk_kinds,
        allowed=[0, 1, 2, 3, 4, 5])

# The same RK3588 with no cpufreq driver: hwloc cannot rank the kinds
# (efficiency -1), only the kernel's cpu_capacity tells them apart; the big
# kind is listed first.
machine("rk3588-no-efficiency", [dict(node=0, mem=16 * GiB, l3=3 << 20, cores=rk_cores)],
        [dict(pus=k["pus"], infos=[i for i in k["infos"] if i[0] == "LinuxCapacity"])
         for k in reversed(rk_kinds)])

# Two-socket ARM server: 2 packages x 8 cores x 2 hardware threads, one NUMA
# node per package. Linux numbers the first thread of every core before the
# second ones: socket 0 has CPUs 0-7 and 16-23, socket 1 has 8-15 and 24-31.
sockets = []
for s in range(2):
    sockets.append(dict(node=s, mem=64 * GiB, l3=32 << 20,
                        cores=[dict(pus=[8 * s + c, 16 + 8 * s + c], l2=1 << 20) for c in range(8)]))
machine("arm-server-2s-numa", sockets,
        [dict(pus=list(range(32)), efficiency=0,
              infos=[("LinuxCapacity", 1024), ("FrequencyMaxMHz", 2500)])])
