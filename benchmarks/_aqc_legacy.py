"""The previous AQC contraction (tnqc before issue 13), kept only to benchmark against.

Site-by-site left-to-right sweep with one ``einsum`` per block piece (see the
history of ``aqc/objective.py``); used by ``benchmarks/bench_aqc_speed.py`` to
time the old and new contractions in the same run and check that they agree.
"""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp

from aqc.ansatz import BLOCK_PARAMS, BrickworkAnsatz
from aqc.objective import _SIGMA, block_unitaries_jax, pad_target


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


def legacy_value_and_grad(target, ansatz: BrickworkAnsatz):
    """The old jitted ``params -> ((-log F / n, log F), grad)`` (complex128)."""
    with jax.enable_x64(True):
        tgt = jnp.asarray(pad_target(target))
        lay = jnp.asarray([b[0] for b in ansatz.bonds], dtype=jnp.int32)
        sites = jnp.asarray([b[1] for b in ansatz.bonds], dtype=jnp.int32)
        fn = partial(_log_overlap, target=tgt, bond_layers=lay, bond_sites=sites,
                     n=ansatz.n, layers=ansatz.layers, block=ansatz.block)

        def cost(params):
            log_f = 2.0 * fn(params)[0]
            return -log_f / ansatz.n, log_f

        return jax.jit(jax.value_and_grad(cost, has_aux=True))
