#!/usr/bin/env bash
# The GPU issue's device checks in one run (prepared by bench/gpu/prepare.sh): what ILGPU sees, energies on the device
# against the CPU (to 1e-10 Ha) and their times, and the device benchmarks (gate bandwidth against a device copy, XC and
# J/K against the CPU backend). Results go to $OUT (or ./device-check-out). QEX_DEVICE picks the device (default cuda).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-device-check-out}
device=${QEX_DEVICE:-cuda}
mkdir -p "$out"
rt=${TMPDIR:-/tmp}/qex-dotnet
if ! command -v dotnet >/dev/null; then
  mkdir -p "$rt" && tar xzf publish/gpu/dotnet.tgz -C "$rt"
  export DOTNET_ROOT=$rt PATH=$rt:$PATH
fi
app=${TMPDIR:-/tmp}/qex-app
mkdir -p "$app" && tar xzf publish/gpu/app.tgz -C "$app"
qex() { dotnet "$app/app/qex.dll" "$@"; }
{ nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 || true; } | tee "$out/gpu.txt"
qex info --json | tee "$out/info.json"
cp bench/psi4/water.xyz bench/psi4/benzene.xyz "$out/" 2>/dev/null
cases=("water b3lyp def2-svp exact --tda 3" "benzene b3lyp def2-svp exact" "benzene b3lyp def2-svp df")
# QEX_CHECK_QUICK=1: a rehearsal of the script where there is no GPU (small water runs, no benchmarks)
[ "${QEX_CHECK_QUICK:-0}" = 1 ] && cases=("water b3lyp def2-svp exact --tda 2 --radial 20 --spherical 50" "water b3lyp def2-svp df --radial 20 --spherical 50")
for case in "${cases[@]}"; do
  set -- $case
  mol=$1 method=$2 basis=$3 ints=$4; shift 4
  for d in cpu "$device"; do
    tag="$mol-$method-$basis-$ints-$d"
    /usr/bin/time -f "%e s wall, %M KB peak" -o "$out/$tag.time" \
      dotnet "$app/app/qex.dll" energy "bench/psi4/$mol.xyz" --method "$method" --basis "$basis" --integrals "$ints" --device "$d" "$@" \
      --json "$out/$tag.json" > "$out/$tag.txt" 2>&1
    echo "$tag: rc=$? $(cat "$out/$tag.time" 2>/dev/null | tail -1)"
  done
done | tee "$out/energies.txt"
python3 - "$out" "$device" <<'PY' | tee "$out/compare.txt"
import json, sys, glob, os
out, device = sys.argv[1], sys.argv[2]
for cpu in sorted(glob.glob(os.path.join(out, "*-cpu.json"))):
    if cpu.endswith(f"-{device}.json"): continue
    dev = cpu[:-len("cpu.json")] + device + ".json"
    if not os.path.exists(dev): print(os.path.basename(cpu), "no device result"); continue
    a, b = json.load(open(cpu)), json.load(open(dev))
    line = f"{os.path.basename(cpu)[:-9]}: E cpu {a['energy']:.12f} device {b['energy']:.12f} diff {b['energy']-a['energy']:.2e}"
    if 'excitations_ev' in a: line += f", max excitation diff {max(abs(x-y) for x, y in zip(a['excitations_ev'], b['excitations_ev'])):.2e} eV"
    print(line, "| timings cpu", a.get('timings_s', a.get('timings')), "device", b.get('timings_s', b.get('timings')))
PY
[ "${QEX_CHECK_QUICK:-0}" = 1 ] && exit 0
QEX_BENCH_DEVICE=$device timeout 420 dotnet "$app/app/Qex.Bench.dll" --filter '*Device*' --inProcess --job short \
  --artifacts "$out/bench" > "$out/bench.txt" 2>&1
echo "benchmarks: rc=$?"; grep -E "^\|" "$out/bench.txt" | tail -30
