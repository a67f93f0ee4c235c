# How benchmarks/results/pulse_met_paper.json was merged (run from the repo root; the
# verdicts, headline and CPU grid-point checks are kept from the current file).
R=benchmarks/results/pulse_met_paper
python benchmarks/pulse_met_paper_merge.py $R/cpu_h2.json $R/gpu_run1.json $R/gpu_run2.json $R/gpu_run3.json $R/gpu_run4_haar2.json $R/gpu_run4_haar34.json $R/gpu_run5_haar4_long.json $R/gpu_run6_haar4_50ns.json $R/gpu_run6_haar3_100ns.json $R/gpu_run6_haar_884khz.json \
  --keep-from benchmarks/results/pulse_met_paper.json \
  --note "cpu_h2.json=branch issue-14 at 5e175d8, 2 shared CPU cores (load ~15)" \
  --note "gpu_run1.json=branch issue-14 at 068afa4 on the H200: batched-BLAS 4x4 products (0.35 s per iteration at batch 1440), stopped by a crash in the T = 0 re-simulation after one round of H2 and HeH+" \
  --note "gpu_run2.json=branch issue-14 at 9769568 on the H200 (neighbour warm start = the neighbour's pulse at its MET)" \
  --note "gpu_run3.json=main at ac5a3b4 on the H200 (PART=3 of benchmarks/device/issue-14.sh, session 3): HeH+ and H2 at 10 MHz 27 evenly spread r (the refine stage not reached in the budget), LiH 4 r at 800 iterations per round and 0.1 ns steps, 2-qubit Haar at IQ x8" \
  --note "gpu_run4_haar2.json=branch issue-14-s3 at 953a5da on the H200, sharing the GPU with another job (PART=4): 2-qubit Haar at the paper's grid; the first 32-pair chunk was cut by the 90 s budget after 2 search rounds (METs in partial_chunk are upper bounds)" \
  --note "gpu_run4_haar34.json=branch issue-14-s3 at 953a5da on the H200, sharing the GPU (PART=4): 3 and 4 qubits, 200 iterations per round, 2 starts per test time" \
  --note "gpu_run5_haar4_long.json=branch issue-14-s3 at 9145161 on the H200 (PART=6, batch B): 6 four-qubit pairs at 60 ns only, one round of up to 900 iterations (history 50); cut by its 33 s budget with 3 pairs reached (partial_chunk)" \
  --note "gpu_run6_haar4_50ns.json=main at 4fceb6c on the H200, four processes sharing the GPU (PART=7 of benchmarks/device/issue-14.sh, session 4): 16 four-qubit pairs at 49.655 ns only (the paper's grid point below 50 ns), full BFGS (--memory 0), up to 1500 iterations; cut by its 200 s budget in round 2 (partial_chunk: 10 of 16 reached)" \
  --note "gpu_run6_haar3_100ns.json=main at 4fceb6c on the H200, sharing the GPU (PART=7): 8 three-qubit pairs at 100 ns only (the end of the paper's grid), full BFGS, up to 1500 iterations, 2 rounds" \
  --note "gpu_run6_haar_884khz.json=main at 4fceb6c on the H200, sharing the GPU (PART=7): 16 two-qubit pairs at the 884 kHz drive bound (x0.125) on (1800 ns, 45 points), L-BFGS (history 10), 300 iterations per round; cut by its 400 s budget after 2 rounds with none reached (infidelity 0.009-0.49 at the longest tested time)" \
  --verify $R/gpu_run4_h2_10mhz_verify.json --verify $R/gpu_run4_lih_verify.json \
  --verify $R/gpu_run5_h2_10mhz_settle.json --verify $R/gpu_run5_lih_fidelity_weight.json \
  --verify $R/gpu_run6_lih_bfgs_vs_lbfgs.json --verify $R/gpu_run6_lih_bfgs_scan.json "$@" \
  --haar-out benchmarks/results/pulse_met_paper_haar.json --out benchmarks/results/pulse_met_paper.json > /dev/null
python benchmarks/pulse_met_paper_plot.py benchmarks/results/pulse_met_paper.json --out benchmarks/results/pulse_met_paper_haar.png
