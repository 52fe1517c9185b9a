"""Multi-file programs (§15): find, load and parse the modules a program imports.

Entry point: `load_program(unit, program) -> ProgramUnit`. Resolution needs only the
source and syntax stages, so this stage sits right after `syntax`; the driver analyses
each loaded module and hands them all to the lowering, which builds one LIR module.
"""

from lumen.modules.loader import ImportBinding, LoadedModule, ProgramUnit, load_program
from lumen.modules.resolve import candidate_paths, project_root, search_roots

__all__ = [
    "ImportBinding",
    "LoadedModule",
    "ProgramUnit",
    "candidate_paths",
    "load_program",
    "project_root",
    "search_roots",
]
