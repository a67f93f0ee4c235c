"""Shipped bond-distance tables of the paper's molecular Hamiltonians (no chemistry needed).

``circuits/pulse/data/molecules.npz`` holds, for each molecule, the 80-point scan of Long et
al. (2024) plus the check geometries: ``{mol}_r`` (Å, increasing), ``{mol}_h`` (Hartree,
``(R, 2^k, 2^k)`` real symmetric, little-endian: see :mod:`circuits.pulse.chem`) and
``{mol}_e0`` (lowest eigenvalue).  Scans (:data:`SCANS`): H2 ``linspace(0.3, 3.3, 80)``,
HeH+ ``linspace(0.65, 3.3, 80)``, LiH ``linspace(1.2, 3.3, 80)``; extra points
:data:`EXTRA_POINTS`.  The tables were generated with
``python -m circuits.pulse.tables`` (pyscf 2.14, :data:`circuits.pulse.chem.SCF_CONV_TOL`).

:func:`hamiltonian_at` returns the tabulated matrix when ``r`` is a table point (to 1e-9 Å);
any other distance is computed with pyscf when it is installed, and is a clear error
otherwise.

Example
-------
>>> from circuits.pulse.tables import hamiltonian_at, scan_distances
>>> h = hamiltonian_at("h2", 0.75)
>>> round(float(np.linalg.eigvalsh(h)[0]), 8)
-1.13711707
>>> scan_distances("lih").shape
(80,)
"""

from __future__ import annotations

import functools
from importlib import resources

import numpy as np

from mps._validate import check_real

__all__ = ["EXTRA_POINTS", "HF_INDEX", "SCANS", "hamiltonian_at", "scan_distances", "table"]

SCANS = {"h2": (0.3, 3.3, 80), "heh+": (0.65, 3.3, 80), "lih": (1.2, 3.3, 80)}
"""``(r_min, r_max, points)`` in Å of the paper's scans."""
EXTRA_POINTS = {"h2": (0.735, 0.75), "heh+": (0.772, 1.0), "lih": (1.5, 1.595)}
"""Check and equilibrium geometries (Å) shipped next to the scans."""
HF_INDEX = {"h2": 1, "heh+": 1, "lih": 3}
"""Basis index of the Hartree-Fock state (the paper's initial state)."""
SCAN_FORWARD = {"h2": True, "heh+": False, "lih": True}
"""Direction of the paper's warm-started scan (HeH+ runs from large r down)."""
TOL_R = 1e-9
_FILE = "molecules.npz"


def scan_distances(name: str) -> np.ndarray:
    """The paper's 80 bond distances (Å) of molecule ``name``."""
    _check_name(name)
    lo, hi, k = SCANS[name]
    return np.linspace(lo, hi, k)


def _check_name(name: str) -> None:
    if name not in SCANS:
        raise ValueError(f"molecule must be one of {tuple(SCANS)}, got {name!r}")


@functools.lru_cache(maxsize=1)
def _data() -> dict[str, np.ndarray]:
    with resources.files("circuits.pulse").joinpath("data", _FILE).open("rb") as fh:
        with np.load(fh) as z:
            return {k: z[k] for k in z.files}


def table(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(r, H, E0)`` of the shipped table of ``name`` (copies)."""
    _check_name(name)
    d = _data()
    return d[f"{name}_r"].copy(), d[f"{name}_h"].copy(), d[f"{name}_e0"].copy()


def hamiltonian_at(name: str, r: float) -> np.ndarray:
    """The qubit Hamiltonian (Hartree) of ``name`` at ``r`` Å: tabulated or via pyscf.

    Raises
    ------
    ValueError
        If ``r`` is not a table point and pyscf (the ``chem`` extra) is not installed.
    """
    _check_name(name)
    r = check_real(r, "r", minimum=0.0, strict=True)
    rs, hs, _ = (_data()[f"{name}_{k}"] for k in ("r", "h", "e0"))
    k = int(np.argmin(np.abs(rs - r)))
    if abs(rs[k] - r) <= TOL_R:
        return hs[k].copy()
    try:
        from .chem import molecular_hamiltonian, require_pyscf

        require_pyscf()
    except ImportError:
        lo, hi = rs[0], rs[-1]
        where = "outside" if not lo <= r <= hi else "between the points of"
        raise ValueError(
            f"bond distance r = {r} Å is {where} the shipped {name} table "
            f"([{lo:g}, {hi:g}] Å, {rs.size} points: the paper's scan and "
            f"{EXTRA_POINTS[name]}); install the chemistry extra (pip install 'tnqc[chem]') "
            "to compute other distances") from None
    return molecular_hamiltonian(name, r)


def build_tables(path) -> None:  # pragma: no cover - needs pyscf; run once offline
    """Generate the shipped tables with pyscf (``python -m circuits.pulse.tables``)."""
    from .chem import molecular_hamiltonian

    out = {}
    for name in SCANS:
        rs = np.unique(np.concatenate([scan_distances(name), EXTRA_POINTS[name]]))
        hs = np.stack([molecular_hamiltonian(name, float(r)) for r in rs])
        out[f"{name}_r"], out[f"{name}_h"] = rs, hs
        out[f"{name}_e0"] = np.linalg.eigvalsh(hs)[:, 0]
    np.savez_compressed(path, **out)


if __name__ == "__main__":  # pragma: no cover
    from pathlib import Path

    target = Path(__file__).with_name("data") / _FILE
    target.parent.mkdir(exist_ok=True)
    build_tables(target)
    print(f"wrote {target}")
