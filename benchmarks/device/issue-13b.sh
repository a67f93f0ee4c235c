#!/usr/bin/env bash
# GPU measurements of issue 13 (parts 3, 5, 6), run from the repository root with $OUT set.
# Part 6: old vs new AQC contraction, n = 100, t = 4, L = 8, 12, 16 (benchmarks/bench_aqc_speed.py).
# QUICK=1: a tiny CPU smoke test of the same script.
set -euo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT="${OUT:-/tmp/issue-13b-out}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$OUT/gpu.txt" 2>&1 || true
if [[ "${QUICK:-0}" == "1" ]]; then
  python3 benchmarks/bench_aqc_speed.py --quick --out "$OUT/aqc_speed.json" 2>&1 | tee "$OUT/speed.log"
else
  timeout 215 python3 benchmarks/bench_aqc_speed.py --device-label "NVIDIA H200" --budget 185 \
    --out "$OUT/aqc_speed.json" 2>&1 | tee "$OUT/speed.log" || true
fi
