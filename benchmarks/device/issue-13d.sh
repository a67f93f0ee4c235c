#!/usr/bin/env bash
# Issue 13, acceptance 3 at n = 50 and 100 (CPU only, batch A): benchmarks/bench_ground_compile_cli.py
# tnqc ground (quimb DMRG2, Heisenberg J S.S, chi 16 / 64) -> tnqc compile --target (L = 4, grow,
# 100 iterations per stage) -> quimb CircuitMPS of circuit.qpy against the target (to 1e-6).
# JAX on the host's CPU cores (JAX_PLATFORMS=cpu); needs qiskit and quimb (coordinator's site dir).
# Writes $OUT/aqc_ground_cli.json after every n and $OUT/ground.log.  QUICK=1: n = 12 only.
# In parallel (acceptance 4): AQC(t = 1, L = 6, 8) + 4 Trotter steps to t = 2 at n = 100 with the
# quimb CircuitMPS check of the extended circuits (benchmarks/bench_aqc_vs_sequential.py --quimb;
# the L = 4 row was checked before): $OUT/cpu_extend.json, $OUT/extend.log.
set -u
OUT=${OUT:-/tmp/issue13d-out}
mkdir -p "$OUT"
export JAX_PLATFORMS=cpu
CACHE=$(mktemp -d)
. benchmarks/device/_env.sh
if [ "${QUICK:-0}" = 1 ]; then
  ARGS="--quick"; T=600; EXT="--n 8 --extend-layers 4 --maxiter 20"
else
  ARGS="--n 50 100 --max-bond 16 64"; T=430; EXT="--n 100 --extend-layers 6 8 --maxiter 300"
fi
( timeout $T python3 benchmarks/bench_aqc_vs_sequential.py $EXT --t 1 --methods aqc+trotter \
    --extend-steps 4 --quimb --trotter-max 14 --no-plot --cache "$CACHE/ext" \
    --out "$OUT/cpu_extend.json" > "$OUT/extend.log" 2>&1 ) &
PEXT=$!
timeout $T python3 benchmarks/bench_ground_compile_cli.py $ARGS --layers 4 --maxiter 100 \
  --device-label "H200 host CPU (JAX cpu, 16 cores)" --out "$OUT/aqc_ground_cli.json" 2>&1 \
  | tee "$OUT/ground.log"
wait $PEXT
rm -rf "$CACHE"
ls -la "$OUT"
