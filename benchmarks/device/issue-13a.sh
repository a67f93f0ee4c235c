#!/usr/bin/env bash
# Issue 13 (parts 2, 4): n = 100 rows of benchmarks/bench_aqc_vs_sequential.py on the lent H200.
# GPU process: AQC L = 2..10 and the optimised sequential circuits at t = 1, 2, 4, and
# AQC(t=1) + Trotter to t = 2 with quimb checks (worker processes on the CPU cores).
# CPU process (in parallel, JAX on the CPU): Ran's layers D = 1..16 and 2nd-order Trotter.
# t = 4 AQC here: L = 2..8 (the speed engineer adds L = 8, 12, 16 timing rows).
# About 195 s in all (the cap is 200 s) (each part under its own timeout; rows are written as they finish).
# QUICK=1: a tiny version (n = 8) to test the script on a CPU.
set -u
OUT=${OUT:-/tmp/issue13a-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
B=benchmarks/bench_aqc_vs_sequential.py
CACHE=$(mktemp -d)
# mps.tebd uses threadpoolctl; if the device python lacks it, a no-op stand-in (BLAS pinned by env)
if ! python3 -c "import threadpoolctl" 2>/dev/null; then
  mkdir -p "$CACHE/shim"; export OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
  printf 'import contextlib\ndef threadpool_limits(*a, **k):\n    return contextlib.nullcontext()\n' \
    > "$CACHE/shim/threadpoolctl.py"
  export PYTHONPATH=$PYTHONPATH:$CACHE/shim
fi
if [ "${QUICK:-0}" = 1 ]; then
  N=8; LX="4"; L1="2"; L2="2 4"; L4="2"; SEQ=2; RAN=3; TM=4; MI=20; TA=300; TB=200; TC=200
  TD=200; TCPU=400
else
  N=100; LX="4 6 8"; L1="2"; L2="2 4 6 8 10"; L4="2 4 6 8"; SEQ=4; RAN=16; TM=20
  MI=300; TA=70; TB=30; TC=50; TD=45; TCPU=190
fi
python3 -c "import jax; print(jax.devices())" > "$OUT/log_gpu.txt" 2>&1
( JAX_PLATFORMS=cpu timeout $TCPU python3 $B --n $N --t 1 2 4 --methods ran trotter \
    --ran-max $RAN --trotter-max $TM --residual-cap 128 --cache "$CACHE/cpu" --out "$OUT/cpu.json" \
    > "$OUT/log_cpu.txt" 2>&1 ) &
CPU_PID=$!
G="python3 $B --n $N --maxiter $MI --trotter-max $TM --seqopt-maxiter 100 --cache $CACHE/gpu"
G="$G --out $OUT/gpu.json"
{
  # (a) AQC(t=1, L=4,6,8) + 4 Trotter steps to t = 2, quimb checks on the CPU cores
  timeout $TA $G --t 1 --methods aqc+trotter --extend-layers $LX --extend-steps 4 --quimb \
    --trotter-max 14
  # (b) the rest of t = 1 (L = 4, 6, 8 came with (a); F saturates there); (c) t = 2; (d) t = 4
  timeout $TB $G --t 1 --methods aqc sequential_opt --layers $L1 --seqopt-max $SEQ
  timeout $TC $G --t 2 --methods aqc sequential_opt --layers $L2 --seqopt-max $((SEQ - 1))
  timeout $TD $G --t 4 --methods aqc sequential_opt --layers $L4 --seqopt-max $((SEQ - 2))
} >> "$OUT/log_gpu.txt" 2>&1
wait $CPU_PID
rm -rf "$CACHE"
ls -la "$OUT"
