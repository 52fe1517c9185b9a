"""Projects (§15.4): `lumen.toml`'s `[package]` table, the entry file `lumen run` and
`lumen check` use without a FILE, and the template `lumen new` scaffolds from.

Needs only `diagnostics`: the module resolver (`lumen.modules`) reads the source folder
from here, and the CLI the entry file.
"""

from lumen.project.entry import ProgramTarget, program_target
from lumen.project.manifest import (
    MANIFEST_FILE,
    Manifest,
    ManifestResult,
    find_project_root,
    is_valid_package_name,
    load_manifest,
    parse_manifest,
)

__all__ = [
    "MANIFEST_FILE",
    "Manifest",
    "ManifestResult",
    "ProgramTarget",
    "find_project_root",
    "is_valid_package_name",
    "load_manifest",
    "parse_manifest",
    "program_target",
]
