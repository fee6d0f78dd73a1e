#!/usr/bin/env bash
# Prepares the device checks for a machine with a GPU and a CUDA driver but no .NET (see ../shared/docs/gpu.md):
# framework-dependent publishes of qex and the benchmarks, and this machine's .NET runtime packed beside them, all under
# publish/gpu (ignored by git; packed, within the device tool's 64 MiB carry). Then, with the device tool:
#   run  command: bash bench/gpu/device-check.sh   carry: ["publish/gpu"]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=publish/gpu
rm -rf "$out"
mkdir -p "$out"
# both apps in one folder (they share every library), packed
dotnet publish Qex.Cli -c Release -r linux-x64 --self-contained false -o "$out/app" -v quiet
dotnet publish bench/Qex.Bench -c Release -r linux-x64 --self-contained false -o "$out/app" -v quiet
tar czf "$out/app.tgz" -C "$out" app
rm -rf "$out/app"
root=$(dirname "$(readlink -f "$(command -v dotnet)")")
version=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ {print $2}' | sort -V | tail -1)
tar czf "$out/dotnet.tgz" -C "$root" dotnet host "shared/Microsoft.NETCore.App/$version"
du -ch "$out"/*
