"""The AQC objective: the exact overlap ``<psi|V(theta)|0>`` of a target MPS and a circuit.

Contraction
-----------
Every two-qubit block ``G`` on bond ``(i, i+1)`` is split exactly (no SVD,
linear in ``G``) as ``G = sum_k sigma_k ⊗ R_k`` with the Paulis
``sigma_k`` on qubit ``i`` and ``R_k = Tr_i[(sigma_k ⊗ I) G] / 2`` on qubit
``i+1``.  The network ``<psi| V |0...0>`` is then contracted site by site
from the left, carrying an environment of shape ``(chi, 4, ..., 4)``: the
target's bond and one leg of dimension 4 per block crossing the cut
(``ceil(L/2)`` or ``floor(L/2)`` of them).  No truncation is made, so the
overlap is exact; the cost is ``O(n chi^2 2^L)`` per evaluation, linear in
``n`` at fixed depth ``L`` and bond dimension ``chi``.

The target is padded to a uniform bond dimension and an even number of sites
(a virtual ``|0>`` site, on which every block is the identity), so the sweep
is a ``jax.lax.scan`` over pairs of sites: one compiled body, independent of
``n``.  After every site the environment is divided by its norm and the log
of the norm accumulated, so ``log|<psi|V|0>|`` stays finite even when the
overlap is far below the smallest float (the orthogonality catastrophe at
100+ qubits).  Everything runs in complex128 (JAX's x64 mode is enabled only
inside these functions) and is differentiated by ``jax.grad``.

Objectives (all minimised; see :mod:`aqc.compile` for why the default is
``"log"``):

* ``"infidelity"``: ``1 - F`` with ``F = |<psi|V|0>|^2``, the naive cost;
* ``"log"``: ``-log(F) / n``, the per-qubit log-infidelity.

Conventions: qubit ``i`` = MPS site ``i``; see :mod:`aqc.ansatz`.

Example
-------
>>> from mps import MPS
>>> from aqc.ansatz import BrickworkAnsatz
>>> from aqc.objective import Objective
>>> obj = Objective.build(MPS.zeros(4), BrickworkAnsatz(4, 2))
>>> round(obj.fidelity(obj.ansatz.zero_params()), 12)
1.0
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from mps import MPS

from .ansatz import BLOCK_PARAMS, BrickworkAnsatz

__all__ = ["OBJECTIVES", "Objective", "check_target", "pad_target"]

OBJECTIVES = ("log", "infidelity")

_SIGMA = np.array(
    [[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]], dtype=complex
)


def check_target(target: MPS, ansatz: BrickworkAnsatz) -> None:
    """Raise TypeError/ValueError unless ``target`` is a finite, normalised MPS on ``ansatz.n``."""
    if not isinstance(target, MPS):
        raise TypeError(f"target must be an mps.MPS, got {type(target).__name__}")
    if not isinstance(ansatz, BrickworkAnsatz):
        raise TypeError(f"ansatz must be an aqc.BrickworkAnsatz, got {type(ansatz).__name__}")
    if target.n != ansatz.n:
        raise ValueError(f"target has n={target.n} qubits but the ansatz has n={ansatz.n}")
    norm = target.norm()
    if not np.isfinite(norm):
        raise ValueError("target has non-finite entries")
    if abs(norm - 1.0) > 1e-8:
        raise ValueError(f"target must be normalised (norm 1), got norm {norm:.12g}")


def pad_target(state: MPS) -> np.ndarray:
    """Conjugated target tensors padded to ``(n_even, chi, 2, chi)``.

    ``n_even`` is ``n`` rounded up to even; an extra site holds ``<0|``.
    """
    n = state.n
    chi = max(max(t.shape[0], t.shape[2]) for t in state.tensors)
    n_pad = n + (n % 2)
    out = np.zeros((n_pad, chi, 2, chi), dtype=complex)
    for i, t in enumerate(state.tensors):
        out[i, : t.shape[0], :, : t.shape[2]] = t.conj()
    if n_pad > n:
        out[n, 0, 0, 0] = 1.0
    return out


# ------------------------------------------------------------- JAX gate algebra
def _u3(theta, phi, lam):
    c, s = jnp.cos(theta / 2), jnp.sin(theta / 2)
    row0 = jnp.stack([c, -jnp.exp(1j * lam) * s], axis=-1)
    row1 = jnp.stack([jnp.exp(1j * phi) * s, jnp.exp(1j * (phi + lam)) * c], axis=-1)
    return jnp.stack([row0, row1], axis=-2)


def _rz(angle):
    zero = jnp.zeros_like(angle)
    e = jnp.exp(-0.5j * angle)
    return jnp.stack(
        [jnp.stack([e, zero], -1), jnp.stack([zero, jnp.conj(e)], -1)], axis=-2
    )


def _kak_core(a, b, c):
    """exp(i(a XX + b YY + c ZZ)), shape (..., 4, 4); see ``ansatz.kak_core_np``."""
    z = jnp.zeros_like(a, dtype=complex)
    epp, emm = jnp.exp(1j * c), jnp.exp(-1j * c)
    cp, sp = epp * jnp.cos(a - b), 1j * epp * jnp.sin(a - b)
    cm, sm = emm * jnp.cos(a + b), 1j * emm * jnp.sin(a + b)
    rows = [
        jnp.stack([cp, z, z, sp], -1),
        jnp.stack([z, cm, sm, z], -1),
        jnp.stack([z, sm, cm, z], -1),
        jnp.stack([sp, z, z, cp], -1),
    ]
    return jnp.stack(rows, axis=-2)


def _kron2(a, b):
    return jnp.einsum("...ij,...kl->...ikjl", a, b).reshape(*a.shape[:-2], 4, 4)


def block_unitaries_jax(block: str, p):
    """JAX twin of :func:`aqc.ansatz.block_unitaries_np`."""
    if block == "su4":
        after = _kron2(_u3(p[:, 0], p[:, 1], p[:, 2]), _u3(p[:, 3], p[:, 4], p[:, 5]))
        before = _kron2(_u3(p[:, 9], p[:, 10], p[:, 11]), _u3(p[:, 12], p[:, 13], p[:, 14]))
        return after @ _kak_core(p[:, 6], p[:, 7], p[:, 8]) @ before
    core = _kak_core(-p[:, 0] / 2, -p[:, 1] / 2, -p[:, 2] / 2)
    return _kron2(_rz(p[:, 3]), _rz(p[:, 4])) @ core


# ------------------------------------------------------------- the contraction
def _site_update(env, logscale, tconj, r_site, v0, i_parity: int, layers: int):
    """Absorb one site: target tensor, its L gate pieces and its initial state.

    ``env`` legs: (x, one 4-leg per layer in which this site is the *second*
    qubit of a block, ascending).  Returns the env for the next cut (legs:
    y, one 4-leg per layer in which this site is the *first* qubit).
    """
    letters = "ABCDEFGHIJKLMNOPQRSTUVWabcdefghijklmnopqruvw"
    if layers > len(letters):
        raise ValueError(f"layers must be <= {len(letters)}")
    second = [lay for lay in range(layers) if (i_parity - 1 - lay) % 2 == 0]
    first = [lay for lay in range(layers) if (i_parity - lay) % 2 == 0]
    lab = {lay: letters[lay] for lay in range(layers)}
    cur = ["x", *[lab[lay] for lay in second]]
    # target: env (x, A..) * conj(T) (x, s, y) -> (A.., s, y)
    out = [*cur[1:], "s", "y"]
    m = jnp.einsum(f"{''.join(cur)},xsy->{''.join(out)}", env, tconj)
    cur = out
    for lay in range(layers - 1, -1, -1):
        if lay in second:  # contract the env leg with R_k of block (i-1, i)
            leg = lab[lay]
            out = [c if c != "s" else "t" for c in cur if c != leg]
            m = jnp.einsum(f"{''.join(cur)},{leg}st->{''.join(out)}", m, r_site[lay])
        else:  # open a new leg k with sigma_k of block (i, i+1)
            leg = lab[lay]
            out = [c if c != "s" else "t" for c in cur] + [leg]
            m = jnp.einsum(f"{''.join(cur)},{leg}st->{''.join(out)}", m, jnp.asarray(_SIGMA))
        cur = [c if c != "t" else "s" for c in out]
    final = ["y", *[lab[lay] for lay in first]]
    env = jnp.einsum(f"{''.join(cur)},s->{''.join(final)}", m, v0)
    nrm = jnp.sqrt(jnp.sum(jnp.abs(env) ** 2))
    return env / nrm, logscale + jnp.log(nrm)


def _log_overlap(params, target, bond_layers, bond_sites, *, n, layers, block):
    """``(log|<psi|V|0>|, phase)`` by a scan over pairs of sites."""
    n_pad, chi = target.shape[0], target.shape[1]
    npb = BLOCK_PARAMS[block]
    init = params[: 2 * n].reshape(n, 2)
    blocks = params[2 * n :].reshape(-1, npb)
    # initial single-qubit states RZ(b) RY(a)|0>, the virtual site stays |0>
    a, b = init[:, 0], init[:, 1]
    v0 = jnp.stack([jnp.cos(a / 2) * jnp.exp(-0.5j * b), jnp.sin(a / 2) * jnp.exp(0.5j * b)], 1)
    if n_pad > n:
        v0 = jnp.concatenate([v0, jnp.array([[1.0 + 0j, 0.0]])], axis=0)
    # gates on every bond slot (layer, j) with j = -1..n_pad-1; identity where no block
    eye = jnp.broadcast_to(jnp.eye(4, dtype=complex), (layers, n_pad + 1, 4, 4))
    gates = eye.at[bond_layers, bond_sites + 1].set(block_unitaries_jax(block, blocks))
    # second-qubit pieces R_k[o2, i2] = 1/2 sum conj(sigma_k[o1, i1]) G[o1, o2, i1, i2]
    g4 = gates.reshape(layers, n_pad + 1, 2, 2, 2, 2)
    r = 0.5 * jnp.einsum("kac,lpabcd->lpkbd", jnp.conj(jnp.asarray(_SIGMA)), g4)
    # r[l, j+1] belongs to bond (j, j+1); site i uses bond (i-1, i) -> index i
    r_sites = jnp.transpose(r[:, :n_pad], (1, 0, 2, 3, 4))  # (n_pad, L, 4, 2, 2)

    n_even_legs = sum(1 for lay in range(layers) if (0 - 1 - lay) % 2 == 0)
    env0 = jnp.zeros((chi,) + (4,) * n_even_legs, dtype=complex)
    env0 = env0.at[(0,) * (1 + n_even_legs)].set(1.0)

    def body(carry, xs):
        env, logscale = carry
        t_e, t_o, r_e, r_o, v_e, v_o = xs
        env, logscale = _site_update(env, logscale, t_e, r_e, v_e, 0, layers)
        env, logscale = _site_update(env, logscale, t_o, r_o, v_o, 1, layers)
        return (env, logscale), None

    xs = (target[0::2], target[1::2], r_sites[0::2], r_sites[1::2], v0[0::2], v0[1::2])
    (env, logscale), _ = jax.lax.scan(body, (env0, jnp.zeros((), dtype=float)), xs)
    amp = env[(0,) * env.ndim]
    return jnp.log(jnp.abs(amp)) + logscale, jnp.angle(amp)


# ------------------------------------------------------------- public value
@dataclass(frozen=True)
class Objective:
    """A compiled AQC objective for one target and one ansatz (a value, like an optax transform).

    Build with :meth:`Objective.build`.  All methods take NumPy parameter
    vectors and return NumPy/Python numbers.

    Attributes
    ----------
    ansatz : BrickworkAnsatz
    kind : {"log", "infidelity"}
        Which cost ``value_and_grad`` returns.
    """

    ansatz: BrickworkAnsatz
    kind: str
    n: int
    _target: Any = field(repr=False)
    _log_overlap: Callable = field(repr=False)
    _value_and_grad: Callable = field(repr=False)
    cost_fn: Callable = field(repr=False)
    """The cost as a pure JAX function of a float64 parameter array (for optax)."""

    @classmethod
    def build(cls, target: MPS, ansatz: BrickworkAnsatz, kind: str = "log") -> Objective:
        """Validate ``target`` against ``ansatz`` and jit-compile the contraction."""
        check_target(target, ansatz)
        if kind not in OBJECTIVES:
            raise ValueError(f"objective kind must be one of {OBJECTIVES}, got {kind!r}")
        with jax.enable_x64(True):
            tgt = jnp.asarray(pad_target(target))
            lay = jnp.asarray([b[0] for b in ansatz.bonds], dtype=jnp.int32)
            sites = jnp.asarray([b[1] for b in ansatz.bonds], dtype=jnp.int32)
            fn = partial(
                _log_overlap, target=tgt, bond_layers=lay, bond_sites=sites,
                n=ansatz.n, layers=ansatz.layers, block=ansatz.block,
            )
            log_ov = jax.jit(fn)
            n = ansatz.n

            def cost_and_log_f(params):
                logabs, _ = fn(params)
                log_f = 2.0 * logabs
                value = -log_f / n if kind == "log" else 1.0 - jnp.exp(log_f)
                return value, log_f

            def cost(params):
                return cost_and_log_f(params)[0]

            # one compiled function serves the optimiser and the fidelity queries
            vg = jax.jit(jax.value_and_grad(cost_and_log_f, has_aux=True))
        return cls(ansatz, kind, n, tgt, log_ov, vg, cost)

    def _params(self, params: Any):
        return jnp.asarray(self.ansatz.check_params(params))

    def log_fidelity(self, params: np.ndarray) -> float:
        """``log F = 2 log|<psi|V|0>|`` (finite even when F underflows)."""
        with jax.enable_x64(True):
            (_, log_f), _ = self._value_and_grad(self._params(params))
            return float(log_f)

    def fidelity(self, params: np.ndarray) -> float:
        """``F = |<psi|V(theta)|0>|^2``."""
        return float(np.exp(self.log_fidelity(params)))

    def overlap(self, params: np.ndarray) -> complex:
        """``<psi|V(theta)|0>`` (may underflow to 0 for large n; see ``log_fidelity``)."""
        with jax.enable_x64(True):
            logabs, phase = self._log_overlap(self._params(params))
            logabs, phase = float(logabs), float(phase)
        return complex(np.exp(logabs + 1j * phase))

    def value_and_grad(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """The cost (``kind``) and its gradient, as float and float64 array."""
        with jax.enable_x64(True):
            (val, _), grad = self._value_and_grad(self._params(params))
            return float(val), np.asarray(grad, dtype=float)

    def fidelity_from_value(self, value: float) -> float:
        """Convert a cost value of this objective back to the fidelity."""
        if self.kind == "log":
            return float(np.exp(-value * self.n))
        return float(1.0 - value)
