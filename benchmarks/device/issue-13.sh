#!/usr/bin/env bash
# Issue 13, part 6 (L = 16 in < 3 min), batch B, alone on the GPU: benchmarks/bench_aqc_speed.py,
# n = 100, t = 4 (TEBD target computed here, ~19 s).  First the per-evaluation time (value and
# gradient, Trotter start) of six variants of the L = 16 contraction, complex64 and complex128
# (precision="single" runs its first ~1/3 of the iterations in complex64, the rest in complex128):
#   fused:*:all    one kernel per odd layer, every pair recomputed (device run 5: 0.458 / 0.686 s)
#   fused:*:auto   ... the pairs whose residuals fit in a quarter of the GPU stored
#   fused2:*:auto  two odd layers per kernel (half the passes over the environment, half the
#                  residuals, twice the multiply-adds of those kernels), pairs stored
# then the L = 16 precision="single" compile (300 iterations, complex128 final check) with the
# variant of least t_single + 2 t_double, cut at --deadline 215 s from the start.  Writes $OUT/aqc_speed.json after every row and
# $OUT/speed.log.  QUICK=1: tiny CPU version.
set -u
OUT=${OUT:-/tmp/issue13-out}
mkdir -p "$OUT"
CACHE=$(mktemp -d)
. benchmarks/device/_env.sh
if [ "${QUICK:-0}" = 1 ]; then
  ARGS="--n 10 --t 1 --maxiter 20 --layers 4 --layout-compare 4 --single-only 4"; T=900; D=800
else
  ARGS="--n 100 --t 4 --maxiter 300 --layers 16 --layout-compare 16 --single-only 16"; T=228; D=215
fi
timeout $T python3 benchmarks/bench_aqc_speed.py --device-label "NVIDIA H200" $ARGS \
  --variants fused:single:all fused:double:all fused2:single:auto fused2:double:auto \
  fused:single:auto fused:double:auto --single --compare --old-full --repeat 1 --layout fastest --deadline $D \
  --target-file "$CACHE/target.npz" --out "$OUT/aqc_speed.json" 2>&1 | tee "$OUT/speed.log"
rm -rf "$CACHE"
ls -la "$OUT"
