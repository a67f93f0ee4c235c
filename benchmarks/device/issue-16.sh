#!/usr/bin/env bash
# Issue 16 (magic-state injection on heavy-hex): fake_fez tomography (Aer with the backend's
# noise model, stim with its Pauli version) and the threshold sweep (sinter + pymatching),
# on the device's CPU cores.  Each part writes partial results as it goes (JSON after each
# section, sinter CSV per point).  QUICK=1 runs a tiny version for testing.
set -uo pipefail
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1
OUT="${OUT:-/tmp/issue16_out}"
mkdir -p "$OUT"
W=$(nproc)
PY=${PYTHON:-python3}
if [ "${QUICK:-0}" = 1 ]; then
  AER=4; PAULI=2000; THR="--quick --max-shots 500 --max-errors 50"; T1=600; T2=600
else
  AER=500; PAULI=500000; THR="--max-shots 20000 --max-errors 200"; T1=50; T2=62
fi
timeout -s INT "$T1" $PY benchmarks/injection_fez.py --workers "$W" --aer-shots "$AER" \
  --pauli-shots "$PAULI" --noiseless-shots 32 --out "$OUT/injection_fez.json" 2>&1 \
  | tee "$OUT/fez_log.txt"
# shellcheck disable=SC2086
timeout -s INT "$T2" $PY benchmarks/injection_threshold.py --workers "$W" $THR \
  --csv "$OUT/threshold_stats.csv" --out "$OUT/injection_threshold.json" 2>&1 \
  | tee "$OUT/threshold_log.txt"
ls -la "$OUT"
