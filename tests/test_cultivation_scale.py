"""Cultivation sampling at scale: executors, streaming, resume/extension, Ctrl-C, CLI checks.

References: the serial in-process run (counts must not depend on the executor or the number
of workers), a fresh run of the extended size, and qiskit / qiskit-aer for the QASM file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from typer.testing import CliRunner

from circuits.cli import app
from circuits.cultivation import cultivation_circuit, sample, uniform_depolarizing
from circuits.cultivation.sampling import SamplingInterrupted

runner = CliRunner()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _key(s):
    return s.shots, s.discards, s.errors


@pytest.fixture(scope="module")
def noisy():
    return cultivation_circuit(3, noise=uniform_depolarizing(6e-3))


def test_counts_identical_for_serial_processes_and_dask(noisy):
    """Acceptance 1: same seed and chunk size, same counts in-process, on 2 local processes
    and on a 2-worker Dask LocalCluster (also with the error budget)."""
    from distributed import LocalCluster

    kw = dict(seed=11, chunk_shots=5_000)
    serial = sample(noisy, 60_000, **kw)
    procs = sample(noisy, 60_000, num_workers=2, **kw)
    budget = sample(noisy, 10**18, max_errors=3, **kw)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        dask = sample(noisy, 60_000, executor="dask", scheduler=cluster.scheduler_address, **kw)
        remote = sample(noisy, 10**18, max_errors=3, executor="dask",
                        scheduler=cluster.scheduler_address, **kw)
    assert serial.errors > 0 and _key(serial) == _key(procs) == _key(dask)
    assert budget.errors >= 3 and _key(budget) == _key(remote)
    # and a different chunk size is a different (but statistically equal) run
    assert _key(sample(noisy, 60_000, seed=11, chunk_shots=7_000)) != _key(serial)


@pytest.mark.slow
def test_dask_local_cluster_of_n_workers(noisy):
    """``executor="dask"`` without a scheduler starts its own LocalCluster of num_workers."""
    kw = dict(seed=11, chunk_shots=5_000)
    assert _key(sample(noisy, 30_000, num_workers=2, executor="dask", **kw)) == \
        _key(sample(noisy, 30_000, **kw))


def test_resume_extends_to_more_shots_and_errors(noisy):
    """Acceptance 1: a run extended from N to 2N shots equals a fresh 2N run (N not a
    multiple of the chunk: the partial last chunk is sampled again in full)."""
    states: list[dict] = []
    half = sample(noisy, 23_000, seed=5, chunk_shots=4_000, checkpoint=states.append)
    assert half.shots == 23_000 and states[-1]["tail"] is not None
    state = json.loads(json.dumps(states[-1]))
    extended = sample(noisy, 46_000, seed=5, chunk_shots=4_000, resume=state)
    assert _key(extended) == _key(sample(noisy, 46_000, seed=5, chunk_shots=4_000))
    # more errors: continue past the old budget = a fresh run with the larger budget
    states.clear()
    sample(noisy, 10**15, seed=5, chunk_shots=4_000, max_errors=2, checkpoint=states.append)
    more = sample(noisy, 10**15, seed=5, chunk_shots=4_000, max_errors=6, resume=states[-1])
    assert _key(more) == _key(sample(noisy, 10**15, seed=5, chunk_shots=4_000, max_errors=6))
    with pytest.raises(ValueError, match="below the"):
        sample(noisy, 10_000, seed=5, chunk_shots=4_000, resume=state)
    with pytest.raises(ValueError, match="chunk_shots"):
        sample(noisy, 46_000, seed=5, chunk_shots=3_000, resume=state)


def test_interrupt_keeps_counts(noisy, monkeypatch):
    calls = []

    def progress(done, total, discards, errors):
        calls.append(done)
        if len(calls) == 3:
            raise KeyboardInterrupt

    with pytest.raises(SamplingInterrupted) as info:
        sample(noisy, 10**20, seed=2, chunk_shots=3_000, progress=progress)
    assert info.value.stats.shots == 9_000 == info.value.state["full"]["shots"]
    resumed = sample(noisy, 30_000, seed=2, chunk_shots=3_000, resume=info.value.state)
    assert _key(resumed) == _key(sample(noisy, 30_000, seed=2, chunk_shots=3_000))


def _cli(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    # a shell runs background jobs with SIGINT ignored, and Python keeps an inherited
    # SIG_IGN (no KeyboardInterrupt): give the CLI the default disposition, as a terminal would
    return subprocess.Popen([sys.executable, "-m", "circuits.cli", "cultivate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def test_cli_huge_shots_stream_to_the_error_budget(tmp_path):
    """Acceptance 4 / issue 12: --shots 10**20 --max-errors streams the chunks (no list of
    them: the peak memory grows by little) and stops at the error budget."""
    import resource

    out = tmp_path / "budget"
    sample(cultivation_circuit(3, noise=uniform_depolarizing(1e-2)), 1000)  # warm imports
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    res = runner.invoke(app, ["cultivate", "--out", str(out), "--p", "1e-2", "--shots",
                              "10**20", "--max-errors", "4", "--chunk-shots", "100000",
                              "--seed", "3"])
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert res.exit_code == 0, res.output
    stats = json.loads((out / "stats.json").read_text())
    assert stats["errors"] >= 4 and stats["run"]["status"] == "error budget reached"
    assert grown < 400e6  # a list of 1e15 chunks would not fit; batches of shots do
    ref = sample(cultivation_circuit(3, noise=uniform_depolarizing(1e-2)), 10**20, seed=3,
                 chunk_shots=100_000, max_errors=4)
    assert stats["shots"] == ref.shots and stats["errors"] == ref.errors


def test_cli_ctrl_c_stops_fast_and_keeps_counts(tmp_path):
    """Acceptance 4 / issue 12: SIGINT to ``tnqc cultivate --shots 1e13`` writes the counts
    so far within a second, exits 130 and says how to resume."""
    out = tmp_path / "sigint"
    args = ["--out", str(out), "--p", "1e-3", "--shots", "1e13", "--chunk-shots", "50000"]
    proc = _cli(*args)
    deadline = time.time() + 120
    while not (out / "checkpoint.json").exists() and time.time() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGUSR1)  # prints the stacks and carries on
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    sent = time.time()
    while not (out / "stats.json").exists() and time.time() < sent + 20:
        time.sleep(0.02)
    written = time.time() - sent
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # make a hang diagnosable: the CLI dumps its stacks
        proc.send_signal(signal.SIGUSR1)
        time.sleep(2.0)
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"no exit 60 s after SIGINT (stats.json: {(out / 'stats.json').exists()})"
                    f"; stacks on SIGUSR1:\n{err[-6000:]}")
    assert proc.returncode == 130 and "--resume" in err
    assert "most recent call first" in err  # the SIGUSR1 stack dump (tnqc main)
    assert written < 1.0  # counts on disk within a second of Ctrl-C
    stats = json.loads((out / "stats.json").read_text())
    state = json.loads((out / "checkpoint.json").read_text())
    assert stats["run"]["status"] == "interrupted" and stats["shots"] > 0
    assert stats["shots"] == state["full"]["shots"] + (state["tail"] or {"shots": 0})["shots"]


def test_cli_resume_extends_and_reports(tmp_path):
    out = tmp_path / "run"
    base = ["cultivate", "--out", str(out), "--p", "6e-3", "--seed", "9", "--chunk-shots",
            "7000"]
    assert runner.invoke(app, [*base, "--shots", "20000"]).exit_code == 0
    res = runner.invoke(app, [*base, "--shots", "40000", "--resume"])
    assert res.exit_code == 0 and "extended from 20000 shots" in res.output
    report = json.loads((out / "report.json").read_text())
    assert report["run"]["extended_from"] == {"shots": 20000, "max_errors": None}
    ref = sample(cultivation_circuit(3, noise=uniform_depolarizing(6e-3)), 40_000, seed=9,
                 chunk_shots=7_000)
    assert report["stats"]["discards"] == ref.discards
    assert report["stats"]["errors"] == ref.errors
    # a changed option that determines the counts is named
    res = runner.invoke(app, [*base[:-1], "8000", "--shots", "40000", "--resume"])
    assert res.exit_code == 2 and "--chunk-shots 8000" in res.output
    res = runner.invoke(app, [*base, "--shots", "40000"])
    assert res.exit_code == 2 and "--resume" in res.output
    (out / "checkpoint.json").write_text("{not json")
    before = (out / "stats.json").read_text()
    res = runner.invoke(app, [*base, "--shots", "50000", "--resume"])
    assert res.exit_code == 2 and "checkpoint.json" in res.output
    assert (out / "stats.json").read_text() == before


@pytest.mark.parametrize("extra, message", [
    (["--max-errors", "0"], "--max-errors must be in"),
    (["--d2", "9"], "--d2 applies only to --stage escape"),
    (["--gap", "40"], "--gap applies only to --stage escape"),
    (["--r2", "3"], "--r2 applies only to --stage escape"),
    (["--stage", "escape", "--gap", "-5"], "--gap must be a finite number"),
    (["--stage", "escape", "--r2", "0"], "--r2 must be >= 1"),
    (["--stage", "escape", "--protocol", "rp2", "--r2", "2"], "--r2 applies only to"),
    (["--shots", "1e30"], "--shots must be in"),
    (["--shots", "2.5"], "--shots must be an integer"),
    (["--workers", "0"], "--workers must be in"),
    (["--executor", "ray"], "--executor must be local or dask"),
    (["--scheduler", "tcp://x:1"], "--scheduler needs --executor dask"),
    (["--force", "--resume"], "exclude each other"),
    (["--resume"], "cannot resume"),
])
def test_cli_refuses_bad_options_before_writing(tmp_path, extra, message):
    out = tmp_path / "x"
    res = runner.invoke(app, ["cultivate", "--out", str(out), "--shots", "1000", *extra])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not out.exists()


def test_qasm_loads_in_qiskit_and_detectors_hold(tmp_path):
    """Issue 12: circuit.qasm loads with qiskit.qasm3.loads and qiskit_qasm3_import; run on
    qiskit-aer's stabiliser simulator every detector parity written beside it is 0."""
    import qiskit.qasm3
    import qiskit_qasm3_import
    from qiskit_aer import AerSimulator

    out = tmp_path / "q"
    res = runner.invoke(app, ["cultivate", "--out", str(out), "--p", "0", "--shots", "10"])
    assert res.exit_code == 0, res.output
    text = (out / "circuit.qasm").read_text()
    qc = qiskit.qasm3.loads(text)
    assert qiskit_qasm3_import.parse(text).num_qubits == qc.num_qubits == 15
    dets = [[int(k) for k in line.split("=")[1].replace("c[", "").replace("]", "").split("^")]
            for line in text.splitlines() if line.startswith("// dets[")]
    assert len(dets) == 20
    memory = AerSimulator(method="stabilizer").run(qc, shots=64, memory=True).result() \
        .get_memory()
    bits = np.array([[int(b) for b in m.replace(" ", "")[::-1]] for m in memory])
    parities = np.array([bits[:, d].sum(axis=1) % 2 for d in dets])
    assert bits.shape == (64, qc.num_clbits) and not parities.any()


def test_gap_decoder_graph_agrees_with_stims_decomposition():
    """Our decomposition of the undecomposed error model against stim's decomposer where it
    succeeds: the same graph-like pieces on decoded detectors with the same flips, plus the
    colour-code pieces stim cannot split (which the old decoder dropped)."""
    from collections import defaultdict

    import stim

    from circuits.cultivation import GapDecoder, end_to_end_circuit
    from circuits.cultivation.sampling import postselection_mask

    noisy = end_to_end_circuit(3, 6, r1=2, r2=1, noise=uniform_depolarizing(1e-3))
    decoder = GapDecoder(noisy)
    edges, decoded = decoder.graph()
    hidden = decoder.postselected  # the circuit's post-selection plus GSJ's flip edges
    assert hidden.sum() == postselection_mask(noisy).sum() + 1
    local = {int(d): i for i, d in enumerate(decoded)}
    dem = noisy.detector_error_model(decompose_errors=True, ignore_decomposition_failures=True)
    stim_pieces: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for inst in dem.flattened():
        if inst.type != "error":
            continue
        pieces, cur = [], [[], 0]
        for t in [*inst.targets_copy(), stim.target_separator()]:
            if t.is_separator():
                pieces.append(cur)
                cur = [[], 0]
            elif t.is_relative_detector_id():
                cur[0].append(int(t.val))
            elif t.is_logical_observable_id():
                cur[1] ^= 1
        if any(len(d) > 2 or hidden[d].any() for d, _ in pieces if d):
            continue
        for d, f in pieces:
            if d:
                stim_pieces[tuple(sorted(local[x] for x in d))][f] += inst.args_copy()[0]
    assert len(stim_pieces) > 100
    same_flip = [edges[k][1] == int(v[1] > v[0]) for k, v in stim_pieces.items() if k in edges]
    assert len(same_flip) >= 0.99 * len(stim_pieces) and np.mean(same_flip) > 0.99
    assert len(edges) > len(stim_pieces)  # the pieces stim leaves undecomposed
