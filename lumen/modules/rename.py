"""Private names for cells of imported modules that would otherwise collide (§15.3).

A program's modules are lowered into one LIR module with one namespace of top-level
names. When two modules declare a cell of the same name (the entry's `words` and
`std.strings`'s `words`, or two modules' `helper`), the cells of imported modules are given
module-qualified names (`words@std/strings`) in what is lowered, together with every
reference to them: in their own module, and in the imported modules that import them. The
entry module is never rewritten (its analysis is what the lowering uses); where it imports a
renamed cell, a program-wide alias maps its name to the qualified one.

Renaming is done only where it is plainly safe: the name must occur in the modules
concerned only as a reference (`Name`), never as a parameter, local binding, field,
member (`x.name`) or argument label, so no scope analysis is needed. Anything else keeps
the name, and the clash stays an error (E0105), as before.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from lumen.syntax import ast

if TYPE_CHECKING:
    from lumen.modules.loader import LoadedModule, ProgramUnit

# (file of the declaring module, cell name) -> the name it is lowered under
Renames = dict[tuple[str, str], str]


def mangled_name(module: str, cell: str) -> str:
    """The qualified name of `cell` of module `module` (no `.`: lowering reads `A.b` as a
    type's method)."""
    return f"{cell}@{module.replace('.', '/')}"


def plan_renames(program: ProgramUnit) -> Renames:
    """Which clashing cells of imported modules to rename, and to what."""
    declarers: dict[str, list[tuple[LoadedModule, ast.Node]]] = {}
    for module in program.modules:
        for item in _declarations(program, module):
            if isinstance(item, _NAMED):
                declarers.setdefault(item.name, []).append((module, item))
    renames: Renames = {}
    used: set[str] = set(declarers)
    for name, owners in declarers.items():
        if len({module.path for module, _ in owners}) < 2:
            continue
        chosen = [(module, item) for module, item in owners
                  if module is not program.entry and isinstance(item, ast.CellDecl)
                  and _renamable(program, module, item)]
        keepers = len(owners) - len(chosen)
        renamed_files = {module.path for module, _ in chosen}
        entry_imports_renamed = any(b.name == name and b.local_name == name
                                    and b.module_file in renamed_files
                                    for b in program.entry.bindings)
        if keepers > 1 or (entry_imports_renamed and keepers > 0):
            continue  # still a clash: reported as E0105
        for module, _ in chosen:
            new = mangled_name(module.name, name)
            while new in used:  # two modules first imported under the same dotted path
                new += "_"
            used.add(new)
            renames[(module.path, name)] = new
    return renames


def renamed_declarations(program: ProgramUnit, module: LoadedModule,
                         renames: Mapping[tuple[str, str], str]) -> tuple[ast.Node, ...] | None:
    """`module`'s declarations to lower with `renames` applied, None when unchanged."""
    mapping = {name: new for (file, name), new in renames.items() if file == module.path}
    mapping.update((b.local_name, renames[(b.module_file, b.name)]) for b in module.bindings
                   if b.local_name == b.name and (b.module_file, b.name) in renames)
    if not mapping:
        return None
    return tuple(_rewrite(item, mapping) for item in _declarations(program, module))


def _declarations(program: ProgramUnit, module: LoadedModule) -> tuple[ast.Node, ...]:
    if module is program.entry:
        return tuple(module.declarations())
    return program.base_declarations(module)


_NAMED = (ast.CellDecl, ast.RecordDecl, ast.EnumDecl, ast.AgentDecl, ast.ProcessDecl,
          ast.TypeAlias, ast.ConstDecl, ast.TraitDecl, ast.EffectDecl, ast.HandlerDecl)


def _renamable(program: ProgramUnit, module: LoadedModule, cell: ast.CellDecl) -> bool:
    """The name occurs only as a reference in its module and in the imported modules that
    import it by that name (the entry, which is not rewritten, gets an alias instead)."""
    if not _only_references(module.program.items, cell.name, cell):
        return False
    for other in program.imported:
        imports_it = any(b.module_file == module.path and b.name == cell.name
                         and b.local_name == cell.name for b in other.bindings)
        if imports_it and not _only_references(other.program.items, cell.name, None):
            return False
    return True


# String fields that never name a cell: prose, literal text, module paths.
_NOT_NAMES = {(ast.StringLit, "value"), (ast.ImportDecl, "module"), (ast.ImportName, "name"),
              (ast.Directive, "value"), (ast.InterpString, "parts")}


def _only_references(items: Iterable[ast.Node], name: str, declaration: ast.Node | None) -> bool:
    for node, field_name, value in _strings(items):
        if value != name or field_name == "doc" or (type(node), field_name) in _NOT_NAMES:
            continue
        if isinstance(node, ast.Name) or node is declaration:
            continue
        return False
    return True


def _strings(items: Iterable[Any]) -> Iterator[tuple[Any, str, str]]:
    """(node, field, text) for every string held by a node of `items`, depth first."""
    stack = list(items)
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
            continue
        if not dataclasses.is_dataclass(node) or isinstance(node, type):
            continue
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if isinstance(value, str):
                yield node, field.name, value
            elif isinstance(value, tuple):
                for element in value:
                    if isinstance(element, str):
                        yield node, field.name, element
                    else:
                        stack.append(element)
            elif value is not None:
                stack.append(value)


def _rewrite(value: Any, mapping: Mapping[str, str], top_level: bool = True) -> Any:
    """`value` with every `Name` in `mapping` renamed, and top-level cells too."""
    if isinstance(value, tuple):
        items = tuple(_rewrite(v, mapping, False) for v in value)
        return value if all(a is b for a, b in zip(items, value)) else items
    if isinstance(value, ast.Name):
        new = mapping.get(value.id)
        return value if new is None else dataclasses.replace(value, id=new)
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(value):
        old = getattr(value, field.name)
        if isinstance(old, tuple | ast.Node):
            new = _rewrite(old, mapping, False)
            if new is not old:
                changes[field.name] = new
    if top_level and isinstance(value, ast.CellDecl) and value.name in mapping:
        changes["name"] = mapping[value.name]
    return dataclasses.replace(value, **changes) if changes else value
