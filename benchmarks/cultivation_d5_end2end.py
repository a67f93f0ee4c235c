"""d1 = 5 end to end, GSJ vs RP^2, toward the 1e-9 regime: sampled on several machines by the
seed-and-chunk scheme, combined, with confidence intervals and a stated extrapolation.

Circuits (uniform depolarising p = 1e-3): GSJ ``end_to_end_circuit(5, 15)`` (injection,
cultivation at d = 5, escape into the d = 15 matchable code, r1 = 5, r2 = 5) and RP^2
``rp2_end_to_end_circuit(5, 11)`` (RP3 -> RP5 -> SC11), both decoded by
:class:`~circuits.cultivation.GapDecoder` with a gap histogram.

Modes
-----
``build --out DIR``
    Write the two noisy circuits (``d5_gsj.stim``, ``d5_rp2.stim``): building them takes
    minutes, so the sampling machines read them.
``sample --protocol gsj --circuit FILE --seconds T --first-chunk K --out FILE``
    Sample chunks ``K, K+1, ...`` (seed 2026, chunks of 2^12 shots) for about ``T``
    seconds on ``--workers`` (Dask ``LocalCluster`` or local processes); only whole chunks
    count, so the file holds the counts of chunks ``[K, K + n)``.
``combine FILE... --out JSON``
    Check that the files share seed and chunk size and have disjoint chunk ranges, add
    them up (one run of the total size), and report per protocol the gap sweep with 95%
    Clopper-Pearson intervals, the space-time volume per kept state, and an extrapolation
    to 1e-9 (a fit ``log10 rate = a - b * gap`` on the thresholds with errors, stated as an
    extrapolation), beside the RP^2 paper's ~10x claim.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import time
from pathlib import Path

SEED = 2026
CHUNK = 1 << 12
PROTOCOLS = {"gsj": "GSJ d1=5 -> d2=15 (r1=5, r2=5)", "rp2": "RP^2 RP3->RP5->SC11",
             "gsj3": "GSJ d1=3 -> d2=15 (r1=3, r2=5), the decoder comparison"}

# GSJ 2024, assets/stats.csv, "end2end-inplace-distillation", uniform p = 1e-3, decoder
# "desaturation": shots and {gap threshold dB: [kept, errors]} (sums of the C/E counts).
GSJ_REF = {
    "gsj3": (1_000_000_000, {0: [538742143, 1656461], 5: [536728882, 894550],
                             10: [534778357, 514058], 15: [532301072, 317671],
                             20: [528854519, 212658], 25: [518465187, 93275],
                             30: [504535615, 47626], 35: [487078987, 25164],
                             40: [471154637, 15137], 45: [423967169, 6213],
                             50: [377010407, 1443], 55: [345163249, 869],
                             60: [314363775, 585], 65: [265980776, 409]}),
    "gsj": (1_000_000_000_000, {0: [51861419877, 27230581], 10: [51806725765, 10691424],
                                20: [51710804176, 5053121], 30: [51441002385, 2467861],
                                40: [50925304512, 605989], 50: [49623913744, 122560],
                                60: [47395226396, 41088], 70: [42691377816, 12776],
                                80: [33819325885, 3044], 90: [24009728915, 789],
                                100: [13694425252, 26]}),
}


def at_discard(hist: dict[int, list[int]], shots: int, discard: float) -> dict:
    """Our errors per kept shot at GSJ's discard rate: the gap bins from the top down
    until the kept fraction is ``1 - discard``, the last bin taken in proportion."""
    target = shots * (1 - discard)
    kept = errors = 0.0
    for g in sorted(hist, reverse=True):
        k, e = hist[g]
        if kept + k >= target:
            frac = (target - kept) / k if k else 0.0
            kept, errors = target, errors + frac * e
            break
        kept, errors = kept + k, errors + e
    n, m = round(kept), round(errors)
    return {"discard_rate": 1 - kept / shots, "kept": n, "errors": m,
            "logical_error_rate": errors / kept if kept else math.nan, "ci95": _ci(m, n)}


def decoder_kind(decoder) -> str:
    """``virtual-pairs`` when the GapDecoder matches colour triplets through virtual pair
    nodes (GSJ's desaturation graph), ``clipped`` for the earlier all-clipped graph."""
    n = getattr(decoder, "_n_nodes", None)
    return "virtual-pairs" if n is not None and n > len(decoder.graph()[1]) else "clipped"


def _key(run: dict) -> str:
    """Runs combine per protocol and decoder (older run files: the clipped decoder)."""
    kind = run.get("decoder", "clipped")
    return run["protocol"] if kind == "clipped" else f"{run['protocol']}+{kind}"


def _vs_gsj_reference(rp2: dict) -> list[dict]:
    """RP^2's measured rows (>= 3 errors: point estimate; fewer: 95% upper bound) against
    GSJ's own d1 = 5 curve (stats.csv, their decoder, 1e12 shots): the cheapest GSJ gap
    threshold reaching that error, both volumes in our unit (qubits x measurement layers /
    keep rate; GSJ's circuit: 463 qubits, 20 layers)."""
    g_shots, g_rows = GSJ_REF["gsj"]
    out = []
    for r in rp2["gap_sweep"]:
        err = r["logical_error_rate"] if r["errors"] >= 3 else r["ci95"][1]
        ok = [(gap, k, e) for gap, (k, e) in g_rows.items() if e / k <= err]
        if not ok:
            continue
        gap, k, e = min(ok, key=lambda t: -t[1])  # most shots kept = least volume
        vol = 463 * 20 * g_shots / k
        out.append({"rp2_gap_db": r["gap_db"], "rp2_error": err,
                    "rp2_error_is_upper_bound": r["errors"] < 3,
                    "rp2_expected_qubit_rounds": r["expected_qubit_rounds"],
                    "gsj_gap_db": gap, "gsj_error": e / k, "gsj_expected_qubit_rounds": vol,
                    "gsj_over_rp2_volume": vol / r["expected_qubit_rounds"]})
    return out


def build(out: Path) -> None:
    from circuits.cultivation import end_to_end_circuit, rp2_end_to_end_circuit
    from circuits.cultivation import uniform_depolarizing as ud

    out.mkdir(parents=True, exist_ok=True)
    for name, make in (("gsj", lambda: end_to_end_circuit(5, 15)),
                       ("rp2", lambda: rp2_end_to_end_circuit(5, 11)),
                       ("d3_15", lambda: end_to_end_circuit(3, 15, r1=3, r2=5))):
        t0 = time.perf_counter()
        c = ud(1e-3).apply(make())
        (out / f"d5_{name}.stim").write_text(str(c) + "\n")
        print(f"{name}: {c.num_qubits} qubits, {c.num_detectors} detectors, built in "
              f"{time.perf_counter() - t0:.0f} s", flush=True)


def run_sample(protocol: str, circuit_path: Path, seconds: float, first_chunk: int,
               workers: int, executor: str, out: Path, machine: str) -> None:
    import stim

    from circuits.cultivation import GapDecoder, sample
    from circuits.cultivation.sampling import SamplingInterrupted
    from mps.atomic import atomic_write_json

    t0 = time.perf_counter()
    text = circuit_path.read_text()
    circuit = stim.Circuit(text)
    decoder = GapDecoder(circuit)
    setup = time.perf_counter() - t0
    deadline = time.perf_counter() + seconds

    def stop_at_deadline(done: int, total: int, discards: int, errors: int) -> None:
        if time.perf_counter() > deadline:
            raise KeyboardInterrupt

    t1 = time.perf_counter()
    try:  # a huge shot count, stopped by the clock after a whole chunk
        stats = sample(circuit, CHUNK * 10**9, seed=SEED, chunk_shots=CHUNK,
                       decoder=decoder, num_workers=workers, executor=executor,
                       first_chunk=first_chunk, progress=stop_at_deadline)
    except SamplingInterrupted as exc:
        stats = exc.stats
    wall = time.perf_counter() - t1
    res = {"protocol": protocol, "seed": SEED, "chunk_shots": CHUNK,
           "circuit_sha256": hashlib.sha256(str(circuit).encode()).hexdigest(),
           "postselected_detectors": int(decoder.postselected.sum()),
           "decoder": decoder_kind(decoder),
           "first_chunk": first_chunk, "chunks": stats.shots // CHUNK, "machine": machine,
           "workers": workers, "executor": executor, "setup_seconds": setup,
           "sample_seconds": wall, "shots_per_second": stats.shots / wall,
           "stats": stats.to_dict()}
    atomic_write_json(out, res, overwrite=True)
    print(f"{protocol}: chunks [{first_chunk}, {first_chunk + res['chunks']}) = "
          f"{stats.shots} shots in {wall:.0f} s on {workers} workers, discard "
          f"{stats.discard_rate:.4f}, {stats.errors} errors in {stats.kept} kept", flush=True)


def _ci(k: int, n: int) -> list[float]:
    from scipy import stats as st

    if n == 0:
        return [0.0, 1.0]
    lo = 0.0 if k == 0 else float(st.beta.ppf(0.025, k, n - k + 1))
    hi = 1.0 if k == n else float(st.beta.ppf(0.975, k + 1, n - k))
    return [lo, hi]


def combine(files: list[Path], out: Path) -> dict:
    import numpy as np

    from mps.atomic import atomic_write_json

    runs = [json.loads(Path(f).read_text()) for f in files]
    result: dict = {"seed": SEED, "chunk_shots": CHUNK, "p": 1e-3, "noise": "uniform",
                    "protocols": {}}
    for protocol in sorted({_key(r) for r in runs}):
        mine = [r for r in runs if _key(r) == protocol]
        if not mine:
            continue
        ranges = sorted((r["first_chunk"], r["first_chunk"] + r["chunks"]) for r in mine)
        for (_a0, a1), (b0, _) in itertools.pairwise(ranges):
            if b0 < a1:
                raise ValueError(f"{protocol}: chunk ranges overlap: {ranges}")
        if any(r["seed"] != SEED or r["chunk_shots"] != CHUNK for r in mine):
            raise ValueError(f"{protocol}: runs differ in seed or chunk size")
        hashes = {r["circuit_sha256"] for r in mine if "circuit_sha256" in r}
        if len(hashes) > 1:
            raise ValueError(f"{protocol}: runs sampled different circuits")
        shots = sum(r["stats"]["shots"] for r in mine)
        hist: dict[int, list[int]] = {}
        for r in mine:
            for g, (k, e) in r["stats"]["gap_histogram"].items():
                cur = hist.setdefault(int(g), [0, 0])
                cur[0] += k
                cur[1] += e
        s0 = mine[0]["stats"]
        volume_unit = s0["num_qubits"] * s0["measurement_layers"]
        rows = []
        for gap in range(0, 101, 5):
            kept = sum(k for g, (k, _) in hist.items() if g >= gap)
            errors = sum(e for g, (_, e) in hist.items() if g >= gap)
            if kept == 0:
                break
            rows.append({"gap_db": gap, "kept": kept, "errors": errors,
                         "discard_rate": 1 - kept / shots,
                         "logical_error_rate": errors / kept, "ci95": _ci(errors, kept),
                         "expected_qubit_rounds": volume_unit * shots / kept})
        fit_rows = [r for r in rows if r["errors"] >= 3]
        extrap = None
        if len(fit_rows) >= 2:
            g = np.array([r["gap_db"] for r in fit_rows], float)
            y = np.log10([r["logical_error_rate"] for r in fit_rows])
            w = np.sqrt([r["errors"] for r in fit_rows])
            b, a = np.polyfit(g, y, 1, w=w)
            gap9 = (math.log10(1e-9) - a) / b if b < 0 else math.inf
            # discard rate at that gap: the measured one, at the largest threshold reached
            at = [r for r in rows if r["gap_db"] <= gap9]
            keep9 = (at[-1]["kept"] / shots) if at else math.nan
            beyond = gap9 > rows[-1]["gap_db"]
            extrap = {"fit": f"log10(rate) = {a:.3f} + ({b:.4f}) * gap_db",
                      "fit_thresholds_db": [int(x) for x in g],
                      "gap_db_at_1e-9": gap9, "keep_rate_at_1e-9": keep9,
                      "keep_rate_is_upper_bound": bool(beyond),
                      "expected_qubit_rounds_at_1e-9": volume_unit / keep9
                      if keep9 and keep9 > 0 else math.inf,
                      "note": "EXTRAPOLATION of the escape/decoding errors along the gap "
                              "threshold; the post-selected cultivation floor (GSJ: "
                              "3.5e-10 at d=5, p=1e-3) is not resolved by these shots"}
        ref = None
        base = protocol.split("+")[0]
        if base in GSJ_REF:
            g_shots, g_rows = GSJ_REF[base]
            ref = []
            no_cut = 1 - sum(v[0] for v in hist.values()) / shots
            for gap, (k, e) in g_rows.items():
                d = 1 - k / g_shots
                # below our no-cut discard (equal within the errors at GSJ's no-cut point)
                # the comparison is with our no-cut counts
                ours = at_discard(hist, shots, max(d, no_cut))
                ours["at_our_no_cut"] = d < no_cut
                lo, hi = ours["ci95"]
                ours["gsj_rate_inside_our_ci95"] = bool(lo <= e / k <= hi)
                ref.append({"gsj_gap_db": gap, "gsj_discard_rate": d, "gsj_kept": k,
                            "gsj_errors": e, "gsj_logical_error_rate": e / k,
                            "gsj_ci95": _ci(e, k), "ours_at_equal_discard": ours})
        result["protocols"][protocol] = {
            "gsj_reference_at_equal_discard": ref,
            "label": PROTOCOLS[base] + (f", decoder {protocol.split('+')[1]}"
                                        if "+" in protocol else ""), "shots": shots,
            "chunk_ranges": ranges, "machines": sorted({r["machine"] for r in mine}),
            "shots_by_machine": {m: sum(r["stats"]["shots"] for r in mine if r["machine"] == m)
                                 for m in sorted({r["machine"] for r in mine})},
            "qubits": s0["num_qubits"], "measurement_layers": s0["measurement_layers"],
            "gap_sweep": rows, "extrapolation": extrap}
    ps = result["protocols"]
    gsj_key = "gsj+virtual-pairs" if "gsj+virtual-pairs" in ps else "gsj"
    if all(p in ps and ps[p]["extrapolation"] for p in (gsj_key, "rp2")):
        v = {p: ps[p]["extrapolation"]["expected_qubit_rounds_at_1e-9"] for p in (gsj_key, "rp2")}
        result["gsj_over_rp2_volume_at_1e-9_extrapolated"] = v[gsj_key] / v["rp2"]
        result["gsj_protocol_used"] = gsj_key
    if "rp2" in ps:
        result["rp2_vs_gsj_stats_csv"] = _vs_gsj_reference(ps["rp2"])
    result["paper_claim"] = ("Chen, Chen, Lu, Pan 2025 (RP^2): about 10x smaller space-time "
                             "volume than GSJ at ~1e-9 per kept T state, p = 1e-3 uniform")
    atomic_write_json(out, result, overwrite=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("sample")
    s.add_argument("--protocol", choices=list(PROTOCOLS), required=True)
    s.add_argument("--circuit", type=Path, required=True)
    s.add_argument("--seconds", type=float, default=60)
    s.add_argument("--first-chunk", type=int, default=0)
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--executor", default="local")
    s.add_argument("--machine", default="this machine")
    s.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("combine")
    c.add_argument("files", type=Path, nargs="+")
    c.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    if args.mode == "build":
        build(args.out)
    elif args.mode == "sample":
        run_sample(args.protocol, args.circuit, args.seconds, args.first_chunk, args.workers,
                   args.executor, args.out, args.machine)
    else:
        res = combine(args.files, args.out)
        for _p, r in res["protocols"].items():
            print(f"{r['label']}: {r['shots']} shots from {r['shots_by_machine']}")
            for row in r["gap_sweep"][::2]:
                lo, hi = row["ci95"]
                print(f"  gap >= {row['gap_db']:3d} dB: discard {row['discard_rate']:.4f}, "
                      f"{row['errors']} / {row['kept']} = {row['logical_error_rate']:.3g} "
                      f"[{lo:.2g}, {hi:.2g}], {row['expected_qubit_rounds']:.0f} qubit-rounds")
            print(f"  extrapolation: {r['extrapolation']}")
        print(f"GSJ/RP^2 volume at 1e-9 (extrapolated): "
              f"{res.get('gsj_over_rp2_volume_at_1e-9_extrapolated')} -> {args.out}")


if __name__ == "__main__":
    main()
