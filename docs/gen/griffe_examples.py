"""Griffe extension: read a NumPy-style ``Example`` section as ``Examples``.

numpydoc names the section ``Examples``; many tnqc docstrings say ``Example`` (one example),
which griffe would render as a plain admonition with the doctest lines as Markdown.  This
renames the heading before parsing, so the doctests are shown as code, without editing the
modules.
"""

from __future__ import annotations

import re

import griffe

_HEADING = re.compile(r"^(\s*)Example\n(\s*)-{7}\s*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename ``Example`` / ``-------`` headings to ``Examples`` / ``--------``."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None and "Example" in obj.docstring.value:
            obj.docstring.value = _HEADING.sub(r"\1Examples\n\2--------", obj.docstring.value)
