#!/usr/bin/env bash
# Issue 15 (unitary AQC) on the lent H200, run from the repository root with $OUT set.
# Request 1 (done, results in benchmarks/results/aqc_unitary_timing.json): PART=timing, the
#   n = 100 Heisenberg (J S.S, J = 1), tau = 0.25, L = 4 compile (300 iterations) timed.
# Request 2 (default PART=converged, ~45 s): a well-converged n = 20 compile (tau = 0.5, L = 8, up
#   to 4000 iterations / 20 s) and its repeated-block state infidelities at t = 1, 2, 4 vs Trotter:
#   is optimiser convergence what limits the AQC/Trotter ratio on the loaded 2-core CPU?
# QUICK=1: a tiny version to test the script on a CPU.
set -u
OUT=${OUT:-/tmp/issue15-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
B=benchmarks/bench_aqc_unitary.py
Q=; [ "${QUICK:-0}" = 1 ] && Q=--quick
python3 -c "import jax, threadpoolctl; print(jax.devices())" > "$OUT/log.txt" 2>&1
if [ "${PART:-converged}" = timing ]; then
  timeout 55 python3 $B --timing $Q --timing-out "$OUT/timing_gpu.json" >> "$OUT/log.txt" 2>&1
  timeout 38 python3 $B --timing $Q --timing-config 0.5 8 --timing-out "$OUT/timing_gpu.json" \
    >> "$OUT/log.txt" 2>&1
else
  if [ "${QUICK:-0}" = 1 ]; then A="--n 8 --layers 4 --maxiter 20 --max-time 5 --times 1 2";
  else A="--n 20 --layers 8 --maxiter 4000 --max-time 20 --times 1 2 4"; fi
  timeout 50 python3 $B --models heisenberg --taus 0.5 $A --threads 8 \
    --out "$OUT/converged_n20.json" >> "$OUT/log.txt" 2>&1
fi
ls -la "$OUT"
