"""Dataclasses written out as plain code, for start-up time.

Running `@dataclass` exec-compiles every generated method at every start (~0.7 ms per
class in CPython 3.11). The AST (`lumen/syntax/ast.py`) and the LIR (`lumen/lir/module.py`)
therefore ship a generated twin of their classes (`lumen.syntax.astgen`), whose methods
come from the `.pyc` cache. The declarations stay the source of truth: the twin is used
only when it was generated from exactly the declaring file, on this Python version.
"""

from __future__ import annotations

import importlib
import os
import sys

try:  # the C module itself: importing hashlib (OpenSSL) costs ~3 ms at every start
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other Pythons name it differently
    from hashlib import sha256


def pregenerated_classes(source_file: str, generated_module: str, switch: str
                         ) -> dict[str, type] | None:
    """The classes of `generated_module` if it was made from `source_file` as it is now
    (and for this Python), else None: the caller then runs `@dataclass` itself. The
    environment variable `switch` forces that (the generator sets it)."""
    if os.environ.get(switch):
        return None
    try:
        with open(source_file, "rb") as handle:
            digest = sha256(handle.read()).hexdigest()
        generated = importlib.import_module(generated_module)
    except (OSError, ImportError, NameError):
        return None
    if generated.SOURCE_SHA256 != digest or generated.PYTHON != sys.version_info[:2]:
        return None
    return generated.CLASSES  # type: ignore[no-any-return]
