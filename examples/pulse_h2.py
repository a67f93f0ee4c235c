"""Minimal evolution time of the H2 ground state on two silicon spin qubits.

Run: ``python examples/pulse_h2.py [OUT]`` (about a minute on 2 cores).  Searches the
shortest total time at which GRAPE pulses (drive <= 56.6 MHz, exchange <= 1 GHz) take
``|00>`` to the H2 ground state with fidelity 0.999, and writes the schedule (JSON, npz,
OpenQASM 3 + OpenPulse) and plots to OUT (default ``runs/pulse-h2-example``).
"""

from __future__ import annotations

import sys

from circuits.pulse import SpinQubitDevice
from circuits.pulse.export import write_all
from circuits.pulse.met import METConfig, minimal_evolution_time
from circuits.pulse.targets import molecule_target

out = sys.argv[1] if len(sys.argv) > 1 else "runs/pulse-h2-example"
target = molecule_target("h2")  # |00> -> ground state of the 2-qubit H2 Hamiltonian
device = SpinQubitDevice.silicon_line(2, max_drive=0.0566, max_exchange=1.0)
res = minimal_evolution_time(device, target.psi0, target.target,
                             METConfig(n_slices=40, restarts=4, seed=0))
print(f"MET = {res.met:.3f} ns (F = {res.fidelity:.5f}; bracket ({res.lower_bound:.3f}, "
      f"{res.met:.3f}] ns; {len(res.history)} GRAPE runs, {res.wall_time:.1f} s)")
for name, path in write_all(out, res, force=True).items():
    print(f"{name:>12}: {path}")
