#!/usr/bin/env python3
"""Extract closed-shell neutral molecules made only of H, C, N and O from the geometry databases that Debian's
psi4 package installs (/usr/share/psi4/databases/*.py), into XYZ files with their source noted, for the
derivative-informed distillation data set (issue: DI-loss). Dimers are split into their monomers (S22, S66, ...).
The same geometry (all interatomic distances equal to 1e-3 Angstrom, in any orientation) is kept once, under its
first source.

    python3 bench/datasets/extract_psi4_geometries.py [--databases DIR] [--out configs/molecules/hcno]

The psi4 modules are read as text (the `qcdb.Molecule(\"\"\"...\"\"\")` blocks), not imported: psi4 is not needed
beyond its data files, and Qex never needs psi4 at run time (the output is shipped).
"""
import argparse
import csv
import os
import re
import sys

BOHR = 0.52917721067  # Angstrom per Bohr, as psi4 1.3
ALLOWED = {"H": 1, "C": 6, "N": 7, "O": 8}
BLOCK = re.compile(r"GEOS\[(.+?)\]\s*=\s*qcdb\.Molecule\(\s*\"\"\"(.*?)\"\"\"", re.S)


def entry_name(expr, dbse):
    """The GEOS key as psi4 builds it: '%s-%s-reagent' % (dbse, 'water') -> BAKERJCC93-water-reagent."""
    m = re.match(r"'([^']*)'\s*%\s*\((.*)\)\s*$", expr.strip())
    if not m:
        return expr.strip().strip("'\"")
    fmt, args = m.group(1), m.group(2)
    values = []
    for a in re.split(r",\s*", args):
        a = a.strip()
        if a == "dbse":
            values.append(dbse)
        else:
            values.append(a.strip("'\"").strip())
    try:
        return fmt % tuple(values)
    except TypeError:
        return expr


def parse_fragments(text):
    """Fragments of a qcdb geometry block: (charge, multiplicity, [(element, x, y, z)]) in Angstrom; None if it uses
    z-matrices, variables or ghost atoms (skipped)."""
    units = "angstrom"
    frags = [[None, []]]
    for raw in text.strip().splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        low = line.lower()
        if low.startswith("units"):
            units = low.split()[1]
            continue
        if low.startswith(("no_com", "no_reorient", "nocom", "noreorient", "symmetry", "pubchem")):
            continue
        if line == "--":
            frags.append([None, []])
            continue
        parts = line.split()
        if len(parts) == 2 and all(re.fullmatch(r"[-+]?\d+", p) for p in parts):
            frags[-1][0] = (int(parts[0]), int(parts[1]))
            continue
        if len(parts) != 4:
            return None
        el = re.sub(r"\d+$", "", parts[0]).capitalize()
        if el.startswith("@") or el.lower().startswith("gh("):
            return None
        try:
            xyz = [float(p) for p in parts[1:]]
        except ValueError:
            return None
        frags[-1][1].append((el, *xyz))
    scale = BOHR if units.startswith("bohr") or units.startswith("au") else 1.0
    out = []
    for cm, atoms in frags:
        if not atoms:
            continue
        charge, mult = cm if cm else (0, 1)
        out.append((charge, mult, [(e, x * scale, y * scale, z * scale) for e, x, y, z in atoms]))
    return out


def key(atoms):
    """The same molecule in any position, orientation or atom order: the formula and the sorted interatomic distances
    (with the element pair) to 1e-3 Angstrom. Dimer scans (S22by5, S66by8, ...) repeat their monomers moved and turned."""
    d = []
    for i in range(len(atoms)):
        for j in range(i + 1, len(atoms)):
            (ei, xi, yi, zi), (ej, xj, yj, zj) = atoms[i], atoms[j]
            r = ((xi - xj) ** 2 + (yi - yj) ** 2 + (zi - zj) ** 2) ** 0.5
            d.append((min(ei, ej), max(ei, ej), round(r, 3)))
    return (formula(atoms), tuple(sorted(d)))


def formula(atoms):
    counts = {}
    for a in atoms:
        counts[a[0]] = counts.get(a[0], 0) + 1
    order = ["C", "H"] + sorted(e for e in counts if e not in ("C", "H"))
    return "".join(f"{e}{counts[e] if counts[e] > 1 else ''}" for e in order if e in counts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--databases", default="/usr/share/psi4/databases")
    ap.add_argument("--exclude", default="SSI,BBI,HBC6,JSCH",
                    help="databases left out (default: SSI, BBI and JSCH are thousands of capped amino-acid fragments cut "
                         "from protein structures, near-identical conformers of a few side chains and backbones; HBC6 "
                         "repeats its H-bonded dimers' monomers relaxed at every separation of its scans)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "configs", "molecules", "hcno"))
    a = ap.parse_args()
    if not os.path.isdir(a.databases):
        sys.exit(f"no psi4 database folder at {a.databases} (apt-get install psi4)")
    os.makedirs(a.out, exist_ok=True)
    seen = {}
    rows = []
    skipped = {"elements": 0, "open shell or charged": 0, "unparsed": 0, "duplicate": 0}
    excluded = {x.strip().upper() for x in a.exclude.split(",") if x.strip()}
    for fname in sorted(os.listdir(a.databases)):
        if not fname.endswith(".py") or fname[:-3].upper() in excluded:
            continue
        dbse = fname[:-3]
        text = open(os.path.join(a.databases, fname), encoding="utf-8").read()
        for m in BLOCK.finditer(text):
            name = entry_name(m.group(1), dbse)
            frags = parse_fragments(m.group(2))
            if frags is None:
                skipped["unparsed"] += 1
                continue
            for fi, (charge, mult, atoms) in enumerate(frags):
                if any(e not in ALLOWED for e, *_ in atoms):
                    skipped["elements"] += 1
                    continue
                electrons = sum(ALLOWED[e] for e, *_ in atoms) - charge
                if charge != 0 or mult != 1 or electrons % 2:
                    skipped["open shell or charged"] += 1
                    continue
                k = key(atoms)
                if k in seen:
                    skipped["duplicate"] += 1
                    continue
                label = re.sub(r"[^A-Za-z0-9_.+-]", "_", name) + (f"_frag{fi + 1}" if len(frags) > 1 else "")
                seen[k] = label
                heavy = sum(1 for e, *_ in atoms if e != "H")
                path = os.path.join(a.out, label + ".xyz")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(f"{len(atoms)}\n")
                    source = f"psi4 1.3.2 database {dbse}, entry {name}" + (f", fragment {fi + 1}" if len(frags) > 1 else "")
                    f.write(f"{formula(atoms)}; source: {source}; charge=0 multiplicity=1\n")
                    for e, x, y, z in atoms:
                        f.write(f"{e:<2} {x:14.8f} {y:14.8f} {z:14.8f}\n")
                rows.append((label + ".xyz", formula(atoms), heavy, len(atoms), electrons, dbse, name, fi + 1 if len(frags) > 1 else ""))
    rows.sort(key=lambda r: (r[2], r[3], r[0]))
    with open(os.path.join(a.out, "index.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "formula", "heavy_atoms", "atoms", "electrons", "database", "entry", "fragment"])
        w.writerows(rows)
    print(f"{len(rows)} molecules written to {a.out}; skipped: " + ", ".join(f"{k} {v}" for k, v in skipped.items()))


if __name__ == "__main__":
    main()
