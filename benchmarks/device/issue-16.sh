#!/usr/bin/env bash
# Issue 16 (magic-state injection on heavy-hex): threshold sweep (sinter + pymatching) and
# fake_fez tomography (Aer with the backend's noise model, stim with its Pauli version),
# on the device's CPU cores.  QUICK=1 runs a tiny version (seconds) for testing.
set -euo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
OUT="${OUT:-/tmp/issue16_out}"
mkdir -p "$OUT"
W=$(nproc)
PY=${PYTHON:-python3}
if [ "${QUICK:-0}" = 1 ]; then
  $PY benchmarks/injection_threshold.py --quick --workers "$W" --max-shots 500 --max-errors 50 \
    --out "$OUT/injection_threshold.json" 2>&1 | tee "$OUT/threshold_log.txt"
  $PY benchmarks/injection_fez.py --workers "$W" --aer-shots 4 --pauli-shots 2000 \
    --noiseless-shots 4 --out "$OUT/injection_fez.json" 2>&1 | tee "$OUT/fez_log.txt"
  exit 0
fi
$PY benchmarks/injection_threshold.py --workers "$W" --max-shots 30000 --max-errors 300 \
  --out "$OUT/injection_threshold.json" 2>&1 | tee "$OUT/threshold_log.txt"
$PY benchmarks/injection_fez.py --workers "$W" --aer-shots 1000 --pauli-shots 1000000 \
  --noiseless-shots 64 --out "$OUT/injection_fez.json" 2>&1 | tee "$OUT/fez_log.txt"
