#!/usr/bin/env bash
# GPU measurements of issue 13 (parts 3 and 6), run from the repository root with $OUT set.
# Part 6: old vs new AQC contraction, n = 100, t = 4, L = 12, 16 (benchmarks/bench_aqc_speed.py).
# Part 3: grow / product / random starts on DMRG ground states, n = 100 and 50
#         (benchmarks/bench_aqc_any_target.py).
# Targets are read from benchmarks/device/targets/ when present (computed on the CPU
# beforehand; untracked), else computed here.  Every script writes its JSON after each row.
# QUICK=1: a tiny CPU smoke test of the same scripts.
set -uo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT="${OUT:-/tmp/issue-13b-out}"
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,memory.total --format=csv > "$OUT/gpu.txt" 2>&1 || true
ls -la benchmarks/device/targets > "$OUT/targets.txt" 2>&1 || true
if [[ "${QUICK:-0}" == "1" ]]; then
  python3 benchmarks/bench_aqc_speed.py --quick --out "$OUT/aqc_speed.json" 2>&1 | tee "$OUT/speed.log"
  python3 benchmarks/bench_aqc_any_target.py --quick --out "$OUT/aqc_any_target.json" \
    2>&1 | tee "$OUT/any_target.log"
  exit 0
fi
timeout 140 python3 benchmarks/bench_aqc_speed.py --device-label "NVIDIA H200" --budget 85 \
  --max-time 75 --layers 12 16 8 --single 12 16 --compare 12 --old-full 8 \
  --target-file benchmarks/device/targets/heis_n100_t4.npz \
  --out "$OUT/aqc_speed.json" 2>&1 | tee "$OUT/speed.log"
# ground states at n = 50 (DMRG here if not cached in benchmarks/device/targets/)
timeout 45 python3 benchmarks/bench_aqc_any_target.py --device-label "NVIDIA H200" \
  --n 50 --no-random --layers 5 --compare-layers 5 --maxiter 100 --budget 25 \
  --out "$OUT/aqc_any_target_n50.json" 2>&1 | tee "$OUT/any_target_n50.log"
