#!/usr/bin/env python3
"""Projects the time per training evaluation of a molecular distillation batch over MPI nodes.

The model (the scheme of Qex.Dft/ScaleOut: molecules sharded by expected cost, each rank's molecules run one per
thread, every molecule's loss and gradient allgathered to every rank):

  T(N) = T_compute(N) + T_gather(N)
  T_compute: the most loaded thread after assigning molecules to ranks (longest first to the least loaded, as
             Shards.Assign) and each rank's molecules to its threads the same way; a molecule's time is
             a G + b n^3 (G grid points, n basis functions; the form of MolecularObjective.Cost), a and b fitted by
             least squares to measured single-thread evaluations (--measured n,G,seconds, at least two)
  T_gather:  one MPI_Allgatherv of M (P + 2) doubles plus an 8-byte header per molecule:
             alpha * ceil(log2 R) + beta * bytes * (R - 1) / R   (R ranks, one per node)

The batch: --molecules molecules drawn (fixed seed) from configs/molecules/hcno/index.csv with at most
--max-heavy heavy atoms (def2-SVP: 14 functions per C, N, O and 5 per H; the training grid 50 x 194 per atom).
"""
import argparse
import csv
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
INDEX = os.path.join(HERE, "..", "..", "configs", "molecules", "hcno", "index.csv")


def fit(measured):
    """Least squares of t = a G + b n^3 over the measured (n, G, t)."""
    sgg = sum(g * g for n, g, t in measured)
    sgc = sum(g * n ** 3 for n, g, t in measured)
    scc = sum(n ** 6 for n, g, t in measured)
    sgt = sum(g * t for n, g, t in measured)
    sct = sum(n ** 3 * t for n, g, t in measured)
    det = sgg * scc - sgc * sgc
    return (sgt * scc - sct * sgc) / det, (sgg * sct - sgc * sgt) / det


def lpt(costs, bins):
    """Longest first to the least loaded bin; returns the bins' item lists."""
    load = [0.0] * bins
    items = [[] for _ in range(bins)]
    for i in sorted(range(len(costs)), key=lambda i: (-costs[i], i)):
        b = min(range(bins), key=lambda r: (load[r], r))
        load[b] += costs[i]
        items[b].append(i)
    return items


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--molecules", type=int, default=1000)
    p.add_argument("--max-heavy", type=int, default=4)
    p.add_argument("--parameters", type=int, required=True, help="trainable parameters P of the model")
    p.add_argument("--measured", nargs="+", required=True, help="n,G,seconds of single-thread evaluations of one molecule")
    p.add_argument("--cores", type=int, default=16, help="cores (threads) per node, one rank per node")
    p.add_argument("--alpha", type=float, default=2e-6, help="allgather latency per step (s)")
    p.add_argument("--beta", type=float, default=1e-10, help="allgather time per byte (s)")
    p.add_argument("--nodes", default="1,2,4,8,16,32,64")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    measured = [tuple(float(x) for x in m.split(",")) for m in a.measured]
    if len(measured) < 2:
        raise SystemExit("--measured needs at least two molecules (n,G,seconds) to fit a G + b n^3")
    ca, cb = fit(measured)

    with open(INDEX, newline="") as f:
        pool = [r for r in csv.DictReader(f) if int(r["heavy_atoms"]) <= a.max_heavy]
    rng = random.Random(a.seed)
    batch = [rng.choice(pool) for _ in range(a.molecules)]
    costs = []
    for r in batch:
        heavy, atoms = int(r["heavy_atoms"]), int(r["atoms"])
        n = 14 * heavy + 5 * (atoms - heavy)
        costs.append(ca * 50 * 194 * atoms + cb * n ** 3)
    serial = sum(costs)
    gather_bytes = a.molecules * ((a.parameters + 2) * 8 + 8)
    print(f"{a.molecules} molecules (at most {a.max_heavy} heavy atoms, {len(pool)} in the pool), P = {a.parameters}; "
          f"fit t = {ca:.3e} G + {cb:.3e} n^3 s to {len(measured)} measured molecules "
          f"({', '.join(f'{t:.1f} s -> {ca * g + cb * n ** 3:.1f}' for n, g, t in measured)}); "
          f"one molecule: mean {serial / a.molecules:.2f} s, largest {max(costs):.2f} s (one thread)")
    print(f"gather per evaluation: {gather_bytes / 1e6:.2f} MB to every rank; alpha {a.alpha:.1e} s, beta {a.beta:.1e} s/byte; {a.cores} cores per node")
    print("| nodes | cores | compute (s) | gather (s) | per evaluation (s) | speed-up | efficiency |")
    print("|---|---|---|---|---|---|---|")
    base = None
    for nodes in (int(x) for x in a.nodes.split(",")):
        worst = 0.0
        for rank_items in lpt(costs, nodes):
            threads = lpt([costs[i] for i in rank_items], a.cores)
            worst = max(worst, max((sum(costs[rank_items[j]] for j in t) for t in threads), default=0.0))
        gather = 0.0 if nodes == 1 else a.alpha * math.ceil(math.log2(nodes)) + a.beta * gather_bytes * (nodes - 1) / nodes
        total = worst + gather
        base = base or total
        print(f"| {nodes} | {nodes * a.cores} | {worst:.3f} | {gather:.5f} | {total:.3f} | {base / total:.1f} | {base / total / nodes:.0%} |")


if __name__ == "__main__":
    main()
