#!/usr/bin/env bash
# Issue 15 (unitary AQC) on the lent H200, run from the repository root with $OUT set.
# Earlier parts (PART=1, PART=2; see git history of this file) are done; their rows are in
# benchmarks/results/aqc_unitary.json.  PART=2 lost the Heisenberg n = 100 rows: its TEBD
# reference took 224 s because other processes ran multi-threaded OpenBLAS SVDs that
# oversubscribed the cores (fixed: iter_framed_states pins BLAS to one thread; here also
# the environment does), and a fully skipped XXZ run crashed in summarise (fixed).
#
# PART=3 (default; <= 330 s; served 18:58 UTC session 3 in 189 s, results merged into
# benchmarks/results/aqc_unitary.json and aqc_unitary_timing.json):
#  0. in parallel: the acceptance-4 timing on the GPU (n = 100, tau = 0.25, L = 4, 300 it)
#     and the Heisenberg n = 100 TEBD reference (t = 1, 2, 4; order 4, dt 0.125, chi <= 128,
#     cutoff 1e-12) computed ONCE into a cache folder (--ref-cache) on 12 threads;
#  1. three processes (4 threads each) for the six Heisenberg n = 100 grid rows still missing
#     (n100_grid_missing: tau 0.25 L 2/4/6/8, tau 0.5 L 2/4), reading the cached reference;
#  2. two processes (2 threads each, item 3): the symmetric X^T X block at n = 100 with
#     1500 L-BFGS iterations instead of 400 (tau 0.5 L 8: the best ratio so far, 5.1x at t = 2;
#     tau 1.0 L 8: 5.1x at t = 2), to see whether better optimisation moves the t = 2 ratio.
# Each writes partial JSON after every configuration.  QUICK=1: tiny sizes (CPU test here).
set -u
OUT=${OUT:-/tmp/issue15-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export XLA_PYTHON_CLIENT_PREALLOCATE=false  # several JAX processes share the GPU
export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1  # threads come from pools
B=benchmarks/bench_aqc_unitary.py
C=$(mktemp -d "${TMPDIR:-/tmp}/issue15-cache.XXXXXX")
L="$OUT/run.log"
log() { echo "$(date -u +%H:%M:%S) $*" >> "$OUT/log.txt"; }
log "start"; python3 -c "import jax; print(jax.devices())" >> "$OUT/log.txt" 2>&1
if [ "${QUICK:-0}" = 1 ]; then
  N=8; TT=60; T=200; IT="--maxiter 20 --max-time 5"; ITS="--maxiter 30 --max-time 10"; Q=--quick
  TAU1=1.0
else
  N=100; TT=60; T=300; IT="--maxiter 400 --max-time 45"; ITS="--maxiter 1500 --max-time 180"
  Q=; TAU1=1.0
fi
H="--models heisenberg --n $N --times 1 2 4 --ref-cache $C --no-plot --max-bond 128"
# 0. GPU timing and the reference, side by side
timeout $TT python3 $B --timing $Q --timing-out "$OUT/timing_gpu.json" >> "$L" 2>&1 &
PT=$!
timeout 120 python3 $B $H --taus 0.5 --layers 2 --maxiter 1 --max-time 1 --refs-only \
  --threads 12 --out "$C/refs.json" >> "$L" 2>&1
log "reference rc=$? ($(ls "$C" | wc -l) cached files)"
wait $PT; log "timing rc=$?"
# 1. the six missing grid rows, three processes
g() { timeout -s INT $T python3 $B $H $IT --threads 4 --out "$OUT/$1" "${@:2}" >> "$L" 2>&1; }
g grid1.json --taus 0.25 --layers 8 &
g grid2.json --taus 0.25 0.5 --layers 6 2 --configs 0.25:6 0.5:2 &
g grid3.json --taus 0.25 0.5 --layers 4 2 --configs 0.25:4 0.25:2 0.5:4 &
# 2. item 3: longer optimisation of the symmetric block (t = 1, 2)
S="--variant symmetric --models heisenberg --n $N --times 1 2 --layers 8 --ref-cache $C"
timeout -s INT $T python3 $B $S --taus 0.5 $ITS --threads 2 --no-plot \
  --out "$OUT/sym_tau05_long.json" >> "$L" 2>&1 &
timeout -s INT $T python3 $B $S --taus $TAU1 $ITS --threads 2 --no-plot \
  --out "$OUT/sym_tau1_long.json" >> "$L" 2>&1 &
wait
log "done"; ls -la "$OUT" >> "$OUT/log.txt"; rm -rf "$C"
