"""Load every module a program imports, once each, in dependency order (§15).

The loader follows `import` declarations depth first from the entry file, parses each
module the first time it is reached (keyed by its resolved path), and binds the imported
names to the declarations they denote. It reports E0122 (module not found, with the paths
tried), E0121 (circular import, with the whole chain and each importing file:line), E0123
(a name the module does not declare) and E0105 (an imported name that clashes with a
declaration of the importer, or two modules' top-level names that would collide once the
program's modules are lowered into one LIR module).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lumen.diagnostics import Diagnostic, ErrorCode, Span
from lumen.modules.rename import plan_renames, renamed_declarations
from lumen.modules.resolve import STD_PACKAGE, resolve_module, std_directory
from lumen.source import SourceError, SourceUnit, load_source, source_from_text
from lumen.syntax import ast, parse

# The kinds of declaration a module exports (§15.3): not constants, not its own imports.
_EXPORTED = (ast.CellDecl, ast.RecordDecl, ast.EnumDecl, ast.AgentDecl, ast.ProcessDecl,
             ast.TypeAlias)
# Top-level declarations that share the program-wide namespace once modules are merged.
_GLOBAL = _EXPORTED + (ast.ConstDecl, ast.TraitDecl, ast.EffectDecl, ast.HandlerDecl)
ENTRY_CELL = "main"


@dataclass(frozen=True, slots=True)
class ImportBinding:
    """A name made visible by an import: `local_name` in the importer denotes `name`
    declared in the module at `module_file`."""

    local_name: str
    name: str
    module: str  # the dotted module path as written
    module_file: str
    decl: ast.Node
    span: Span  # the import (or the imported name) in the importer
    via_star: bool = False  # from `import m: *`


@dataclass(frozen=True, slots=True)
class LoadedModule:
    name: str  # the dotted path it was first imported under (the file stem for the entry)
    unit: SourceUnit
    program: ast.Program
    bindings: tuple[ImportBinding, ...] = ()

    @property
    def path(self) -> str:
        return self.unit.path

    def exports(self) -> dict[str, ast.Node]:
        """The importable names (§15.3), the first declaration of a name winning."""
        found: dict[str, ast.Node] = {}
        for item in self.program.items:
            if isinstance(item, _EXPORTED):
                found.setdefault(item.name, item)
        return found

    def declarations(self) -> Iterator[ast.Node]:
        """Its top-level declarations (imports and statements excluded)."""
        return (item for item in self.program.items
                if ast.is_decl(item) and not isinstance(item, ast.ImportDecl))


@dataclass(frozen=True, slots=True)
class ProgramUnit:
    """The entry module plus the modules it imports, directly or not, dependencies first.

    `renames` gives clashing cells of imported modules a qualified name (lumen.modules.rename);
    `rewritten` holds, per module file, its declarations with those names applied."""

    entry: LoadedModule
    imported: tuple[LoadedModule, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    renames: Mapping[tuple[str, str], str] = field(default_factory=dict)
    rewritten: Mapping[str, tuple[ast.Node, ...]] = field(default_factory=dict)

    @property
    def modules(self) -> tuple[LoadedModule, ...]:
        return (*self.imported, self.entry)

    def aliases(self) -> dict[str, str]:
        """Program-wide renamings, `y` -> `x`: `import m: x as y` anywhere, and an import of
        the entry module whose cell was renamed (`x` -> `x@m`)."""
        found = {}
        for module in self.modules:
            for b in module.bindings:
                target = self.renames.get((b.module_file, b.name), b.name)
                if b.local_name != b.name or (module is self.entry and target != b.name):
                    found[b.local_name] = target
        return found

    def lowered_declarations(self, module: LoadedModule) -> tuple[ast.Node, ...]:
        """What an imported module contributes to the program, renamings applied."""
        rewritten = self.rewritten.get(module.path)
        return rewritten if rewritten is not None else self.base_declarations(module)

    def base_declarations(self, module: LoadedModule) -> tuple[ast.Node, ...]:
        """An imported module's declarations, without a `main` cell that nobody imports
        (its synthetic main never runs, §15.3)."""
        wanted = {(b.module_file, b.name) for m in self.modules for b in m.bindings}
        return tuple(
            item for item in module.declarations()
            if not (isinstance(item, ast.CellDecl) and item.name == ENTRY_CELL
                    and (module.path, ENTRY_CELL) not in wanted))


def has_imports(program: ast.Program) -> bool:
    return any(isinstance(item, ast.ImportDecl) for item in program.items)


def load_program(unit: SourceUnit, program: ast.Program,
                 buffers: Mapping[str, str] | None = None) -> ProgramUnit:
    """Load the modules `program` (the parsed `unit`) imports; never raises for user errors.
    `buffers` (absolute path -> text) stand for files: an editor's unsaved documents."""
    loader = _Loader()
    if buffers:
        loader.buffers = {Path(path).resolve(): text for path, text in buffers.items()}
    entry = loader.visit(Path(unit.path).stem, unit, program)
    result = ProgramUnit(entry, tuple(loader.order), ())
    renames = plan_renames(result)
    rewritten = {}
    for module in result.imported:
        declarations = renamed_declarations(result, module, renames)
        if declarations is not None:
            rewritten[module.path] = declarations
    result = ProgramUnit(entry, result.imported, (), renames, rewritten)
    diagnostics = loader.diagnostics + _namespace_clashes(result)
    return dataclasses.replace(result, diagnostics=tuple(diagnostics))


@dataclass(slots=True)
class _Frame:
    name: str
    key: Path
    via: tuple[str, Span] | None  # (importing file, import statement) that reached it


@dataclass(slots=True)
class _Loader:
    done: dict[Path, LoadedModule] = field(default_factory=dict)
    failed: set[Path] = field(default_factory=set)
    order: list[LoadedModule] = field(default_factory=list)
    stack: list[_Frame] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    buffers: dict[Path, str] = field(default_factory=dict)  # resolved path -> unsaved text

    def visit(self, name: str, unit: SourceUnit, program: ast.Program,
              via: tuple[str, Span] | None = None) -> LoadedModule:
        key = Path(unit.path).resolve()
        self.stack.append(_Frame(name, key, via))
        bindings: list[ImportBinding] = []
        for decl in program.items:
            if isinstance(decl, ast.ImportDecl):
                target = self.import_module(decl, unit.path)
                if target is not None:
                    bindings.extend(self.bind(decl, target, unit.path))
        self.stack.pop()
        module = LoadedModule(name, unit, program, tuple(bindings))
        self.diagnostics.extend(_star_clashes(module))
        self.done[key] = module
        if via is not None:
            self.order.append(module)
        return module

    def import_module(self, decl: ast.ImportDecl, importer: str) -> LoadedModule | None:
        dotted = ".".join(decl.module)
        found, tried = resolve_module(decl.module, Path(importer))
        if found is None:
            self.report(ErrorCode.MODULE_NOT_FOUND, _not_found_message(dotted, tried),
                        importer, decl.span, _std_modules_hint(decl.module))
            return None
        key = found.resolve()
        if key in self.done:
            return self.done[key]
        if key in self.failed:
            return None
        cycle_start = next((i for i, frame in enumerate(self.stack) if frame.key == key), None)
        if cycle_start is not None:
            self.report_cycle(cycle_start, dotted, importer, decl.span)
            return None
        try:
            text = self.buffers.get(key)
            unit = load_source(found) if text is None else source_from_text(text, str(found))
        except SourceError as exc:
            self.failed.add(key)
            self.diagnostics.append(exc.diagnostic)
            return None
        parsed = parse(unit.code, unit.path, unit.docblocks)
        self.diagnostics.extend(unit.diagnostics)
        self.diagnostics.extend(parsed.diagnostics)
        if parsed.program is None:
            self.failed.add(key)
            return None
        return self.visit(dotted, unit, parsed.program, (importer, decl.span))

    def bind(self, decl: ast.ImportDecl, target: LoadedModule, importer: str) -> list[ImportBinding]:
        dotted = ".".join(decl.module)
        exports = target.exports()
        if decl.names is None:
            return [ImportBinding(name, name, dotted, target.path, node, decl.span, via_star=True)
                    for name, node in exports.items()]
        bindings = []
        for imported in decl.names:
            node = exports.get(imported.name)
            span = imported.span if imported.span.line else decl.span
            if node is None:
                self.report(ErrorCode.IMPORTED_SYMBOL_NOT_FOUND,
                            f"imported symbol '{imported.name}' not found in module '{dotted}'",
                            importer, span, _missing_symbol_hint(imported.name, target, exports))
                continue
            bindings.append(ImportBinding(imported.alias or imported.name, imported.name, dotted,
                                          target.path, node, span))
        return bindings

    def report_cycle(self, start: int, dotted: str, importer: str, span: Span) -> None:
        """E0121 at the import closing the cycle. The message names the chain and, for every
        import on the way from the entry file (each hop of the cycle included), the
        file:line:col of the import statement."""
        frames = self.stack[start:]
        chain = " -> ".join([*(frame.name for frame in frames), dotted])
        links = [_import_site(frame.via[0], frame.via[1], frame.name)
                 for frame in self.stack[1:] if frame.via is not None]
        links.append(_import_site(importer, span, dotted))
        message = (f"circular import detected: module '{dotted}' is already being compiled "
                   f"(chain: {chain}; {', '.join(links)})")
        self.report(ErrorCode.CIRCULAR_IMPORT, message, importer, span,
                    "break the cycle by moving the shared declarations into a third module")

    def report(self, code: ErrorCode, message: str, file: str, span: Span,
               hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code.value, message, file, span, hint=hint))


def _import_site(file: str, span: Span, module: str) -> str:
    return f"{display_path(file)}:{span.line}:{span.column} imports '{module}'"


def display_path(path: str | Path) -> str:
    """A path as shown to the user: relative to the working directory when below it."""
    text = str(path)
    try:
        relative = os.path.relpath(text)
    except ValueError:  # another drive (Windows)
        return text
    return text if relative.startswith("..") else relative


def _not_found_message(dotted: str, tried: tuple[Path, ...]) -> str:
    by_root: dict[Path, list[str]] = {}
    depth = len(dotted.split("."))
    for path in tried:
        parts = path.parts
        # The root is the part before the module's own relative path (`a/b/c.lm` has
        # `depth` parts, `a/b/c/mod.lm` one more).
        cut = depth if path.name.startswith(dotted.split(".")[-1] + ".") else depth + 1
        root = Path(*parts[:-cut])
        by_root.setdefault(root, []).append(str(Path(*parts[-cut:])))
    tried_text = "; ".join(f"in {display_path(root) or '.'}: {', '.join(names)}"
                           for root, names in by_root.items())
    return f"module '{dotted}' not found (tried {tried_text})"


def _std_modules_hint(module: tuple[str, ...]) -> str | None:
    """For a missing `std.…` module: the modules the standard library has."""
    std = std_directory()
    if module[0] != STD_PACKAGE or std is None:
        return None
    names = sorted(f"{STD_PACKAGE}.{p.name.split('.')[0]}" for p in std.iterdir()
                   if p.is_file() and p.name.endswith((".lm", ".lumen", ".lm.md", ".lumen.md")))
    return f"the standard library has: {', '.join(names)}" if names else None


def _missing_symbol_hint(name: str, target: LoadedModule, exports: Mapping[str, ast.Node]) -> str:
    for item in target.program.items:
        if isinstance(item, ast.ConstDecl) and item.name == name:
            return f"'{name}' is a constant of '{target.name}'; constants are not importable"
    if any(b.local_name == name for b in target.bindings):
        return f"'{name}' is imported by '{target.name}', not declared there; import it from its own module"
    if not exports:
        return f"module '{target.name}' declares nothing importable"
    return f"module '{target.name}' declares: {', '.join(sorted(exports))}"


def _local_names(module: LoadedModule) -> dict[str, ast.Node]:
    return {item.name: item for item in module.program.items if isinstance(item, _GLOBAL)}


def _star_clashes(module: LoadedModule) -> list[Diagnostic]:
    """E0105 for imported names that collide: a `*` import against a local declaration
    (explicit names are the checker's), or one name bound to two different declarations."""
    local = _local_names(module)
    diagnostics = []
    seen: dict[str, ImportBinding] = {}
    for binding in module.bindings:
        previous = seen.setdefault(binding.local_name, binding)
        if previous is not binding and previous.decl is not binding.decl:
            diagnostics.append(Diagnostic(
                ErrorCode.DUPLICATE.value,
                f"'{binding.local_name}' is imported from both '{previous.module}' and "
                f"'{binding.module}'", module.path, binding.span,
                hint="rename one of them with `as`"))
        elif binding.via_star and binding.local_name in local:
            diagnostics.append(Diagnostic(
                ErrorCode.DUPLICATE.value,
                f"'{binding.local_name}' imported from '{binding.module}' clashes with a "
                f"declaration of this module", module.path, binding.span,
                hint="import the names you need explicitly, renaming the clashing one with `as`"))
    return diagnostics


def _namespace_clashes(program: ProgramUnit) -> list[Diagnostic]:
    """Top-level names of different modules that would still collide in the one LIR module
    the program is lowered to, after the renaming of lumen.modules.rename: reported (E0105)
    rather than letting one declaration shadow another."""
    owners: dict[str, tuple[str, ast.Node]] = {}
    diagnostics = []
    for module in program.modules:
        items = (program.lowered_declarations(module) if module is not program.entry
                 else tuple(module.declarations()))
        imported_names = {b.local_name for b in module.bindings}
        # A module's own declaration that an import of it shadows is reported at the
        # import (E0105 by the checker or `_star_clashes`); a renaming is always checked.
        named = [(item.name, item, item.span) for item in items
                 if isinstance(item, _GLOBAL) and item.name not in imported_names]
        named += [(b.local_name, b.decl, b.span) for b in module.bindings
                  if b.local_name != b.name]
        for name, node, span in named:
            previous = owners.setdefault(name, (module.path, node))
            if previous[1] is node or previous[0] == module.path:
                continue  # the same declaration, or a duplicate the checker reports
            diagnostics.append(Diagnostic(
                ErrorCode.DUPLICATE.value,
                f"'{name}' is declared both in {display_path(previous[0])} and in "
                f"{display_path(module.path)}; the modules of one program must not share "
                "top-level names (not supported yet)",
                module.path, span, hint=_clash_hint(previous[0])))
    return diagnostics


def _clash_hint(other_file: str) -> str:
    std = std_directory()
    if std is not None and Path(other_file).resolve().is_relative_to(std):
        module = ".".join(Path(other_file).resolve().relative_to(std).with_suffix("").parts)
        return (f"the standard library module {STD_PACKAGE}.{module} (imported by this program) "
                "declares it; rename this declaration")
    return "rename one of the declarations"
