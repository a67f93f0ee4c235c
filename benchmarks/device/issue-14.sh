#!/usr/bin/env bash
# Issue 14 (pulse METs of Long et al. 2024) on the lent H200, run from the repo root with $OUT.
# One process (one JAX start): the molecular METs (max over the bond-distance scan; per-r
# search on the paper's time grid inside a window, all r x test times x starts of a round
# in one vmapped batch of a projected L-BFGS with a parallel line search; one compilation
# per shape, timed), then Haar transitions.  Every part has a wall-clock budget and the JSON
# is rewritten after every round ($OUT/pulse_met_paper_gpu.json; log in $OUT/log.txt).
# PART=10 (default): session 5 batch 3 (gpu_run9_*.json). PART=9: session 5 batch 2 (gpu_run8_*.json). PART=8: prepared in session 4, run as session 5 batch 1
# (gpu_run7_*.json; LM ran out of GPU memory at batch 320 and at the 4-qubit Haar batch).
# PART=7 (session 4 batch 1, gpu_run6_*.json). PART=6 (session 3 batch B): H2 10 MHz below 83.92 ns, LiH with a conditioned
# cost, a 4-qubit Haar probe with long rounds (results: gpu_run5_*.json).
# PART=4 (session 3 batch A, H200 run 4, gpu_run4_*.json): Haar 2/3/4 qubits, H2 10 MHz
# verification of all 80 r, LiH with an L-BFGS history of 100.
# PART=5: 2-qubit Haar at the 884 kHz drive bound (not run).
# PART=1: molecules + a small 4-qubit Haar probe (H200 run 2, gpu_run2.json); PART=3:
# HeH+, H2 at 10 MHz, LiH with more iterations and the x8 Haar set (H200 run 3,
# gpu_run3.json); PART=2: Haar + drive checks (not run).
# PARTs 4-6 run several python processes, each with its own timeout.
# QUICK=1: tiny sizes to test on a CPU.
set -u
OUT=${OUT:-/tmp/issue14-out}
mkdir -p "$OUT"
export XLA_PYTHON_CLIENT_PREALLOCATE=false
. benchmarks/device/_env.sh  # the threadpoolctl stand-in where it is missing
nvidia-smi --query-gpu=name,memory.total --format=csv > "$OUT/log.txt" 2>&1
date -u >> "$OUT/log.txt"
PART=${PART:-10}
run() {  # run LIMIT_S SCRIPT ARGS...: one python process with its own wall-clock cap
  local lim=$1; shift
  echo "== $(date -u +%T) $*" >> "$OUT/log.txt"
  timeout -s INT -k 8 "$lim" python3 "$@" >> "$OUT/log.txt" 2>&1
  echo "exit $? ($(date -u +%T))" >> "$OUT/log.txt"
}
if [ "$PART" = 4 ]; then
  # session 3, batch A (~440 s): (1) Haar transitions at the paper's grids, 2 qubits
  # (3 search points per round, 2 random starts + the own pulse) and 3, 4 qubits (2 points,
  # 1 random + own, 5 line-search steps), pairs in chunks until each budget; the 2-qubit
  # run first times the sequential vs the parallel-slice kernel on its shape;
  # (2) H2 at 10 MHz: all 80 r at the paper's 84.3137 ns and the grid point below, with
  # neighbour warm starts; (3) LiH at the paper's 27.1654 ns, 4 r, L-BFGS history 100
  # (the paper's BFGS keeps the full Hessian; run 3 used 10), with convergence traces.
  # PART=5 (batch B, ~125 s): 2-qubit Haar at the 884 kHz drive bound (x0.125).
  if [ "${QUICK:-0}" = 1 ]; then
    H="--cases= --haar 2 --pairs 4 --haar-chunk 2 --haar-grid 40,5 --haar-step 2:2"
    H="$H --haar-maxiter 20 --points-per-round 2 --haar-restarts 1 --haar-verify-step 0.5"
    H="$H --kernel-compare --budget-s 60"; TH=400
    H4="--cases= --haar 3,4 --pairs 2 --haar-chunk 1,1 --haar-grid 20,3 --haar-step 3:2,4:2"
    H4="$H4 --haar-maxiter 10 --points-per-round 2 --haar-restarts 1 --alphas 1,0.3,0.05"
    H4="$H4 --haar-verify-step 1 --budget-s 60,60"; T4=300
    V="--r 3 --t 84.3137,83.9216 --restarts 1 --maxiter 30 --rounds 2 --max-step 3"
    V="$V --verify-step 1 --budget-s 60"; TV=200
    L="--r 1.2 --t 27.1654 --restarts 0 --maxiter 10 --rounds 1 --max-step 3 --verify-step 2"
    L="$L --trace --chunk 5 --budget-s 60"; TL=300
  else
    H="--cases= --haar 2 --pairs 1024 --haar-chunk 32 --haar-maxiter 300"
    H="$H --points-per-round 3 --haar-restarts 2 --kernel-compare --budget-s 90"; TH=140
    H4="--cases= --haar 3,4 --pairs 1024 --haar-chunk 8,6 --haar-maxiter 200"
    H4="$H4 --points-per-round 2 --haar-restarts 1 --alphas 2,1,0.4,0.1,0.02"
    H4="$H4 --budget-s 60,80"; T4=185
    V="--r all --t 84.3137,83.9216 --restarts 5 --maxiter 400,600,600 --rounds 3"
    V="$V --max-step 0.35 --budget-s 45"; TV=60
    L="--r 4 --t 27.1654 --restarts 3 --maxiter 2500 --rounds 1 --max-step 0.07 --trace"
    L="$L --memory 100 --budget-s 45"; TL=60
  fi
  run $TH benchmarks/pulse_met_paper.py $H --parallel-slices --out "$OUT/haar2.json"
  run $T4 benchmarks/pulse_met_paper.py $H4 --parallel-slices --out "$OUT/haar34.json"
  run $TV benchmarks/pulse_met_paper_verify.py --case h2-10mhz $V --parallel-slices \
    --out "$OUT/h2_10mhz_verify.json"
  run $TL benchmarks/pulse_met_paper_verify.py --case lih $L --parallel-slices \
    --out "$OUT/lih_verify.json"
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
if [ "$PART" = 10 ]; then
  # session 5, batch 3 (~520 s, three processes share the GPU), after batch 2 (PART=9)
  # showed full BFGS taking LiH at 27.1654 ns from 2.9e-6 to 4.1e-8 Ha in ~3300 iterations:
  # (1) run 6's 16 LiH r x {29.5276, 27.9528} ns continued with full BFGS until the budget;
  # (2) the next 64 two-qubit pairs (64..127) at the paper's drive and grid; (3) the next 16
  # four-qubit pairs (16..31) at 49.655 ns, up to 4000 iterations a round.
  R6=benchmarks/results/pulse_met_paper/gpu_run6_lih_bfgs_scan.json
  if [ "${QUICK:-0}" = 1 ]; then
    P="--pick 0 --maxiter 10 --substeps 3 --chunk 5 --budget-s 60"; TP=300
    H2="--first-pair 2 --pairs 4 --haar-chunk 2 --haar-grid 40,5 --haar-step 2:2"
    H2="$H2 --haar-maxiter 10 --haar-verify-step 0.5 --budget-s 60"; TH=300
    Q4="--first-pair 2 --haar-grid 20,2 --haar-step 4:2 --haar-maxiter 10 --pairs 4"
    Q4="$Q4 --haar-verify-step 1 --haar-chunk 2 --budget-s 60"; TQ=300
  else
    P="--pick all --maxiter 100000 --substeps 43 --chunk 50 --budget-s 440"; TP=500
    H2="--first-pair 64 --pairs 1024 --haar-chunk 64 --haar-maxiter 300 --budget-s 460"
    TH=500
    Q4="--first-pair 16 --haar-grid 49.655172,2 --haar-maxiter 4000 --pairs 32"
    Q4="$Q4 --haar-chunk 16 --budget-s 460"; TQ=500
  fi
  run $TP benchmarks/pulse_met_paper_polish.py --run $R6 --t-index all $P --method lbfgs \
    --memory 0 --out "$OUT/lih_scan_polish_bfgs.json" &
  run $TH benchmarks/pulse_met_paper.py --cases= --haar 2 $H2 --points-per-round 3 \
    --haar-restarts 2 --parallel-slices --out "$OUT/haar2_1024_b.json" &
  run $TQ benchmarks/pulse_met_paper.py --cases= --haar 4 $Q4 --points-per-round 1 \
    --haar-restarts 1 --memory 0 --parallel-slices --out "$OUT/haar4_50ns_b.json" &
  wait
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
if [ "$PART" = 9 ]; then
  # session 5, batch 2 (~560 s, four processes share the GPU), after batch 1 (PART=8) showed
  # LM out of GPU memory at batch 320 and no faster per unit time: full BFGS everywhere.
  # (1) the 16 four-qubit pairs of run 6 at 49.655 ns again, up to 4000 iterations a round
  # (settles the 6 left open); (2) 2-qubit Haar at 884 kHz, 8 pairs on (1800 ns, 5 points);
  # (3) LiH: run 5's best pulses at 27.1654 ns (r = 1.2, 1.89, 3.3) continued with full BFGS
  # until the budget (the convergence trace: how many iterations LiH needs); (4) 2-qubit Haar
  # at the paper's drive and grid, as many 64-pair chunks of the 1024 as the budget allows.
  if [ "${QUICK:-0}" = 1 ]; then
    Q4="--haar-grid 20,2 --haar-step 4:2 --haar-maxiter 10 --haar-verify-step 1 --pairs 2"
    Q4="$Q4 --haar-chunk 2 --budget-s 60"; TQ=300
    D="--drive-check 0.125,2,100,3 --haar-chunk-low 2 --haar-step-low 3 --haar-maxiter 10"
    D="$D --haar-verify-step 1 --budget-s 60"; TD=300
    P="--pick 0 --maxiter 10 --substeps 3 --chunk 5 --budget-s 60"; TP=300
    H2="--pairs 4 --haar-chunk 2 --haar-grid 40,5 --haar-step 2:2 --haar-maxiter 10"
    H2="$H2 --haar-verify-step 0.5 --budget-s 60"; TH=300
  else
    Q4="--haar-grid 49.655172,2 --haar-maxiter 4000 --pairs 16 --haar-chunk 16 --budget-s 480"
    TQ=510
    D="--drive-check 0.125,8,1800,5 --haar-chunk-low 8 --haar-maxiter 1500 --budget-s 480"
    TD=510
    P="--pick 0,1,3 --maxiter 100000 --chunk 50 --budget-s 450"; TP=510
    H2="--pairs 1024 --haar-chunk 64 --haar-maxiter 300 --budget-s 480"; TH=510
  fi
  run $TQ benchmarks/pulse_met_paper.py --cases= --haar 4 $Q4 --points-per-round 1 \
    --haar-restarts 1 --memory 0 --parallel-slices --out "$OUT/haar4_50ns_long.json" &
  run $TD benchmarks/pulse_met_paper.py --cases= $D --points-per-round 3 --haar-restarts 1 \
    --memory 0 --parallel-slices --out "$OUT/haar_884khz_bfgs.json" &
  run $TP benchmarks/pulse_met_paper_polish.py $P --method lbfgs --memory 0 \
    --out "$OUT/lih_polish_bfgs.json" &
  run $TH benchmarks/pulse_met_paper.py --cases= --haar 2 $H2 --points-per-round 3 \
    --haar-restarts 2 --parallel-slices --out "$OUT/haar2_1024.json" &
  wait
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
if [ "$PART" = 8 ]; then
  # session 4, batch 2 (~560 s, five processes share the GPU): Levenberg-Marquardt
  # (--method lm, circuits/pulse/batch_lm.py) after batch 1 showed full BFGS no faster than
  # L-BFGS: (1) LiH at 27.1654 ns, the run-5 problems (4 r x 4 starts, traced: the optimiser
  # comparison), (2) LiH, all 80 r at 27.1654 and 27.5591 ns, (3) 4-qubit and (4) 3-qubit
  # Haar grid searches (the paper's grids), (5) 2-qubit Haar at 884 kHz.
  M="--method lm --parallel-slices"
  if [ "${QUICK:-0}" = 1 ]; then
    L1="--r 1.2 --t 27.1654 --restarts 0 --maxiter 10 --rounds 1 --max-step 3 --verify-step 2"
    L1="$L1 --trace --chunk 5 --budget-s 60"; L2="${L1/--trace /}"; T1=300; T2=300
    H4="--pairs 2 --haar-chunk 2 --haar-grid 20,3 --haar-step 4:2 --haar-maxiter 10"
    H4="$H4 --haar-verify-step 1 --budget-s 60"; H3="${H4/4:2/3:2}"; T4=300; T3=300
    D="--drive-check 0.125,2,100,3 --haar-chunk-low 2 --haar-step-low 3 --haar-maxiter 10"
    D="$D --haar-verify-step 1 --budget-s 60"; TD=300
  else
    L1="--r 4 --t 27.1654 --restarts 3 --maxiter 400 --rounds 1 --max-step 0.07 --trace"
    L1="$L1 --chunk 5 --budget-s 150"; T1=170
    L2="--r all --t 27.5591,27.1654 --restarts 1 --maxiter 200,200,200 --rounds 3"
    L2="$L2 --max-step 0.07 --chunk 5 --budget-s 480"; T2=510
    H4="--pairs 16 --haar-chunk 16 --haar-maxiter 150 --budget-s 470"; T4=500
    H3="--pairs 16 --haar-chunk 16 --haar-maxiter 150 --budget-s 470"; T3=500
    D="--drive-check 0.125,16,1800,45 --haar-chunk-low 16 --haar-maxiter 120"
    D="$D --budget-s 470"; TD=500
  fi
  run $T1 benchmarks/pulse_met_paper_verify.py --case lih $L1 --fidelity-weight 0.1 $M \
    --out "$OUT/lih_lm_vs_bfgs.json" &
  run $T2 benchmarks/pulse_met_paper_verify.py --case lih $L2 --fidelity-weight 0.1 $M \
    --out "$OUT/lih_lm_scan.json" &
  run $T4 benchmarks/pulse_met_paper.py --cases= --haar 4 $H4 --points-per-round 2 \
    --haar-restarts 1 --chunk 5 $M --out "$OUT/haar4_lm.json" &
  run $T3 benchmarks/pulse_met_paper.py --cases= --haar 3 $H3 --points-per-round 2 \
    --haar-restarts 1 --chunk 5 $M --out "$OUT/haar3_lm.json" &
  run $TD benchmarks/pulse_met_paper.py --cases= $D --points-per-round 3 --haar-restarts 2 \
    --chunk 5 $M --out "$OUT/haar_884khz_lm.json" &
  wait
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
if [ "$PART" = 7 ]; then
  # session 4, batch 1 (~520 s; four processes share the GPU): full BFGS (--memory 0, the
  # dense inverse Hessian of the paper's scipy BFGS) where L-BFGS stalled in session 3:
  # (1) LiH, 16 r at 29.5276 and 27.9528 ns (grid points within +8.7 % / +2.9 % of the
  # paper's 27.1654), conditioned cost; (2) LiH at 27.1654 ns, the session-3 run-5 job with
  # memory 0 instead of 100 (same r, starts, iterations: the optimiser comparison);
  # (3) 4-qubit Haar pairs at 49.655 ns (the paper's grid point below 50 ns) and 3-qubit
  # pairs at 100 ns, long rounds; (4) 2-qubit Haar at the 884 kHz drive bound (x0.125).
  if [ "${QUICK:-0}" = 1 ]; then
    L1="--r 2 --t 29.5276 --restarts 1 --maxiter 10 --rounds 1 --max-step 3 --verify-step 2"
    L1="$L1 --chunk 5 --budget-s 60"; T1=300
    L2="--r 1.2 --t 27.1654 --restarts 0 --maxiter 10 --rounds 1 --max-step 3 --verify-step 2"
    L2="$L2 --trace --chunk 5 --budget-s 60"; T2=300
    Q4="--haar-grid 20,2 --haar-step 4:2 --haar-maxiter 10 --haar-verify-step 1 --pairs 2"
    Q4="$Q4 --haar-chunk 2 --budget-s 60"; Q3="${Q4/4:2/3:2}"; TQ=400
    D="--drive-check 0.125,2,100,3 --haar-chunk-low 2 --haar-step-low 3 --haar-maxiter 20"
    D="$D --haar-verify-step 1 --budget-s 60"; TD=300
  else
    L1="--r 16 --t 29.5276,27.9528 --restarts 1 --maxiter 1400,1400 --rounds 2"
    L1="$L1 --max-step 0.07 --budget-s 420"; T1=450
    L2="--r 4 --t 27.1654 --restarts 3 --maxiter 2800 --rounds 1 --max-step 0.07 --trace"
    L2="$L2 --budget-s 60"; T2=80
    Q4="--haar-grid 49.655172,2 --haar-maxiter 1500 --pairs 16 --haar-chunk 16 --budget-s 200"
    Q3="--haar-grid 100,2 --haar-maxiter 1500 --pairs 8 --haar-chunk 8 --budget-s 150"; TQ=220
    D="--drive-check 0.125,16,1800,45 --haar-chunk-low 16 --haar-maxiter 300"
    D="$D --budget-s 400"; TD=430
  fi
  run $T1 benchmarks/pulse_met_paper_verify.py --case lih $L1 --memory 0 --fidelity-weight 0.1 \
    --parallel-slices --out "$OUT/lih_bfgs_scan.json" &
  run $T2 benchmarks/pulse_met_paper_verify.py --case lih $L2 --memory 0 --fidelity-weight 0.1 \
    --parallel-slices --out "$OUT/lih_bfgs_vs_lbfgs.json" &
  # 4 qubits at the grid point 49.655 ns only, then 3 qubits at 100 ns only (grid (T, 2))
  ( run $TQ benchmarks/pulse_met_paper.py --cases= --haar 4 $Q4 --points-per-round 1 \
      --haar-restarts 1 --memory 0 --parallel-slices --out "$OUT/haar4_50ns.json"
    run $TQ benchmarks/pulse_met_paper.py --cases= --haar 3 $Q3 --points-per-round 1 \
      --haar-restarts 1 --memory 0 --parallel-slices --out "$OUT/haar3_100ns.json" ) &
  run $TD benchmarks/pulse_met_paper.py --cases= $D --points-per-round 3 --haar-restarts 2 \
    --parallel-slices --out "$OUT/haar_884khz.json" &
  wait
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
if [ "$PART" = 6 ]; then
  # session 3, batch B (~125 s), after batch A (all 80 r of H2 at 10 MHz reach 83.9216 ns;
  # LiH at 27.1654 ns still 7.7e-7 .. 9.4e-5 Ha after 1780 iterations):
  # (1) H2 at 10 MHz, the 43 r >= 1.70 A at the next three grid points below;
  # (2) LiH at 27.1654 ns optimising H + 0.1 Ha (1 - |g><g|) (same minimiser, conditioning
  # no longer set by the small gap), same starts as batch A; (3) see below.
  if [ "${QUICK:-0}" = 1 ]; then
    V="--r 2.0,3.3 --t 83.5294 --restarts 1 --maxiter 20 --rounds 2 --max-step 3"
    V="$V --verify-step 1 --budget-s 60"; TV=200
    L="--r 1.2 --t 27.1654 --restarts 0 --maxiter 10 --rounds 1 --max-step 3 --verify-step 2"
    L="$L --trace --chunk 5 --budget-s 60"; TL=300
  else
    V="--r $(python3 -c 'import numpy as n; print(",".join(f"{v:.6f}" for v in n.linspace(0.3,3.3,80)[37:]))')"
    V="$V --t 83.5294,83.1373,82.7451 --restarts 5 --maxiter 400,600 --rounds 2"
    V="$V --max-step 0.35 --budget-s 25"; TV=40
    L="--r 4 --t 27.1654 --restarts 3 --maxiter 2800 --rounds 1 --max-step 0.07 --trace"
    L="$L --memory 100 --budget-s 32"; TL=44
  fi
  run $TV benchmarks/pulse_met_paper_verify.py --case h2-10mhz $V --parallel-slices \
    --out "$OUT/h2_10mhz_settle.json"
  run $TL benchmarks/pulse_met_paper_verify.py --case lih $L --fidelity-weight 0.1 \
    --parallel-slices --out "$OUT/lih_fidelity_weight.json"
  # (3) is the 4-qubit Haar failure an iteration budget? 6 pairs at T = 60 ns only, one
  # round of up to 900 iterations (L-BFGS history 50) instead of 200 per test time
  if [ "${QUICK:-0}" = 1 ]; then
    P="--haar-grid 20,2 --haar-step 4:2 --haar-maxiter 10 --haar-verify-step 1 --budget-s 60"
    TP=300
  else
    P="--haar-grid 60,2 --haar-maxiter 900 --budget-s 33"; TP=44
  fi
  run $TP benchmarks/pulse_met_paper.py --cases= --haar 4 --pairs 6 --haar-chunk 6 \
    --points-per-round 1 --haar-restarts 2 --memory 50 $P --parallel-slices \
    --out "$OUT/haar4_long.json"
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
if [ "$PART" = 5 ]; then
  if [ "${QUICK:-0}" = 1 ]; then
    D="--drive-check 0.125,2,100,3 --haar-chunk-low 2 --haar-step-low 3 --haar-maxiter 20"
    D="$D --haar-verify-step 1 --budget-s 60"; TD=300
  else
    D="--drive-check 0.125,1024,1800,45 --haar-chunk-low 16 --haar-maxiter 300"
    D="$D --budget-s 105"; TD=122
  fi
  run $TD benchmarks/pulse_met_paper.py --cases= $D --points-per-round 3 --haar-restarts 2 \
    --parallel-slices --out "$OUT/haar_884khz.json"
  ls -la "$OUT" >> "$OUT/log.txt"
  exit 0
fi
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
