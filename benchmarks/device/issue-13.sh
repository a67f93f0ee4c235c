#!/usr/bin/env bash
# Issue 13, third device run (parts 2 and 6), from the repository root with $OUT set.
# GPU (one process after another):
#   1. benchmarks/bench_aqc_speed.py: n = 100, t = 4, Trotter start, 300 iterations:
#      L = 12 complex128 and complex64 (target < 20 s), L = 16 complex64 only (target
#      < 3 min; the final fidelity in complex128, both recorded), then L = 8;
#   2. optimised sequential circuits (Rudolph et al.) at n = 100, t = 4, D = 1..3;
#   3. what time is left: AQC at n = 50, t = 2 and 4 (L = 2..8).
# CPU cores (in parallel, JAX on the CPU): the TEBD targets first, then Ran's layers and
# Trotter at n = 100, t = 4 and Ran / optimised sequential / Trotter at n = 20, 50, t = 2, 4.
# Every part writes its JSON after each row and runs under its own timeout; all end by
# ~$BUDGET s.  QUICK=1: the same with tiny sizes (a CPU smoke test).
set -u
OUT=${OUT:-/tmp/issue13-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
S=benchmarks/bench_aqc_speed.py
B=benchmarks/bench_aqc_vs_sequential.py
CACHE=$(mktemp -d)
T0=$(date +%s)
# mps.tebd uses threadpoolctl; if the device python lacks it, a no-op stand-in
if ! python3 -c "import threadpoolctl" 2>/dev/null; then
  mkdir -p "$CACHE/shim"
  printf 'import contextlib\ndef threadpool_limits(*a, **k):\n    return contextlib.nullcontext()\n' \
    > "$CACHE/shim/threadpoolctl.py"
  export PYTHONPATH=$PYTHONPATH:$CACHE/shim
fi
export OPENBLAS_NUM_THREADS=3 MKL_NUM_THREADS=3 OMP_NUM_THREADS=3
if [ "${QUICK:-0}" = 1 ]; then
  NB=12; NM=10; NS=8; MI=20; L12=4; L16=6; L8=2; BUDGET=${BUDGET:-900}; RAN=3; SEQ=2
else
  NB=100; NM=50; NS=20; MI=300; L12=12; L16=16; L8=8; BUDGET=${BUDGET:-400}; RAN=16; SEQ=3
fi
left() { echo $(( BUDGET - ($(date +%s) - T0) )); }
log() { echo "[$(date -u +%H:%M:%S) +$(( $(date +%s) - T0 ))s] $*"; }
CPU="env JAX_PLATFORMS=cpu"
{ nvidia-smi --query-gpu=name,memory.total --format=csv; python3 -c "import jax; print(jax.devices())"; } \
  > "$OUT/gpu.log" 2>&1
# --- targets (one process per target, in parallel; same spec as both benchmarks)
for nt in "$NB 4" "$NM 2" "$NM 4" "$NS 2" "$NS 4"; do
  set -- $nt
  $CPU timeout $(( $(left) - 30 )) python3 -c "
import sys; from pathlib import Path; sys.path.insert(0, 'benchmarks')
from bench_aqc_vs_sequential import make_target
st, info = make_target($1, float($2), Path('$CACHE'))
print('target', info, flush=True)" >> "$OUT/cpu.log" 2>&1 &
done
wait
log "targets done" | tee -a "$OUT/cpu.log" "$OUT/gpu.log"
cp "$CACHE/target_n${NB}_t4.npz" "$CACHE/speed_target.npz" 2>/dev/null
# --- CPU cores: sequential baselines and Trotter (each writes its own JSON)
run_cpu() {  # name, then the benchmark's arguments
  local name=$1; shift
  ( $CPU timeout $(( $(left) - 5 )) python3 $B --no-plot --cache "$CACHE" --out "$OUT/$name.json" "$@" \
      2>&1 | sed "s/^/[$name] /" >> "$OUT/cpu.log" ) &
}
run_cpu cpu_n${NB} --n $NB --t 4 --methods ran --ran-max $RAN
( $CPU timeout $(( $(left) - 5 )) python3 $B --no-plot --cache "$CACHE" --out "$OUT/cpu_trotter.json" \
    --n $NB --t 4 --methods trotter 2>&1 | sed "s/^/[trotter] /" >> "$OUT/cpu.log";
  $CPU timeout $(( $(left) - 5 )) python3 $B --no-plot --cache "$CACHE" --out "$OUT/cpu_trotter.json" \
    --n $NM --t 2 4 --methods trotter ran 2>&1 | sed "s/^/[n$NM] /" >> "$OUT/cpu.log" ) &
run_cpu cpu_small --n $NS --t 2 4 --methods ran sequential_opt --seqopt-max 4 \
  --seqopt-maxiter 100
( $CPU timeout $(( $(left) - 5 )) python3 $B --no-plot --cache "$CACHE" --out "$OUT/cpu_seqopt.json" \
    --n $NM --t 2 --methods sequential_opt --seqopt-max 4 --seqopt-maxiter 100 2>&1 \
    | sed "s/^/[seqopt n$NM] /" >> "$OUT/cpu.log" ) &
# --- GPU: speed rows (L = 12 first: a fresh process, so its setup includes the JIT)
{
  log "speed"
  timeout $(( $(left) - 100 )) python3 $S --device-label "NVIDIA H200" --n $NB --t 4 --maxiter $MI \
    --layers $L12 $L16 $L8 --single $L12 --single-only $L16 --compare --old-full \
    --repeat 2 --max-time 150 --target-file "$CACHE/speed_target.npz" \
    --out "$OUT/aqc_speed.json"
  log "sequential_opt n=$NB t=4"
  timeout $(( $(left) - 50 )) python3 $B --no-plot --cache "$CACHE" --out "$OUT/gpu.json" --n $NB --t 4 \
    --methods sequential_opt --seqopt-max $SEQ --seqopt-maxiter 100
  log "aqc n=$NM"
  timeout $(( $(left) - 10 )) python3 $B --no-plot --cache "$CACHE" --out "$OUT/gpu.json" --n $NM \
    --t 2 4 --methods aqc --layers 2 4 6 8 --maxiter $MI
  log "gpu done"
} >> "$OUT/gpu.log" 2>&1
wait
log "all done" >> "$OUT/cpu.log"
rm -rf "$CACHE"
ls -la "$OUT"
