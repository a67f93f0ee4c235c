"""Exact overlap ``<psi|V|v0>`` of a target MPS and any circuit of nearest-neighbour gates.

The brickwork contraction of :mod:`aqc.objective` generalised to a *gate list*:
``V = G_{m-1} ... G_1 G_0`` with gate ``G_k`` (a 4x4 unitary, its lower qubit
``i`` the more significant index) on the bond ``(bonds[k], bonds[k] + 1)``, in
time order, acting on a product state ``|v0> = ⊗_q |v0_q>``.  Staircases
(:mod:`aqc.sequential`), brickworks and any mix of them are gate lists.

Contraction
-----------
As in :mod:`aqc.objective`, every gate is split exactly (no SVD) as
``G = sum_k sigma_k ⊗ R_k`` (Paulis ``sigma_k`` on the lower qubit).  The network
is contracted site by site from the left; the environment at the cut between
sites ``i`` and ``i+1`` has shape ``(chi, 4, ..., 4)``: the target's bond and one
leg per gate on the bond ``(i, i+1)``.  Site ``i`` starts from ``v0_i``, meets
its gates in time order (closing the leg of a gate on ``(i-1, i)`` with its
``R``, opening a leg for a gate on ``(i, i+1)`` with ``sigma``) and is closed by
the conjugated target tensor.  Nothing is truncated, so the overlap is exact;
the cost is ``O(n chi^2 4^g)`` with ``g`` the most gates on one bond (``D`` for
``D`` staircases, ``ceil(L/2)`` for a brickwork), memory ``O(chi 4^g)`` per site.

Runs of sites whose pattern of gates repeats with period 1 (the interior of a
staircase) or 2 (a brickwork) share one ``jax.lax.scan`` body, so compilation
does not grow with ``n``.  After every site the environment is divided by its norm and the log of
the norm is accumulated: ``log|<psi|V|v0>|`` is finite even when the overlap
underflows (the orthogonality catastrophe).  complex128 throughout (JAX x64
inside these functions only), differentiable by ``jax.grad``.

Conventions: qubit ``i`` = MPS site ``i`` (see :mod:`aqc.ansatz`).

Example
-------
>>> import numpy as np
>>> from mps import MPS
>>> from aqc.contraction import GateList
>>> swap = np.eye(4)[[0, 2, 1, 3]]
>>> gl = GateList(n=3, bonds=(0, 1))
>>> logabs, phase = gl.log_overlap(MPS.from_bitstring("101"), [swap, swap],
...                                 MPS.from_bitstring("110"))
>>> round(float(np.exp(logabs)), 12)
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import jax
import jax.numpy as jnp
import numpy as np

from mps import MPS
from mps._validate import check_int

from .objective import _SIGMA, pad_target

__all__ = ["GateList", "gate_list_log_overlap", "site_patterns"]

_IN = "ABCDEFGHIJKLMNOPQRSTUVW"  # legs of gates on the bond to the left of a site
_OUT = "abcdefghijklmnopqruvw"  # legs of gates on the bond to the right (no s, t, x, y)
MAX_GATES_PER_BOND = len(_OUT)


def site_patterns(n: int, bonds: Sequence[int]) -> tuple[list[tuple], list[list[int]]]:
    """Per site: its pattern (static) and the gate of each leg it closes (data).

    The pattern of site ``i`` is ``(ops, n_in, n_out)``: ``ops`` lists, in time
    order, ``("s", r)`` (close leg ``r`` of the left bond: the gate is on
    ``(i-1, i)``) or ``("f", r)`` (open leg ``r`` of the right bond), where ``r``
    is the gate's rank in time among the gates of its bond.
    """
    on_bond: list[list[int]] = [[] for _ in range(max(n - 1, 0))]
    for k, b in enumerate(bonds):
        on_bond[b].append(k)
    rank = {k: r for ks in on_bond for r, k in enumerate(ks)}
    patterns, closing = [], []
    for i in range(n):
        touching = sorted(k for k, b in enumerate(bonds) if b in (i - 1, i))
        ops = tuple(("f" if bonds[k] == i else "s", rank[k]) for k in touching)
        n_in = len(on_bond[i - 1]) if i > 0 else 0
        n_out = len(on_bond[i]) if i < n - 1 else 0
        patterns.append((ops, n_in, n_out))
        closing.append([k for k in touching if bonds[k] == i - 1])
    return patterns, closing


def _site_update(env, logscale, tconj, r_pieces, v0, pattern):
    """Absorb one site: ``v0``, its gate pieces in time order, then ``conj(T)``."""
    ops, n_in, _ = pattern
    cur = ["x", *_IN[:n_in], "s"]
    m = jnp.einsum(f"{''.join(cur[:-1])},s->{''.join(cur)}", env, v0)
    sigma = jnp.asarray(_SIGMA)
    j = 0
    for kind, r in ops:
        if kind == "s":  # R_k[o, i] of a gate on (i-1, i) closes its leg
            leg = _IN[r]
            out = [c if c != "s" else "t" for c in cur if c != leg]
            m = jnp.einsum(f"{''.join(cur)},{leg}ts->{''.join(out)}", m, r_pieces[j])
            j += 1
        else:  # sigma_k[o, i] of a gate on (i, i+1) opens a leg
            leg = _OUT[r]
            out = [c if c != "s" else "t" for c in cur] + [leg]
            m = jnp.einsum(f"{''.join(cur)},{leg}ts->{''.join(out)}", m, sigma)
        cur = [c if c != "t" else "s" for c in out]
    outs = [c for c in cur if c in _OUT]
    final = ["y", *sorted(outs)]
    env = jnp.einsum(f"{''.join(cur)},xsy->{''.join(final)}", m, tconj)
    nrm = jnp.sqrt(jnp.sum(jnp.abs(env) ** 2))
    return env / nrm, logscale + jnp.log(nrm)


def gate_list_log_overlap(gates, target, v0, patterns, closing):
    """``(log|<psi|V|v0>|, phase)`` for gate matrices ``gates`` (m, 4, 4) (JAX, jit-able).

    ``target``: conjugated padded tensors ``(n, chi, 2, chi)``; ``v0``: ``(n, 2)``;
    ``patterns``, ``closing``: from :func:`site_patterns` (static).
    """
    n, chi = target.shape[0], target.shape[1]
    g4 = jnp.reshape(gates, (-1, 2, 2, 2, 2))
    # R_k[o2, i2] = 1/2 sum conj(sigma_k[o1, i1]) G[o1, o2, i1, i2]
    r_all = 0.5 * jnp.einsum("kac,gabcd->gkbd", jnp.conj(jnp.asarray(_SIGMA)), g4)
    env = jnp.zeros((chi,), dtype=complex).at[0].set(1.0)
    logscale = jnp.zeros((), dtype=float)

    def pieces_of(sites):
        idx = np.asarray([closing[i] for i in sites], dtype=np.int32).reshape(len(sites), -1)
        if idx.shape[1] == 0:
            return jnp.zeros((len(sites), 0, 4, 2, 2), dtype=complex)
        return r_all[idx]

    i = 0
    while i < n:  # runs of sites with a repeating pattern (period 1 or 2) share one scan body
        period, reps = 1, 1
        for p in (1, 2):
            r = 1
            while i + (r + 1) * p <= n and patterns[i + r * p : i + (r + 1) * p] == \
                    patterns[i : i + p]:
                r += 1
            if r >= 2:
                period, reps = p, r
                break
        if reps == 1:
            env, logscale = _site_update(env, logscale, target[i], pieces_of([i])[0], v0[i],
                                         patterns[i])
            i += 1
            continue
        group = patterns[i : i + period]
        xs = []
        for q in range(period):
            sites = list(range(i + q, i + reps * period, period))
            xs.append((target[np.asarray(sites)], pieces_of(sites), v0[np.asarray(sites)]))

        def body(carry, xs, group=group):
            env, logscale = carry
            for pattern, (t, rp, v) in zip(group, xs, strict=True):
                env, logscale = _site_update(env, logscale, t, rp, v, pattern)
            return (env, logscale), None

        (env, logscale), _ = jax.lax.scan(body, (env, logscale), tuple(xs))
        i += reps * period
    amp = env[(0,) * env.ndim]
    return jnp.log(jnp.abs(amp)) + logscale, jnp.angle(amp)


@dataclass(frozen=True)
class GateList:
    """The structure of a circuit of nearest-neighbour gates: ``n`` qubits, ``bonds`` in time order.

    Gate ``k`` acts on qubits ``(bonds[k], bonds[k] + 1)``.
    """

    n: int
    bonds: tuple[int, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "n", check_int(self.n, "n", minimum=2))
        bonds = tuple(check_int(b, "bond", minimum=0) for b in self.bonds)
        if any(b >= self.n - 1 for b in bonds):
            raise ValueError(f"bonds must be in [0, {self.n - 2}], got {max(bonds)}")
        object.__setattr__(self, "bonds", bonds)
        if self.max_gates_per_bond > MAX_GATES_PER_BOND:
            raise ValueError(
                f"at most {MAX_GATES_PER_BOND} gates per bond are supported by the exact "
                f"contraction, got {self.max_gates_per_bond}")

    @cached_property
    def structure(self) -> tuple[list[tuple], list[list[int]]]:
        return site_patterns(self.n, self.bonds)

    @property
    def max_gates_per_bond(self) -> int:
        counts = np.bincount(np.asarray(self.bonds, dtype=int), minlength=1)
        return int(counts.max()) if len(self.bonds) else 0

    def env_size(self, chi: int) -> int:
        """Largest intermediate of the contraction (complex entries), ``2 chi 4^g``."""
        return 2 * chi * 4 ** self.max_gates_per_bond

    def jax_fn(self):
        """``f(gates, target, v0) -> (log|amp|, phase)`` with this structure baked in."""
        patterns, closing = self.structure

        def fn(gates, target, v0):
            return gate_list_log_overlap(gates, target, v0, patterns, closing)

        return fn

    def log_overlap(self, target: MPS, gates, state: MPS | None = None) -> tuple[float, float]:
        """``(log|<target|V|state>|, phase)``; ``state`` a product MPS (default ``|0...0>``)."""
        if target.n != self.n:
            raise ValueError(f"target has n={target.n} qubits, the circuit {self.n}")
        state = MPS.zeros(self.n) if state is None else state
        if state.max_bond() != 1:
            raise ValueError("state must be a product state (bond dimension 1)")
        v0 = np.stack([t[0, :, 0] for t in state.tensors])
        with jax.enable_x64(True):
            tgt = jnp.asarray(pad_target(target)[: self.n])
            g = jnp.asarray(np.asarray(gates, dtype=complex).reshape(len(self.bonds), 4, 4))
            logabs, phase = jax.jit(self.jax_fn())(g, tgt, jnp.asarray(v0))
            return float(logabs), float(phase)
