"""No-op stand-in for ``threadpoolctl`` on a device host whose Python lacks it.

Only put on ``PYTHONPATH`` by ``benchmarks/device/_env.sh`` when the real package is
missing; BLAS threads are then pinned by the environment (``OPENBLAS_NUM_THREADS``).
"""

import contextlib


def threadpool_limits(*args, **kwargs):
    return contextlib.nullcontext()


class ThreadpoolController:
    def limit(self, **kwargs):
        return contextlib.nullcontext()
