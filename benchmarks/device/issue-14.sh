#!/usr/bin/env bash
# Issue 14 (pulse METs of Long et al. 2024) on the lent H200, run from the repo root with $OUT.
# One process (one JAX start): the molecular METs (max over the bond-distance scan; per-r
# search on the paper's time grid inside a window, all r x test times x starts of a round
# in one vmapped batch of a projected L-BFGS with a parallel line search; one compilation
# per shape, timed), then Haar transitions.  Every part has a wall-clock budget and the JSON
# is rewritten after every round ($OUT/pulse_met_paper_gpu.json; log in $OUT/log.txt).
# PART=1: molecules + a small 4-qubit Haar probe (H200 run 2, results in
# benchmarks/results/pulse_met_paper/gpu_run2.json); PART=3: HeH+, H2 at 10 MHz, LiH with more
# iterations and the x8 Haar set; PART=2: Haar + drive checks (3 and 2 were not run: the
# session's device budget was spent).
# QUICK=1: tiny sizes to test on a CPU.
set -u
OUT=${OUT:-/tmp/issue14-out}
mkdir -p "$OUT"
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH}
export XLA_PYTHON_CLIENT_PREALLOCATE=false
python3 -c "import threadpoolctl" 2>/dev/null || {  # only grape.py's L-BFGS-B path uses it
  mkdir -p /tmp/i14stub
  printf 'import contextlib\nclass ThreadpoolController:\n    def limit(self, **kw):\n        return contextlib.nullcontext()\n' > /tmp/i14stub/threadpoolctl.py
  export PYTHONPATH=$PYTHONPATH:/tmp/i14stub
}
nvidia-smi --query-gpu=name,memory.total --format=csv > "$OUT/log.txt" 2>&1
date -u >> "$OUT/log.txt"
PART=${PART:-1}
if [ "${QUICK:-0}" = 1 ]; then
  A="--cases h2 --r-points 2 --restarts 1 --maxiter 20 --grid-points 31 --alphas 1,0.3,0.05"
  A="$A --haar 2 --pairs 2 --haar-grid 20,4 --haar-substeps 4 --drive-check 8,2,10,3 --points-per-round 2 --budget-s 200"; T=1200
elif [ "$PART" = 1 ]; then
  # h2, heh+, h2-10mhz share one kernel (2 qubits, 25 steps per slice, batch 20x3x6);
  # 20 evenly spread r, then the 20 scan points nearest the maximum (--refine)
  A="--cases h2,heh+,h2-10mhz,lih --r-points 20,20,20,6 --refine --substeps 25,25,25,0"
  A="$A --points-per-round 3,3,3,2 --restarts 2,2,2,1 --maxiter 150 --both-neighbours"
  A="$A --descent 2 --haar 4 --pairs 16 --budget-s 75,70,80,100,40"; T=400
elif [ "$PART" = 3 ]; then
  # (prepared, not run) after run 2 gave H2: HeH+ and H2 at 10 MHz (27 r then 27 near the max,
  # one shared kernel), LiH (4 r, 800 iterations per round, 0.1 ns steps), then the
  # 2-qubit Haar set at IQ bound x8 (the paper's 56.6 MHz, grid (100, 50), 16 pairs)
  A="--cases heh+,h2-10mhz,lih --r-points 27,27,4 --refine --substeps 25,25,32"
  A="$A --window 10,100,32 --points-per-round 3,3,2 --restarts 2 --maxiter 200,300,800"
  A="$A --both-neighbours --descent 3 --drive-check 8,16,100,50"
  A="$A --haar-maxiter 300 --budget-s 60,80,130,70"; T=405
else
  A="--cases= --haar 2,4 --pairs 64,64 --drive-check 8,64,100,50 --drive-check 0.125,16,1400,50 --points-per-round 2"
  A="$A --budget-s 130,100,60,70"; T=400
fi
timeout -s INT $T python3 benchmarks/pulse_met_paper.py $A --out "$OUT/pulse_met_paper_gpu.json" \
  >> "$OUT/log.txt" 2>&1
echo "exit $?" >> "$OUT/log.txt"
ls -la "$OUT" >> "$OUT/log.txt"
