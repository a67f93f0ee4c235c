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
W=16; T5=45; TR=25; T3=35; T3P=30; CPW=10; WS="1 4 8 16"
if [ "${QUICK:-0}" = 1 ]; then W=2; T5=5; TR=5; T3=5; T3P=5; CPW=1; WS="1 2"; fi
MACHINE="device: $(nproc) CPU cores"
{
timeout 70 python3 benchmarks/bench_cultivation_scale.py --workers $WS --chunks-per-worker $CPW \
  --machine "$MACHINE" --out "$OUT/cultivation_scale_device.json" || echo "FAILED scale"
# second request: chunks after those of the first one (gsj: the fixed circuit, from 0)
for p in gsj rp2; do
  if [ $p = gsj ]; then T=$T5; FIRST=0; else T=$TR; FIRST=2000000; fi
  timeout $((T + 40)) python3 benchmarks/cultivation_d5_end2end.py sample --protocol $p \
    --first-chunk $FIRST \
    --circuit /tmp/issue18-circ/d5_$p.stim --seconds $T --workers $W --executor dask \
    --machine "$MACHINE" --out "$OUT/d5_${p}_device.json" || echo "FAILED d5 $p"
done
for p in gsj3 gsj3ps; do
  if [ $p = gsj3 ]; then T=$T3; else T=$T3P; fi
  timeout $((T + 40)) python3 benchmarks/cultivation_d5_end2end.py sample --protocol $p \
    --circuit /tmp/issue18-circ/d3_15.stim --seconds $T --workers $W --executor dask \
    --machine "$MACHINE" --out "$OUT/d3_15_${p}_device.json" || echo "FAILED d3 $p"
done
} 2>&1 | grep --line-buffered -v -i "warn" | tee "$OUT/issue18.log" || true
