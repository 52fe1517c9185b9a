"""The compile cache: what compiling a program produced, reused while nothing it was
compiled from has changed (`lumen.cache` kinds `lir` and `check`).

An entry is found by a key over the entry file's path (as written: it is in diagnostics and
stack traces) and text, the lumen version, the LIR format version and a fingerprint of the
toolchain's own source files (so that a changed compiler never serves stale output). The
entry records, for every `import` of every module of the program, the importing file, the
module path, the file it resolved to and a hash of that file's text; a lookup re-resolves
each import (the same `lumen.modules` function the loader uses, so a new file that shadows
an old one, or a new `lumen.toml`, is noticed) and re-hashes each file, and any difference
is a miss. Hashes are over the text as `lumen.source` loads it (UTF-8, BOM and CRLF
normalised): exactly what the compiler read, so an edit racing with a compilation can only
cause a miss later, never a stale hit.

The payload keeps diagnostics as data (warnings are shown again on a hit), and for kind
`lir` the lowered module (`lumen.lir.serialize.to_data`, marshalled with the rest: no
msgpack import on a hit). Anything that cannot be decoded is a miss; the caller
compiles and overwrites it. `LUMEN_NO_CACHE=1` turns the cache off.
"""

from __future__ import annotations

import marshal
import sys

from lumen import cache
from lumen.cache.location import toolchain_fingerprint
from lumen.source.unit import DocBlock, SourceError, SourceUnit

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, NamedTuple

    from lumen.diagnostics import Diagnostic
else:
    from lumen.plain_tuples import NamedTuple

KIND_RUN = "lir"  # diagnostics and the lowered module: `lumen run`, `lumen emit`
KIND_CHECK = "check"  # diagnostics of parse + analysis: `lumen check`
ENTRY_FORMAT = 3  # bump when the payload layout below changes



class CachedCompilation(NamedTuple):
    module: Any  # a `lumen.lir.module.Module`, or None (kind `check`, or compile errors)
    diagnostics: tuple[Diagnostic, ...]
    unavailable: tuple[str, ...] = ()
    unit: SourceUnit | None = None  # on a hit: the entry file's unit, without re-extracting


def lookup(path: str, text: str, kind: str) -> CachedCompilation | None:
    """The cached result of compiling the file `path` whose (normalised) text is `text`
    as `kind`, or None (a miss). A hit carries the file's `SourceUnit` too: the entry keeps
    its extraction, so a hit imports none of `lumen.source`'s extraction code."""
    if cache.disabled():
        return None
    data = cache.get(kind, _entry_key(path, text, kind))
    if data is None:
        return None
    try:
        return _decode(data, kind, path, text)
    except Exception:  # damaged, stale layout, or a dependency changed: recompile
        return None


def store(unit: SourceUnit, kind: str, result: CachedCompilation, program_unit: Any) -> None:
    """Remember `result` for `unit`. `program_unit` is the `lumen.modules.ProgramUnit` the
    compilation loaded, or None when it loaded no modules. Results that depend on more than
    the program's files (an internal error wrote a crash report, a stage was missing) or
    whose imports cannot all be described are not stored."""
    if cache.disabled() or result.unavailable:
        return
    from lumen.diagnostics import ErrorCode

    if any(d.code == ErrorCode.INTERNAL.value for d in result.diagnostics):
        return
    edges = _import_edges(program_unit)
    if edges is None:
        return
    module_data = None
    if kind == KIND_RUN and result.module is not None:
        from lumen.lir.serialize import to_data

        module_data = to_data(result.module)
    payload = [ENTRY_FORMAT, edges, [_diagnostic_data(d) for d in result.diagnostics],
               list(result.unavailable), module_data, _unit_data(unit)]
    cache.put(kind, _entry_key(unit.path, unit.text, kind), marshal.dumps(payload))


# ------------------------------------------------------------------------------ keys


def _entry_key(path: str, text: str, kind: str) -> str:
    from lumen import __version__

    lir_format = ""
    if kind == KIND_RUN:
        from lumen.lir.module import FORMAT_VERSION

        lir_format = str(FORMAT_VERSION)
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"  # marshal's format is per Python version
    return cache.key_of(str(ENTRY_FORMAT), kind, __version__, lir_format, python,
                        toolchain_fingerprint(), path, text)


def _text_hash(text: str) -> str:
    return cache.key_of(text)


# ------------------------------------------------------------------------------ imports


def _import_edges(program_unit: Any) -> list[list[Any]] | None:
    """[importing file, module path parts, resolved file, text hash] for every import of
    every loaded module; None when an import resolved to a file that did not load (its
    text is then unknown)."""
    if program_unit is None:
        return []
    from pathlib import Path

    from lumen.modules.resolve import resolve_module
    from lumen.syntax import ast

    loaded = {Path(m.path).resolve(): m for m in program_unit.modules}
    edges: list[list[Any]] = []
    for module in program_unit.modules:
        for item in module.program.items:
            if not isinstance(item, ast.ImportDecl):
                continue
            found, _ = resolve_module(item.module, Path(module.path))
            if found is None:  # E0122 stays E0122 while no candidate file appears
                edges.append([module.path, list(item.module), None, None])
                continue
            target = loaded.get(found.resolve())
            if target is None:
                return None
            edges.append([module.path, list(item.module), str(found), _text_hash(target.unit.text)])
    return edges


def _imports_unchanged(edges: list[list[Any]]) -> bool:
    if not edges:
        return True
    from pathlib import Path

    from lumen.modules.resolve import resolve_module
    from lumen.source.reading import read_source_text

    hashes: dict[str, str] = {}
    for importer, parts, recorded, text_hash in edges:
        found, _ = resolve_module(tuple(parts), Path(importer))
        if found is None or recorded is None:
            if found is not None or recorded is not None:
                return False
            continue
        if str(found) != recorded:
            return False
        if recorded not in hashes:
            try:
                hashes[recorded] = _text_hash(read_source_text(found))
            except SourceError:
                return False
        if hashes[recorded] != text_hash:
            return False
    return True


# ------------------------------------------------------------------------------ payload


def _decode(data: bytes, kind: str, path: str, text: str) -> CachedCompilation | None:
    entry_format, edges, diagnostics, unavailable, module_data, unit_data = marshal.loads(data)
    if entry_format != ENTRY_FORMAT or not _imports_unchanged(edges):
        return None
    module = None
    if kind == KIND_RUN and module_data is not None:
        from lumen.lir.serialize import from_data

        module = from_data(module_data)
    return CachedCompilation(module, tuple(_diagnostic(d) for d in diagnostics),
                             tuple(unavailable), _unit(unit_data, path, text))


def _unit_data(unit: SourceUnit) -> list[Any]:
    """What extracting the entry file produced (code None: the same as the text)."""
    return [None if unit.code == unit.text else unit.code, unit.kind,
            [[d.name, d.value, d.line] for d in unit.directives],
            [[b.start_line, b.end_line, b.text] for b in unit.docblocks],
            [_diagnostic_data(d) for d in unit.diagnostics]]


def _unit(data: list[Any], path: str, text: str) -> SourceUnit:
    code, kind, directives, docblocks, diagnostics = data
    found: tuple[Any, ...] = ()
    if directives:
        from lumen.source.directives import SourceDirective

        found = tuple(SourceDirective(*d) for d in directives)
    return SourceUnit(path=path, text=text, code=text if code is None else code, kind=kind,
                      directives=found, docblocks=tuple(DocBlock(*b) for b in docblocks),
                      diagnostics=tuple(_diagnostic(d) for d in diagnostics))


def _diagnostic_data(d: Diagnostic) -> list[Any]:
    span = d.span
    return [d.code, d.message, d.file, span.line, span.column, span.end_line, span.end_column,
            d.severity.value, d.hint, list(d.suggestions)]


def _diagnostic(data: list[Any]) -> Diagnostic:
    from lumen.diagnostics import Diagnostic
    from lumen.diagnostics.diagnostic import Severity, Span

    code, message, file, line, column, end_line, end_column, severity, hint, suggestions = data
    return Diagnostic(code, message, file, Span(line, column, end_line, end_column),
                      Severity(severity), hint, tuple(suggestions))
