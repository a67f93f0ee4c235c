#!/usr/bin/env bash
# Issue 13, fourth device run (part 6, L = 16 < 3 min), from the repository root with $OUT set.
# benchmarks/bench_aqc_speed.py, n = 100, t = 4 (TEBD target computed here, ~18 s):
#   per-evaluation time of both kernel layouts (fused queue, legs in place) at L = 16 and
#   L = 12, complex64 and complex128; then the L = 16 compile (complex64, 300 iterations,
#   complex128 final check) with the faster layout, then L = 12 complex128 with it.
# Writes $OUT/aqc_speed.json after every row and $OUT/speed.log.  QUICK=1: tiny CPU version.
set -u
OUT=${OUT:-/tmp/issue13c-out}
mkdir -p "$OUT"
CACHE=$(mktemp -d)
. benchmarks/device/_env.sh
if [ "${QUICK:-0}" = 1 ]; then
  ARGS="--n 10 --t 1 --maxiter 20 --layers 4 2 --layout-compare 4 --single-only 4"; T=900
else
  ARGS="--n 100 --t 4 --maxiter 300 --layers 16 12 --layout-compare 16 12 --single-only 16"
  T=320
fi
timeout $T python3 benchmarks/bench_aqc_speed.py --device-label "NVIDIA H200" $ARGS \
  --single --compare --old-full --repeat 2 --layout fastest --max-time 200 \
  --target-file "$CACHE/target.npz" --out "$OUT/aqc_speed.json" 2>&1 | tee "$OUT/speed.log"
rm -rf "$CACHE"
ls -la "$OUT"
