"""`Documentation` as Markdown: one section per module, one per declaration.

    # shapes                                   (a folder: its name; a file: its module)
    ## Module `geometry.area`                  (folders only)
    ### cell `bigger` (pub)
    ```lumen
    pub cell bigger(a: Int, b: Int) -> Int
    ```
    Returns the larger of two numbers.
"""

from __future__ import annotations

import re

from lumen.docgen.model import DocItem, Documentation, ModuleDoc

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")


def render_markdown(documentation: Documentation) -> str:
    out: list[str] = []
    single = len(documentation.modules) == 1 and not documentation.modules[0].module.count(".") \
        and documentation.title == documentation.modules[0].module
    if single:
        _module(out, documentation.modules[0], level=1)
    else:
        out += [f"# {documentation.title}", ""]
        if documentation.modules:
            out += ["Modules:", ""]
            out += [f"- `{m.module}` ({len(m.items)} declaration{'' if len(m.items) == 1 else 's'})"
                    for m in documentation.modules]
            out.append("")
        else:
            out += ["No Lumen modules found.", ""]
        for module in documentation.modules:
            _module(out, module, level=2)
    return "\n".join(out).rstrip("\n") + "\n"


def _module(out: list[str], module: ModuleDoc, level: int) -> None:
    heading = "#" * level
    out += [f"{heading} Module `{module.module}`", "", f"File: `{module.path}`", ""]
    if module.doc:
        out += [_demote_headings(module.doc), ""]
    if module.imports:
        out += ["Imports:", ""]
        out += [f"- `{text}`" for text in module.imports]
        out.append("")
    if not module.items:
        out += ["No declarations.", ""]
    for item in module.items:
        _item(out, item, level + 1)


def _item(out: list[str], item: DocItem, level: int) -> None:
    visibility = " (pub)" if item.is_pub else ""
    out += [f"{'#' * level} {item.kind} `{item.name}`{visibility}", ""]
    out += ["```lumen", *[a for a in item.attributes], item.signature, "```", ""]
    if item.doc:
        out += [_demote_headings(item.doc), ""]
    if item.effects:
        out += ["Effects (inferred): " + ", ".join(f"`{e}`" for e in item.effects), ""]
    documented = [m for m in item.members if m.doc]
    if documented:
        for member in documented:
            out.append(f"- {member.kind} `{member.name}`: " + member.doc.replace("\n", " "))  # type: ignore[union-attr]
        out.append("")


def _demote_headings(text: str) -> str:
    """Headings inside a docstring would break the page's outline: shown as bold lines."""
    lines = []
    for line in text.split("\n"):
        match = _HEADING.match(line)
        lines.append(f"**{match.group(1)}**" if match else line)
    return "\n".join(lines)
