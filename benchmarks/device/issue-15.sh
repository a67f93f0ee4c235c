#!/usr/bin/env bash
# Issue 15 (unitary AQC) on the lent H200, run from the repository root with $OUT set.
# Earlier requests (done; results in benchmarks/results/aqc_unitary_timing.json and
# aqc_unitary_converged_n20_h200.json): the n = 100 timing and a converged n = 20 compile.
# First request (PART=1, served 16:22 UTC, ~400 s): (1) the n = 100 Heisenberg tau = 0.25, L = 4 compile timed on the GPU
# (300 iterations, <= 50 s); (2) in parallel, three processes of <= 310 s each, partial JSON
# written after every configuration: the n = 100 rows of the grid still missing from
# benchmarks/results/aqc_unitary.json (Heisenberg, XXZ; tau 0.25/0.5, L 2-8, t = 1, 2, 4,
# TEBD reference chi <= 128) and the transpose-symmetric block (aqc.unitary_frame) at n = 100,
# Heisenberg tau = 0.5, L = 4, 6, 8, t = 1, 2.  PART=2 (default now; second request of 16:29 UTC, NOT served: device budget spent; ~400 s): the n = 100
# grid rows still missing (Heisenberg on 8 threads, XXZ on 5; tau 0.5 first) and the symmetric
# block at n = 20 (both models, tau 0.25/0.5, L 4-8, t = 1, 2, 4) on 3 threads, and the
# symmetric block for tau = 1 with L = 8 at n = 100 (t = 1, 2) on 2 threads.  QUICK=1: tiny sizes, CPU test.
set -u
OUT=${OUT:-/tmp/issue15-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export XLA_PYTHON_CLIENT_PREALLOCATE=false  # three JAX processes share the GPU
B=benchmarks/bench_aqc_unitary.py
R=benchmarks/results/aqc_unitary.json
log() { echo "$(date -u +%H:%M:%S) $*" >> "$OUT/log.txt"; }
log "start"; python3 -c "import jax; print(jax.devices())" >> "$OUT/log.txt" 2>&1
if [ "${QUICK:-0}" = 1 ]; then
  TT=120; T=200; G="--n 8 --layers 2 4 --taus 0.5 --times 1 2 --maxiter 20 --max-time 5"
  Q=--quick; S="--n 8 --layers 4 --taus 0.5 --times 1 2 --maxiter 20 --max-time 5"
else
  TT=50; T=310; G="--n 100 --maxiter 400 --max-time 25"; Q=
  S="--n 100 --layers 4 6 8 --taus 0.5 --times 1 2 --maxiter 400 --max-time 25"
fi
if [ "${PART:-2}" = 2 ]; then  # second request: the rest of the n = 100 grid, symmetric n = 20
  if [ "${QUICK:-0}" = 1 ]; then
    A="--n 8 --layers 2 4 --times 1 2 --maxiter 20 --max-time 5"; C="$A"; T=200
    D="--n 8 --taus 1.0 --layers 4 --times 1 2 --maxiter 10 --max-time 5"
  else
    A="--n 100 --layers 2 4 6 8 --maxiter 400 --max-time 20"; T=380
    C="--n 20 --layers 4 6 8 --maxiter 2000 --max-time 20"
    D="--n 100 --taus 1.0 --layers 8 --times 1 2 --maxiter 400 --max-time 90"
  fi
  timeout -s INT $T python3 $B --models heisenberg --taus 0.5 0.25 $A --threads 8 --no-plot \
    --skip-from $R --out "$OUT/grid_heisenberg_n100.json" > "$OUT/grid_heisenberg.log" 2>&1 &
  timeout -s INT $T python3 $B --models xxz --taus 0.5 0.25 $A --threads 5 --no-plot \
    --skip-from $R --out "$OUT/grid_xxz_n100.json" > "$OUT/grid_xxz.log" 2>&1 &
  timeout -s INT $T python3 $B --variant symmetric --models heisenberg xxz $C --threads 3 \
    --no-plot --out "$OUT/sym_n20.json" > "$OUT/sym_n20.log" 2>&1 &
  # a longer block with more layers (fewer repeats): U(1) in a symmetric 8-layer block, t = 1, 2
  timeout -s INT $T python3 $B --variant symmetric --models heisenberg $D --threads 2 \
    --no-plot --out "$OUT/sym_tau1_n100.json" >> "$OUT/sym_n20.log" 2>&1 &
  wait; log "done"; exit 0
fi
timeout $TT python3 $B --timing $Q --timing-out "$OUT/timing_gpu.json" >> "$OUT/log.txt" 2>&1
log "timing rc=$?"
timeout -s INT $T python3 $B --models heisenberg $G --threads 5 --skip-from $R --no-plot \
  --out "$OUT/part_heisenberg_n100.json" > "$OUT/heisenberg.log" 2>&1 &
timeout -s INT $T python3 $B --models xxz $G --threads 5 --skip-from $R --no-plot \
  --out "$OUT/part_xxz_n100.json" > "$OUT/xxz.log" 2>&1 &
timeout -s INT $T python3 $B --variant symmetric --models heisenberg $S --threads 5 --no-plot \
  --out "$OUT/part_symmetric_n100.json" > "$OUT/symmetric.log" 2>&1 &
wait
log "done"; ls -la "$OUT" >> "$OUT/log.txt"
