#!/usr/bin/env python3
"""Qex against Psi4 in the same run (default: HF/def2-SVP on water and benzene), one thread each (both pinned to one
core), no point-group symmetry in either (Psi4 `symmetry c1`), exact integrals
(Psi4 scf_type pk; --integrals df: density fitting in both, Psi4 scf_type df with its default fitting basis, Qex
--integrals df with the same one), same convergence: energy change 1e-10 and the RMS of the orthogonalised orbital gradient 1e-8
(Psi4 e_convergence / d_convergence with its default DIIS_RMS_ERROR; Qex --error-norm rms, whose default is the
stricter largest element).

Density functionals (svwn, pbe, b3lyp, ...) run on the same unpruned grid in both: Treutler radial, Treutler
partitioning, --radial x --spherical points per atom (default 75 x 302, Psi4's default size).

Usage: python3 bench/psi4/compare.py [--reps 5] [--qex "dotnet /tmp/qexbin/qex.dll"] [--method hf|fci|ccsd|ccsd(t)|svwn|pbe|b3lyp]
       [--basis def2-svp] [--molecules water,benzene] [--radial 75 --spherical 302] [--threads 1] [--integrals exact|df]
e.g.   python3 bench/psi4/compare.py --method fci --basis 6-31g --molecules water --reps 3
       python3 bench/psi4/compare.py --method b3lyp --reps 3
Needs psi4 (apt-get install psi4) and a published qex (dotnet publish Qex.Cli -c Release -o /tmp/qexbin).
Runs alternate (psi4, qex, psi4, qex, ...) so that machine noise hits both; prints medians, the ratio and peak memory.
"""
import argparse, os, re, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

DFT = ("svwn", "pbe", "b3lyp", "b3lyp5", "pbe0", "blyp")

def psi4_input(xyz, basis, method, radial=75, spherical=302, threads=1, integrals="exact"):
    lines = open(xyz).read().splitlines()
    atoms = "\n".join(lines[2:2 + int(lines[0])])
    grid = "" if method not in DFT else f"""set dft_radial_points {radial}
set dft_spherical_points {spherical}
set dft_radial_scheme treutler
set dft_nuclear_scheme treutler
"""
    return f"""memory 8 gb
set_num_threads({threads})
molecule {{
0 1
{atoms}
symmetry c1
no_reorient
no_com
}}
set basis {basis}
set scf_type {"df" if integrals == "df" else "pk"}
set e_convergence 1e-10
set d_convergence 1e-8
set guess sad
{grid}energy('{"scf" if method == "hf" else method}')
"""

def timed(cmd, cwd, threads=1):
    cores = ",".join(str(c) for c in range(threads))
    r = subprocess.run(["/usr/bin/time", "-v", "taskset", "-c", cores] + cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    err = r.stderr
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", err)
    wall = (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1)) / 1024
    return wall, rss, r.stdout

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--qex", default="dotnet /tmp/qexbin/qex.dll")
    ap.add_argument("--basis", default="def2-svp")
    ap.add_argument("--method", default="hf")
    ap.add_argument("--molecules", default="water,benzene")
    ap.add_argument("--radial", type=int, default=75)
    ap.add_argument("--spherical", type=int, default=302)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--integrals", default="exact", choices=["exact", "df"])
    a = ap.parse_args()
    dft = a.method in DFT
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.molecules.split(","):
            xyz = os.path.join(HERE, name + ".xyz")
            inp = os.path.join(tmp, name + ".in")
            open(inp, "w").write(psi4_input(xyz, a.basis, a.method, a.radial, a.spherical, a.threads, a.integrals))
            p_w, q_w, p_m, q_m = [], [], [], []
            for _ in range(a.reps):
                w, m, _ = timed(["psi4", "-n", str(a.threads), inp, os.path.join(tmp, name + ".out")], tmp, a.threads)
                p_w.append(w); p_m.append(m)
                out = open(os.path.join(tmp, name + ".out")).read()
                pattern = {"hf": r"Total Energy =\s+(-?[\d.]+)", **{d: r"Total Energy =\s+(-?[\d.]+)" for d in DFT}, "fci": r"FCI Root 0 energy =\s+(-?[\d.]+)",
                           "ccsd": r"CCSD total energy\s+=\s+(-?[\d.]+)",
                           "ccsd(t)": r"CCSD\(T\) total energy\s+=\s+(-?[\d.]+)"}[a.method]
                e_psi4 = float(re.findall(pattern, out)[-1])
                grid = ["--radial", str(a.radial), "--spherical", str(a.spherical)] if dft else []
                env_threads = ["env", f"DOTNET_PROCESSOR_COUNT={a.threads}"]
                w, m, stdout = timed(env_threads + a.qex.split() + ["energy", xyz, "--basis", a.basis, "--method", a.method, "--error-norm", "rms", "--integrals", a.integrals, "-q",
                                                   "--json", os.path.join(tmp, "q.json")] + grid, tmp, a.threads)
                q_w.append(w); q_m.append(m)
                import json
                e_qex = json.load(open(os.path.join(tmp, "q.json")))["energy"]
            rows.append((name, statistics.median(p_w), statistics.median(q_w), max(p_m), max(q_m), e_psi4, e_qex))
    print(f"{a.method} / {a.basis}" + (f", grid {a.radial} x {a.spherical}" if dft else "") + f", {a.threads} thread(s), {a.integrals} integrals")
    print(f"| molecule | Psi4 wall (s) | Qex wall (s) | Qex / Psi4 | Psi4 peak (MB) | Qex peak (MB) | E(Psi4) | E(Qex) - E(Psi4) |")
    print("|---|---|---|---|---|---|---|---|")
    for n, pw, qw, pm, qm, ep, eq in rows:
        print(f"| {n} | {pw:.2f} | {qw:.2f} | {qw / pw:.2f} | {pm:.0f} | {qm:.0f} | {ep:.10f} | {eq - ep:.1e} |")

if __name__ == "__main__":
    main()
