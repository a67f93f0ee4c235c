"""The AQC objective: the exact overlap ``<psi|V(theta)|0>`` of a target MPS and a circuit.

Contraction
-----------
The network ``<psi| V |0...0>`` is contracted from the left, two sites at a
time (a ``jax.lax.scan`` over the pairs ``(2q, 2q+1)``: one compiled body,
independent of ``n``).  The blocks of even layers act inside a pair and are
applied as 4x4 matrices; every block ``G`` of an odd layer crosses the cut
between two pairs and is split exactly (no SVD, linear in ``G``) as
``G = sum_k sigma_k ⊗ R_k`` with the Paulis ``sigma_k`` on its first qubit and
``R_k = Tr_1[(sigma_k ⊗ I) G] / 2`` on its second.  The environment at a cut
has shape ``(4^m, chi)``: one Pauli leg per odd layer (``m = L // 2``; their
order depends on the kernel layout, below), then the target's bond.
Absorbing a pair is one matrix product with the (precomputed) pair tensor of
the target, then, from the top layer down, per odd layer ``l`` two small
contractions: ``R`` of the block on the left cut (consumes that layer's leg)
and, merged, the ``sigma`` of the block on the right cut (opens the new leg)
with the even block of layer ``l - 1``; the initial product state closes the
last one.  For odd ``L`` the lone top layer is folded into the target's pair
tensor.

Kernel layouts (static): fused (``fuse``), the two contractions of a layer
are one ``(4 x 4) -> (4 x 16)`` matrix, the legs kept as a queue (oldest
first); or legs in place, stored in reverse order ``k_{m-1} .. k_0``, so that
the leg a layer consumes sits next to the physical index and each contraction
is a small matrix applied to contiguous blocks (the new physical index takes
the consumed leg's place and the new leg the old physical index's).  The fused
layout can also take two consecutive odd layers per kernel (``group=2``: one
``(16 x 4) -> (16 x 4)`` matrix, built from the two ``(4 x 4) -> (4 x 4)``
ones), which halves the passes over the ``4^(m+1) chi`` environment and the
residuals the gradient stores, for twice the multiply-adds of those kernels.
The default is fused in groups of two.  On an H200 (``n = 100``, ``t = 4``,
``chi = 53``, ``L = 16``) one value and gradient takes 0.209 s in complex64
(no pair recomputed) against 0.459 s fused one layer at a time (every pair
recomputed) and 0.433 s (11 of 25 recomputed); in complex128 0.384 s against
0.686 s.  On 2 CPU cores (``n = 20``, complex128) ``L = 12`` takes 2.2 s against
2.65 s in place and 2.8 s fused one layer at a time, and the layouts are equal
within the noise at ``L = 4, 8`` (``benchmarks/results/aqc_speed.json``,
``h200_run6`` and ``cpu_run4``).

Cost per evaluation ``O(n chi 2^L (chi + 3 L))`` with ``2 + L`` kernels per
pair (the site-by-site sweep it replaces launched ``2 (L + 2)``); the
largest intermediate is ``4^(m+1) chi``, the smallest that an exact
left-to-right sweep allows.  No truncation is made, so the overlap is exact.
The gradient is ``jax.grad`` of the sweep; when the residuals it stores
(:func:`aqc.residuals.step_residual_bytes` per scan step) would exceed
:func:`aqc.residuals.remat_limit` (a quarter of the GPU's memory, or 2 GiB on the
CPU), the first pairs of
each half are recomputed in the backward pass (``jax.checkpoint``), as few as
keep the others' residuals under the limit (static ``remat``: the number of
recomputed scan steps; L = 16 at ``chi = 53`` in complex64 stores 50 GB
without recomputation, one kernel per layer).

The target is padded to a uniform bond dimension and an even number of sites
(a virtual ``|0>`` site, on which every block is the identity).  After every
pair the environment is divided by its norm and the log of the norm
accumulated, so ``log|<psi|V|0>|`` stays finite even when the overlap is far
below the smallest float (the orthogonality catastrophe at 100+ qubits).
``precision="double"`` (default) contracts in complex128, ``"single"`` in
complex64 (about twice as fast on GPUs, relative error ~1e-6; :func:`aqc.compile`
always confirms its final fidelity in complex128).  JAX's x64 mode is enabled
only inside these functions.  One compilation per shape (``n``, ``L``, block,
``chi``, precision) is shared by all objectives.

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

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from mps import MPS

from .ansatz import BLOCK_PARAMS, BrickworkAnsatz
from .residuals import recompute_steps

__all__ = ["OBJECTIVES", "PRECISIONS", "Objective", "check_target", "pad_target", "pair_target"]

OBJECTIVES = ("log", "infidelity")
PRECISIONS = ("double", "single")

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


def pad_target(state: MPS, multiple: int = 2) -> np.ndarray:
    """Conjugated target tensors padded to ``(n_pad, chi, 2, chi)``.

    ``n_pad`` is ``n`` rounded up to a multiple of ``multiple``; the extra
    sites hold ``<0|``.
    """
    n = state.n
    chi = max(max(t.shape[0], t.shape[2]) for t in state.tensors)
    n_pad = -(-n // multiple) * multiple
    out = np.zeros((n_pad, chi, 2, chi), dtype=complex)
    for i, t in enumerate(state.tensors):
        out[i, : t.shape[0], :, : t.shape[2]] = t.conj()
    out[n:, 0, 0, 0] = 1.0
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
    if block == "u1":
        core = _kak_core(-p[:, 0] / 2, -p[:, 0] / 2, -p[:, 1] / 2)
        return _kron2(_rz(p[:, 2]), _rz(p[:, 3])) @ core
    core = _kak_core(-p[:, 0] / 2, -p[:, 1] / 2, -p[:, 2] / 2)
    return _kron2(_rz(p[:, 3]), _rz(p[:, 4])) @ core


# ------------------------------------------------------------- the contraction
class _Layout(NamedTuple):
    """Where every block of a brickwork sits in the pair-of-sites sweep (NumPy, per ansatz)."""

    even_idx: np.ndarray  # blocks on even layers ...
    even_pair: np.ndarray  # ... their pair q (sites 2q, 2q+1)
    even_slot: np.ndarray  # ... and slot layer // 2
    odd_idx: np.ndarray  # blocks on odd layers (bond (2q-1, 2q)) ...
    odd_pair: np.ndarray  # ... the pair q of their second qubit
    odd_slot: np.ndarray  # ... and slot layer // 2


def _layout(ansatz: BrickworkAnsatz) -> _Layout:
    ev = [(k, i // 2, lay // 2) for k, (lay, i) in enumerate(ansatz.bonds) if lay % 2 == 0]
    od = [(k, (i + 1) // 2, lay // 2) for k, (lay, i) in enumerate(ansatz.bonds) if lay % 2]

    def cols(rows, j):
        return np.asarray([r[j] for r in rows], dtype=np.int32)

    return _Layout(cols(ev, 0), cols(ev, 1), cols(ev, 2), cols(od, 0), cols(od, 1), cols(od, 2))


def pair_target(state: MPS) -> np.ndarray:
    """Conjugated target tensors of site pairs ``(2q, 2q+1)``: shape ``(P, chi, 4, chi)``.

    The physical index is ``2 s_{2q} + s_{2q+1}`` (the lower site more
    significant, as in the blocks); ``P`` is even (``n`` padded to a multiple of 4).
    """
    t = pad_target(state, multiple=4)
    return np.einsum("qxaz,qzby->qxaby", t[0::2], t[1::2]).reshape(
        t.shape[0] // 2, t.shape[1], 4, t.shape[3])


def _swap(g):
    """``SWAP G SWAP`` for a batch of 4x4 blocks (the block seen from the mirrored chain)."""
    return g.reshape(*g.shape[:-2], 2, 2, 2, 2).swapaxes(-4, -3).swapaxes(-2, -1).reshape(g.shape)


def _half(t2, ge, go, v, *, m: int, layers: int, cdtype, fuse: bool, group: int):
    """Scan inputs of one half-chain sweep (pairs in sweep order, slots top layer first)."""
    sigma = jnp.asarray(_SIGMA)
    big = jax.lax.Precision.HIGHEST
    if layers % 2:  # odd L: the lone top (even) layer folds into the target
        t2 = jnp.einsum("qxsy,qst->qxty", t2, ge[:, m].astype(t2.dtype), precision=big)
    xs = {"t2": t2.astype(cdtype), "v": v.astype(cdtype)}
    if not m:
        return xs
    p = t2.shape[0]
    # R_k[s_out, t_in] = Tr_1[(sigma_k ⊗ I) G] / 2 on the block's second qubit
    r = 0.5 * jnp.einsum("kac,qoabcd->qokbd", jnp.conj(sigma), go.reshape(p, m, 2, 2, 2, 2))
    # N[t1, s2, k', u1 u2] = sum_t2 sigma_k'[s2, t2] G_even[(t1, t2), (u1, u2)]
    nn = jnp.einsum("kbt,qoctuv->qocbkuv", sigma,
                    ge[:, :m].reshape(p, m, 2, 2, 2, 2)).reshape(p, m, 2, 2, 4, 4)
    r, nn = r[:, ::-1], nn[:, ::-1]  # slots in the sweep's order: top layer first
    n_last = jnp.einsum("qcbku,qu->qcbk", nn[:, -1], v)
    if fuse:  # one (4 x 4) -> (4 x 4) matrix per odd layer: fewer, larger kernels (GPU)
        m_mid = jnp.einsum("qjkac,qjcbKu->qjkabKu", r[:, :-1], nn[:, :-1]).reshape(
            p, m - 1, 4, 4, 16)
        m_last = jnp.einsum("qkac,qcbK->qkabK", r[:, -1], n_last).reshape(p, 4, 4, 4)
        if group == 2 and m >= 2:  # two consecutive odd layers as one (16 x 4) -> (16 x 4)
            mid = m_mid.reshape(p, m - 1, 4, 4, 4, 4)  # (k, s, new leg, new phys)
            m_last = jnp.einsum("qksKt,qltL->qklsKL", mid[:, -1], m_last).reshape(p, 16, 4, 16)
            lone = m % 2  # odd m: the top layer stays alone
            pairs = mid[:, lone:-1].reshape(p, (m - 2) // 2, 2, 4, 4, 4, 4)
            xs["g_mid"] = jnp.einsum("qgksKt,qgltLu->qgklsKLu", pairs[:, :, 0],
                                     pairs[:, :, 1]).reshape(p, (m - 2) // 2, 16, 4,
                                                             64).astype(cdtype)
            m_mid = m_mid[:, :lone]
        xs["m_mid"] = m_mid.astype(cdtype)
        xs["m_last"] = m_last.astype(cdtype)
    else:  # two small contractions per odd layer, legs in place: fewer flops (CPU)
        xs.update(r=r.astype(cdtype), n_mid=nn[:, :-1].astype(cdtype),
                  n_last=n_last.astype(cdtype))
    return xs


def _pieces(params, layout: _Layout, t2, *, n: int, layers: int, block: str, cdtype,
            fuse: bool, group: int):
    """Scan inputs of both half-chain sweeps (stacked) and the middle blocks' coefficients.

    The right half is swept from the right end as the left half of the
    mirrored chain (site ``i -> n_pad - 1 - i``, pairs reversed, blocks
    ``SWAP G SWAP``): same layer parities, same body.  The odd blocks on the
    middle bond are expanded in Pauli pairs, ``G = sum c_kk' sigma_k ⊗ sigma_k'``,
    and joined at the end.
    """
    npb = BLOCK_PARAMS[block]
    P, m = t2.shape[0], layers // 2
    init = params[: 2 * n].reshape(n, 2)
    gates = block_unitaries_jax(block, params[2 * n :].reshape(-1, npb))
    a, b = init[:, 0], init[:, 1]
    v0 = jnp.stack([jnp.cos(a / 2) * jnp.exp(-0.5j * b), jnp.sin(a / 2) * jnp.exp(0.5j * b)], 1)
    if 2 * P > n:  # the virtual sites stay |0>
        v0 = jnp.concatenate([v0, jnp.tile(jnp.array([[1.0 + 0j, 0.0]]), (2 * P - n, 1))])
    v = jnp.einsum("qa,qb->qab", v0[0::2], v0[1::2])
    eye = jnp.eye(4, dtype=gates.dtype)
    ge = jnp.broadcast_to(eye, (P, (layers + 1) // 2, 4, 4))
    ge = ge.at[layout.even_pair, layout.even_slot].set(gates[layout.even_idx])
    go = jnp.broadcast_to(eye, (P, m, 4, 4))
    if m:
        go = go.at[layout.odd_pair, layout.odd_slot].set(gates[layout.odd_idx])
    h = P // 2
    # mirrored chain: pair q' = P-1-q with its sites swapped; odd block of pair q -> pair P-q
    t2m = t2[::-1].reshape(P, t2.shape[1], 2, 2, t2.shape[3]).transpose(0, 4, 3, 2, 1)
    t2m = t2m.reshape(t2.shape)
    gom = jnp.concatenate([go[:1], _swap(go[1:])[::-1]], axis=0)
    left = _half(t2[:h], ge[:h], go[:h], v[:h].reshape(h, 4), m=m, layers=layers,
                 cdtype=cdtype, fuse=fuse, group=group)
    right = _half(t2m[:h], _swap(ge[::-1][:h]), gom[:h],
                  v[::-1][:h].swapaxes(1, 2).reshape(h, 4), m=m, layers=layers,
                  cdtype=cdtype, fuse=fuse, group=group)
    xs = jax.tree.map(lambda x, y: jnp.stack([x, y]), left, right)
    sigma = jnp.asarray(_SIGMA)
    c = 0.25 * jnp.einsum("kac,lbd,oabcd->okl", jnp.conj(sigma), jnp.conj(sigma),
                          go[h].reshape(m, 2, 2, 2, 2))[::-1]
    return xs, c.astype(cdtype)


def _sweep(params, t2, layout: _Layout, *, n: int, layers: int, block: str, single: bool,
           remat: int, fuse: bool, group: int = 1):
    """``(log|<psi|V|0>|, phase)``: two half-chain scans over pairs of sites, joined."""
    cdtype = jnp.complex64 if single else jnp.complex128
    big = jax.lax.Precision.HIGHEST  # no TF32 in complex64 products on GPUs
    chi = t2.shape[1]
    m = layers // 2
    k_dim = 4**m
    xs, coef = _pieces(params, layout, t2, n=n, layers=layers, block=block, cdtype=cdtype,
                       fuse=fuse, group=group)
    grouped = "g_mid" in xs

    def body(carry, x):
        env, logscale = carry  # env (4^m, chi): one Pauli leg per odd layer, then the bond
        e = jnp.matmul(env, x["t2"].reshape(chi, 4 * chi), precision=big)
        if grouped:  # pairs of odd layers: two legs consumed and two opened per kernel
            for j in range(x["m_mid"].shape[0]):  # the lone top layer of an odd m
                e = jnp.einsum("krsx,ksQ->rQx", e.reshape(4, k_dim // 4, 4, chi),
                               x["m_mid"][j], precision=big).reshape(k_dim, 4 * chi)
            for g in range(x["g_mid"].shape[0]):
                e = jnp.einsum("krsx,ksQ->rQx", e.reshape(16, k_dim // 16, 4, chi),
                               x["g_mid"][g], precision=big).reshape(k_dim, 4 * chi)
            e = jnp.einsum("krsx,ksK->rKx", e.reshape(16, k_dim // 16, 4, chi), x["m_last"],
                           precision=big).reshape(k_dim, chi)
        for j in range(0 if grouped else m):
            last = j == m - 1
            if fuse:
                e = e.reshape(4, k_dim // 4, 4, chi)
                if last:
                    e = jnp.einsum("krsx,ksK->rKx", e, x["m_last"], precision=big)
                else:
                    e = jnp.einsum("krsx,ksQ->rQx", e, x["m_mid"][j], precision=big)
                e = e.reshape(k_dim, chi if last else 4 * chi)
            else:  # legs in place (env legs k_{m-1} .. k_0): both contracted legs adjacent
                e = e.reshape(4 ** (m - 1 - j), 4, 2, 2, 4**j * chi)
                e = jnp.einsum("Bkabt,kac->Bcbt", e, x["r"][j], precision=big)
                if last:
                    e = jnp.einsum("Bcbt,cbk->Bkt", e, x["n_last"], precision=big)
                    e = e.reshape(k_dim, chi)
                else:  # the new phys takes the consumed leg's place, the new leg the old phys'
                    e = jnp.einsum("Bcbt,cbkq->Bqkt", e, x["n_mid"][j], precision=big)
        if m == 0:
            e = jnp.einsum("xsy,s->xy", e.reshape(1, 4, chi), x["v"], precision=big)
        nrm = jnp.sqrt(jnp.sum(jnp.abs(e) ** 2))
        # the log-norms add up in float64 in both precisions (complex64: less rounding noise)
        return (e / nrm, logscale + jnp.log(nrm.astype(jnp.float64))), None

    recompute = jax.checkpoint(body, prevent_cse=False)
    env0 = jnp.zeros((k_dim, chi), dtype=cdtype).at[0, 0].set(1.0)
    steps = t2.shape[0] // 2
    k_re = steps if remat is True else min(int(remat), steps)

    def half(x):  # the first k_re pairs are recomputed in the backward pass, the rest stored
        carry = (env0, jnp.zeros((), dtype=jnp.float64))
        if k_re:
            carry = jax.lax.scan(recompute, carry, jax.tree.map(lambda a: a[:k_re], x))[0]
        if k_re < steps:
            carry = jax.lax.scan(body, carry, jax.tree.map(lambda a: a[k_re:], x))[0]
        return carry

    (envs, logs) = jax.vmap(half)(xs)
    # join: sum over the bond and the Pauli pairs of the middle blocks
    right = envs[1].reshape((4,) * m + (chi,))
    for j in range(m):  # env axis j holds slot j (fused) or slot m - 1 - j (in place)
        c_j = coef[j] if fuse else coef[m - 1 - j]
        right = jnp.moveaxis(jnp.tensordot(c_j, right, axes=([1], [j]), precision=big), 0, j)
    amp = jnp.vdot(jnp.conj(envs[0]).ravel(), right.ravel())
    return jnp.log(jnp.abs(amp)) + logs[0] + logs[1], jnp.angle(amp)


_STATIC = ("n", "layers", "block", "single", "remat", "fuse", "group", "kind")


def _cost_and_log_f(params, t2, layout, *, n, layers, block, single, remat, fuse, group,
                    kind):
    logabs, _ = _sweep(params, t2, layout, n=n, layers=layers, block=block, single=single,
                       remat=remat, fuse=fuse, group=group)
    log_f = (2.0 * logabs).astype(params.dtype)
    value = -log_f / n if kind == "log" else 1.0 - jnp.exp(log_f)
    return value, log_f


# one compilation per shape (n, L, block, chi, precision), shared by every Objective
_value_and_grad_jit = jax.jit(jax.value_and_grad(_cost_and_log_f, has_aux=True),
                              static_argnames=_STATIC)
_log_overlap_jit = jax.jit(_sweep, static_argnames=_STATIC[:-1])


def _fuse_default() -> bool:
    """Kernel layout: fused (the legs in place remain a benchmark option; module docstring)."""
    return True


def _group_default() -> int:
    """Odd layers per fused kernel: 2 (module docstring; 1 remains a benchmark option)."""
    return 2


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
    precision : {"double", "single"}
        complex128 or complex64 contraction (parameters and costs stay float64).
    """

    ansatz: BrickworkAnsatz
    kind: str
    n: int
    precision: str
    _t2: Any = field(repr=False)
    _layout: _Layout = field(repr=False)
    _static: dict = field(repr=False)

    @classmethod
    def build(cls, target: MPS, ansatz: BrickworkAnsatz, kind: str = "log",
              precision: str = "double") -> Objective:
        """Validate ``target`` against ``ansatz`` and prepare the contraction.

        The jitted sweep is shared by all objectives of the same shape
        (``n``, ``L``, block, target bond dimension, precision), so a new
        target or a new stage does not compile again.
        """
        check_target(target, ansatz)
        if kind not in OBJECTIVES:
            raise ValueError(f"objective kind must be one of {OBJECTIVES}, got {kind!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        single = precision == "single"
        t2 = pair_target(target)
        layout = _layout(ansatz)
        with jax.enable_x64(True):  # kept in complex128; the sweep casts it for "single"
            t2 = jnp.asarray(t2.astype(np.complex128))
        fuse, group = _fuse_default(), _group_default()
        static = {"n": ansatz.n, "layers": ansatz.layers, "block": ansatz.block,
                  "single": single, "fuse": fuse, "group": group,
                  "remat": recompute_steps(ansatz.n, ansatz.layers, t2.shape[1], single,
                                           fuse, group)}
        return cls(ansatz, kind, ansatz.n, precision, t2, layout, static)

    def with_precision(self, precision: str) -> Objective:
        """The same objective contracted in another precision (no new validation)."""
        if precision == self.precision:
            return self
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        single = precision == "single"
        st = self._static
        static = {**st, "single": single,
                  "remat": recompute_steps(self.n, self.ansatz.layers, self._t2.shape[1],
                                           single, st["fuse"], st["group"])}
        return Objective(self.ansatz, self.kind, self.n, precision, self._t2, self._layout,
                         static)

    def _params(self, params: Any):
        return jnp.asarray(self.ansatz.check_params(params))

    def cost_fn(self, params):
        """The cost as a pure JAX function of a float64 parameter array (for optax)."""
        return _cost_and_log_f(params, self._t2, self._layout, kind=self.kind, **self._static)[0]

    def _vg(self, params):
        return _value_and_grad_jit(params, self._t2, self._layout, kind=self.kind,
                                   **self._static)

    def log_fidelity(self, params: np.ndarray) -> float:
        """``log F = 2 log|<psi|V|0>|`` (finite even when F underflows).

        Uses the optimiser's compiled value-and-gradient, so no second compilation.
        """
        with jax.enable_x64(True):
            (_, log_f), _ = self._vg(self._params(params))
            return float(log_f)

    def fidelity(self, params: np.ndarray) -> float:
        """``F = |<psi|V(theta)|0>|^2``."""
        return float(np.exp(self.log_fidelity(params)))

    def overlap(self, params: np.ndarray) -> complex:
        """``<psi|V(theta)|0>`` (may underflow to 0 for large n; see ``log_fidelity``)."""
        with jax.enable_x64(True):
            logabs, phase = _log_overlap_jit(self._params(params), self._t2, self._layout,
                                             **self._static)
            logabs, phase = float(logabs), float(phase)
        return complex(np.exp(logabs + 1j * phase))

    def value_and_grad(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        """The cost (``kind``) and its gradient, as float and float64 array."""
        with jax.enable_x64(True):
            (val, _), grad = self._vg(self._params(params))
            return float(val), np.asarray(grad, dtype=float)

    def fidelity_from_value(self, value: float) -> float:
        """Convert a cost value of this objective back to the fidelity."""
        if self.kind == "log":
            return float(np.exp(-value * self.n))
        return float(1.0 - value)
