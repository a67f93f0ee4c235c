"""tnqc.aqc: approximate quantum compiling of MPS targets into constant-depth circuits.

Not implemented yet (issue: "Global AQC compiler"); importing it is safe.
"""

__all__: list[str] = []
