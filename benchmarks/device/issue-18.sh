#!/usr/bin/env bash
# Issue 18 on the device machine's 16 CPU cores (stim/pymatching/dask on CPUs; no GPU use):
#  1. bench_cultivation_scale.py: shots/s of d=3 cultivation vs Dask workers 1, 4, 8, 16;
#  2. d1 = 5 end to end, GSJ (d2 = 15) and RP^2 (SC11), chunks [0, n) of the seed-and-chunk
#     scheme (this machine samples chunks from 1e6 on; combined afterwards);
#  3. d1 = 3, d2 = 15 escape with our gap decoder (and with postselect_conflicts), chunks
#     [0, n) (the same shots), vs GSJ's stats.csv.
# Circuits are prebuilt (benchmarks/device/issue-18-circuits/*.stim.gz: building takes minutes).
# QUICK=1: a few seconds each (a check on a small machine).
set -euo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT="${OUT:-/tmp/issue18-out}"
mkdir -p "$OUT" /tmp/issue18-circ
for f in benchmarks/device/issue-18-circuits/*.stim.gz; do
  gunzip -c "$f" > "/tmp/issue18-circ/$(basename "$f" .gz)"
done
W=16; T5=30; T3=22; CPW=4; WS="1 4 8 16"
if [ "${QUICK:-0}" = 1 ]; then W=2; T5=5; T3=5; CPW=1; WS="1 2"; fi
MACHINE="device: $(nproc) CPU cores"
{
timeout 70 python3 benchmarks/bench_cultivation_scale.py --workers $WS --chunks-per-worker $CPW \
  --machine "$MACHINE" --out "$OUT/cultivation_scale_device.json" || echo "FAILED scale"
for p in gsj rp2; do
  timeout 60 python3 benchmarks/cultivation_d5_end2end.py sample --protocol $p \
    --circuit /tmp/issue18-circ/d5_$p.stim --seconds $T5 --workers $W --executor dask \
    --machine "$MACHINE" --out "$OUT/d5_${p}_device.json" || echo "FAILED d5 $p"
done
for p in gsj3 gsj3ps; do
  timeout 60 python3 benchmarks/cultivation_d5_end2end.py sample --protocol $p \
    --circuit /tmp/issue18-circ/d3_15.stim --seconds $T3 --workers $W --executor dask \
    --machine "$MACHINE" --out "$OUT/d3_15_${p}_device.json" || echo "FAILED d3 $p"
done
} 2>&1 | grep --line-buffered -v -i "warn" | tee "$OUT/issue18.log" || true
