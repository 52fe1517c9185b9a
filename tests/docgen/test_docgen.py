"""`lumen doc`: what is documented from declarations and docstrings, module names of a
folder, the Markdown and JSON forms, and the command's files and exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lumen.cli.main import run_cli
from lumen.docgen import document_path, render_json, render_markdown

SHAPES = '''\
```
Shapes and their areas.
```

import util: *

```
The area of a shape.
```
pub cell area(s: Shape) -> Float
  match s
    Dot -> 0.0
    Disc(r) -> 3.14 * r * r
  end
end

cell announce(s: String)
  print(s)
end

cell scaled(x: Float, by: Float = 2.0) -> Float / {emit} = x * by

```
A shape.
```
pub enum Shape
  Dot
  Disc(radius: Float)

  cell describe(self: Shape) -> String = "shape"
end

pub record Order
  id: String
  qty: Int = 1 where qty > 0
end

```
Most items per order.
```
const LIMIT: Int = 100

type Id = String

@deprecated "use area"
cell old_area(s: Shape) -> Float = area(s)

cell test_area()
  assert area(Dot) == 0.0
end
'''

GUIDE = '''\
# A guide

Intro prose for the module.

## Greeting

Builds a greeting.

```lumen
cell greet(name: String) -> String
  return "hi {name}"
end
```
'''


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _items(path: Path, **options: bool) -> dict[str, object]:
    documentation = document_path(path, **options)
    assert not documentation.diagnostics
    (module,) = documentation.modules
    return {item.name: item for item in module.items}


def test_declarations_signatures_and_docstrings(tmp_path: Path) -> None:
    items = _items(_write(tmp_path / "shapes.lm", SHAPES))
    area = items["area"]
    assert (area.kind, area.signature, area.doc, area.is_pub) == (  # type: ignore[attr-defined]
        "cell", "pub cell area(s: Shape) -> Float", "The area of a shape.", True)
    assert items["announce"].effects == ("emit",)  # type: ignore[attr-defined]
    assert items["scaled"].signature == "cell scaled(x: Float, by: Float = 2.0) -> Float / {emit}"  # type: ignore[attr-defined]
    assert items["scaled"].effects is None  # declared, not inferred  # type: ignore[attr-defined]
    shape = items["Shape"]
    assert shape.doc == "A shape." and shape.is_pub  # type: ignore[attr-defined]
    assert [(m.kind, m.signature) for m in shape.members] == [  # type: ignore[attr-defined]
        ("variant", "Dot"), ("variant", "Disc(radius: Float)"),
        ("method", "cell describe(self: Shape) -> String")]
    order = items["Order"]
    assert [m.signature for m in order.members] == ["id: String", "qty: Int = 1 where qty > 0"]  # type: ignore[attr-defined]
    assert items["LIMIT"].doc == "Most items per order."  # type: ignore[attr-defined]
    assert items["Id"].signature == "type Id = String"  # type: ignore[attr-defined]
    assert items["old_area"].attributes == ('@deprecated("use area")',)  # type: ignore[attr-defined]
    assert "test_area" not in items


def test_options_select_items(tmp_path: Path) -> None:
    path = _write(tmp_path / "shapes.lm", SHAPES)
    assert sorted(_items(path, include_private=False)) == ["Order", "Shape", "area"]
    assert "test_area" in _items(path, include_tests=True)


def test_markdown_of_one_file(tmp_path: Path) -> None:
    text = render_markdown(document_path(_write(tmp_path / "shapes.lm", SHAPES)))
    assert text.startswith("# Module `shapes`\n\n")
    assert "\nShapes and their areas.\n" in text  # the module's own docstring
    assert "- `import util: *`" in text
    assert "## cell `area` (pub)\n\n```lumen\npub cell area(s: Shape) -> Float\n```\n\nThe area of a shape.\n" in text
    assert "## cell `announce`\n\n```lumen\ncell announce(s: String)\n```\n\nEffects (inferred): `emit`\n" in text


def test_a_folder_has_one_section_per_module(tmp_path: Path) -> None:
    _write(tmp_path / "geometry" / "shapes.lm", SHAPES)
    _write(tmp_path / "geometry" / "mod.lm", "pub cell unit() -> Int = 1\n")
    _write(tmp_path / "guide.lm.md", GUIDE)
    _write(tmp_path / ".lumen" / "hidden.lm", "cell hidden() -> Int = 0\n")
    documentation = document_path(tmp_path)
    assert [m.module for m in documentation.modules] == ["geometry", "geometry.shapes", "guide"]
    guide = documentation.modules[2]
    assert guide.doc == "**A guide**\n\nIntro prose for the module."
    assert guide.items[0].doc == "Builds a greeting."  # the prose before its code fence
    text = render_markdown(documentation)
    assert f"# {tmp_path.name}\n" in text
    for name in ("geometry", "geometry.shapes", "guide"):
        assert f"\n## Module `{name}`\n" in text
    assert "\n### cell `greet`\n" in text


def test_project_modules_are_named_from_src(tmp_path: Path) -> None:
    _write(tmp_path / "lumen.toml", '[package]\nname = "@acme/demo"\n')
    _write(tmp_path / "src" / "tools" / "text.lm", "cell shout(s: String) -> String = s\n")
    assert [m.module for m in document_path(tmp_path).modules] == ["tools.text"]


def test_json_form(tmp_path: Path) -> None:
    data = json.loads(render_json(document_path(_write(tmp_path / "shapes.lm", SHAPES))))
    (module,) = data["modules"]
    assert module["module"] == "shapes" and module["doc"] == "Shapes and their areas."
    area = module["items"][0]
    assert area == {"kind": "cell", "name": "area", "pub": True, "line": 10,
                    "signature": "pub cell area(s: Shape) -> Float",
                    "doc": "The area of a shape.", "effects": []}
    assert data["diagnostics"] == []


def test_command_writes_output_and_reports_unparsable_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path / "good.lm", "pub cell ok() -> Int = 1\n")
    _write(tmp_path / "bad.lm", "cell broken(\n")
    out = tmp_path / "api.md"
    assert run_cli(["doc", str(tmp_path), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "bad.lm:" in captured.err and "error[" in captured.err
    assert "## Module `good`" in out.read_text(encoding="utf-8")
    assert run_cli(["doc", str(tmp_path / "good.lm"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["modules"][0]["items"][0]["name"] == "ok"


def test_command_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["doc", str(tmp_path / "nope.lm")]) == 1
    assert "error[E0900]: file not found" in capsys.readouterr().err


def test_headings_inside_docstrings_become_bold_lines(tmp_path: Path) -> None:
    source = "```\n# std.things\n\nHelpers.\n```\n\nimport util: *\n\n```\n## Returns\nOne.\n```\ncell one() -> Int = 1\n"
    documentation = document_path(_write(tmp_path / "things.lm", source))
    assert documentation.modules[0].doc == "# std.things\n\nHelpers."  # the JSON keeps the text
    text = render_markdown(documentation)
    assert "\n**std.things**\n\nHelpers.\n" in text
    assert "\n**Returns**\nOne.\n" in text
