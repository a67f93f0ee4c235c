#!/usr/bin/env bash
# Issue 14 (pulse METs of Long et al. 2024) on the lent H200, run from the repo root with $OUT.
# One process (one JAX start): the four headline molecular METs (max over the bond-distance
# scan; per-r bisection on the paper's time grid, all r x starts of a round in one vmapped
# L-BFGS batch), then Haar transitions for 2, 3, 4 qubits and the 2-qubit drive-bound check
# (IQ bound x8 = the paper's 56.6 MHz).  Every part has its own time budget (checked between
# rounds) and the JSON is rewritten after each part; the brackets of the running round are
# in $OUT/partial.json.  Total <= ~400 s.  QUICK=1: tiny sizes to test on a CPU.
set -u
OUT=${OUT:-/tmp/issue14-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
python3 -c "import threadpoolctl" 2>/dev/null || {  # only grape.py's L-BFGS-B path uses it
  mkdir -p /tmp/i14stub
  printf 'import contextlib\nclass ThreadpoolController:\n    def limit(self, **kw):\n        return contextlib.nullcontext()\n' > /tmp/i14stub/threadpoolctl.py
  export PYTHONPATH=$PYTHONPATH:/tmp/i14stub
}
nvidia-smi --query-gpu=name,memory.total --format=csv > "$OUT/log.txt" 2>&1
if [ "${QUICK:-0}" = 1 ]; then
  A="--r-points 2 --restarts 1 --maxiter 10 --grid-points 4 --pairs 2"
  A="$A --drive-check 8,2,60,4 --budget-s 1"; T=3000
  C=${QUICK_CASES:-h2}; H=${QUICK_HAAR:-2}
else
  # budgets (s): h2, heh+, h2-10mhz, lih, haar 4/2/3 qubits, drive check (h2 and heh+,
  # haar 2 and the drive check share compiled kernels: same shapes)
  A="--restarts 3 --maxiter 200 --r-points 80,80,80,10 --pairs 32,128,64"
  A="$A --drive-check 8,128,60,60 --substeps 120,120,0,0"
  A="$A --budget-s 40,30,45,40,45,30,25,30"; T=410; C=h2,heh+,h2-10mhz,lih; H=4,2,3
fi
timeout -s INT $T python3 benchmarks/pulse_met_paper.py --cases $C --haar $H $A --out "$OUT/pulse_met_paper_gpu.json" --partial "$OUT/partial.json" \
  >> "$OUT/log.txt" 2>&1
ls -la "$OUT" >> "$OUT/log.txt"
