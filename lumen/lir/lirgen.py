"""Writes `_module_generated.py`: the LIR classes of `module.py` as plain code.

`python3 -m lumen.lir.lirgen` (re)writes the file; `--check` exits 1 if it is stale. Run it
after editing `module.py` (a test fails until you do; until then `module.py` falls back to
running `@dataclass`, so a stale file costs start-up time, never correctness). The
generator is the AST's (`lumen.syntax.astgen`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from lumen.syntax.astgen import Target, main

LIR = Target(
    source=Path(__file__).with_name("module.py"),
    generated=Path(__file__).with_name("_module_generated.py"),
    module="lumen.lir.module",
    switch="LUMEN_LIR_DATACLASSES",
    command="python3 -m lumen.lir.lirgen",
)

if __name__ == "__main__":
    sys.exit(main(target=LIR))
