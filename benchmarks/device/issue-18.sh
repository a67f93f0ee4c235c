#!/usr/bin/env bash
# Issue 18 on the device machine's 16 CPU cores (stim/pymatching/dask on CPUs; no GPU use):
#  1. (SCALE=1) bench_cultivation_scale.py: shots/s of d=3 cultivation vs Dask workers
#     1, 4, 8, 16, each run about $TS seconds (weak scaling, cluster start excluded);
#  2. d1 = 3, d2 = 15 escape (GSJ's construction) with our gap decoder, chunks [F3, F3 + n)
#     of the seed-and-chunk scheme, vs GSJ's stats.csv (combined with this machine's chunks);
#  3. d1 = 5 end to end, GSJ (d2 = 15), chunks [F5, F5 + n); RP^2 (SC11) from FR if TR > 0.
# Circuits are prebuilt (benchmarks/device/issue-18-circuits/*.stim.gz: building takes minutes).
# Each step writes its file to $OUT when it finishes (a timeout keeps the earlier ones).
# QUICK=1: a few seconds each (a check on a small machine).
set -euo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT="${OUT:-/tmp/issue18-out}"
mkdir -p "$OUT" /tmp/issue18-circ
for f in benchmarks/device/issue-18-circuits/*.stim.gz; do
  gunzip -c "$f" > "/tmp/issue18-circ/$(basename "$f" .gz)"
done
# third batch (17:05): no scaling (done in the first, 25-32 s per point); d1 = 3 chunks from
# 2000 (batch 2: [1000, 1841) with the virtual-pair decoder; batch 1: [0, 507) with the
# clipped one; run files say "decoder" and combine apart), d1 = 5 GSJ from 2000 (batch 1:
# [0, 1704), clipped), RP^2 (decoder unchanged: no ablated checks) from 4000000 (earlier:
# [0, 1316), [1000000, 1000298), [3000000, 3007715))
W=16; TS=20; T3=140; T5=170; TR=60; WS="1 4 8 16"; PAD=60; SCALE=${SCALE:-0}
F3=${F3:-2000}; F5=${F5:-2000}; FR=${FR:-4000000}
if [ "${QUICK:-0}" = 1 ]; then W=2; TS=1; T3=8; T5=8; TR=5; WS="1 2"; PAD=400; SCALE=1; fi
MACHINE="device: $(nproc) CPU cores"
stamp() { echo "[$(date -u +%H:%M:%S)] $*"; }
{
if [ "$SCALE" = 1 ]; then
  stamp "scaling"
  timeout $((8 * TS + PAD + 30)) python3 benchmarks/bench_cultivation_scale.py --workers $WS \
    --chunks-per-worker 1 --seconds-per-run $TS \
    --machine "$MACHINE" --out "$OUT/cultivation_scale_device.json" || echo "FAILED scale"
fi
stamp "d1=3 d2=15"
timeout $((T3 + PAD)) python3 benchmarks/cultivation_d5_end2end.py sample --protocol gsj3 \
  --first-chunk "$F3" --circuit /tmp/issue18-circ/d3_15.stim --seconds $T3 --workers $W \
  --executor dask --machine "$MACHINE" --out "$OUT/d3_15_gsj3_device.json" || echo "FAILED d3"
if [ "$T5" -gt 0 ]; then
  stamp "d1=5 gsj"
  timeout $((T5 + PAD)) python3 benchmarks/cultivation_d5_end2end.py sample --protocol gsj \
    --first-chunk "$F5" --circuit /tmp/issue18-circ/d5_gsj.stim --seconds $T5 --workers $W \
    --executor dask --machine "$MACHINE" --out "$OUT/d5_gsj_device.json" || echo "FAILED d5 gsj"
fi
if [ "$TR" -gt 0 ]; then
  stamp "d1=5 rp2"
  timeout $((TR + PAD)) python3 benchmarks/cultivation_d5_end2end.py sample --protocol rp2 \
    --first-chunk "$FR" --circuit /tmp/issue18-circ/d5_rp2.stim --seconds $TR --workers $W \
    --executor dask --machine "$MACHINE" --out "$OUT/d5_rp2_device.json" || echo "FAILED rp2"
fi
stamp "done"
} 2>&1 | grep --line-buffered -v -i "warn" | tee "$OUT/issue18.log" || true
