"""Projects (§15.4) and the standard-library root: `[package]` validation with positions,
the configured source folder as a search root, and `std.…` imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from lumen.driver import RunOptions, check_file, run_file
from lumen.modules.resolve import candidate_paths, std_directory
from lumen.project import is_valid_package_name, parse_manifest, program_target


def problems(text: str, root: Path) -> list[tuple[int, int, str]]:
    result = parse_manifest(text, root)
    return [(d.line, d.column, d.message) for d in result.diagnostics]


@pytest.mark.parametrize("name,valid", [
    ("@acme/parsers", True), ("@a-1/b-2", True), ("parsers", False), ("@Acme/x", False),
    ("@acme/", False), ("@acme/x_y", False), ("@acme/x/y", False),
])
def test_package_names(name: str, valid: bool) -> None:
    assert is_valid_package_name(name) is valid


def test_manifest_fields_and_defaults(tmp_path: Path) -> None:
    result = parse_manifest('[package]\nname = "@acme/tool"\nversion = "1.2.3"\n', tmp_path)
    assert result.diagnostics == ()
    manifest = result.manifest
    assert (manifest.name, manifest.version, manifest.source) == ("@acme/tool", "1.2.3", "src")
    assert manifest.entry_path() == tmp_path / "src" / "main.lm"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.lm.md").write_text("x")
    assert manifest.entry_path() == tmp_path / "src" / "main.lm.md"
    custom = parse_manifest('[package]\nentry = "app/run.lm"\nsource = "lib"\n', tmp_path).manifest
    assert custom.entry_path() == tmp_path / "app" / "run.lm"
    assert custom.source_dir == tmp_path / "lib"


def test_manifest_problems_carry_line_and_column(tmp_path: Path) -> None:
    text = ('[providers]\nchat = "fake"\n\n[package]\nname = "Bad Name"\n  version = "one"\n'
            'entry = "/etc/x.lm"\nsource = "../up"\nflavour = "x"\nauthors = "me"\n')
    found = problems(text, tmp_path)
    assert found == [
        (5, 1, "invalid package name 'Bad Name'"),
        (6, 3, "invalid version 'one'"),
        (7, 1, "'package.entry' must be a path inside the project"),
        (8, 1, "'package.source' must be a path inside the project"),
        (9, 1, "unknown key 'flavour' in [package]"),
        (10, 1, "'package.authors' must be a list of strings"),
    ]


def test_dotted_keys_and_invalid_toml(tmp_path: Path) -> None:
    assert problems('package.nme = "x"\n', tmp_path) == [(1, 1, "unknown key 'nme' in [package]")]
    assert problems("package = 3\n", tmp_path) == [(0, 0, "'package' must be a table")]
    (line, column, message), = problems('[package]\nname = "@a/b\n', tmp_path)
    assert line == 2 and message.startswith("invalid TOML")


def test_configured_source_folder_is_a_search_root(tmp_path: Path) -> None:
    (tmp_path / "lumen.toml").write_text('[package]\nname = "@t/app"\nsource = "lib"\n')
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "util.lm").write_text('cell where_from() -> String = "lib"\n')
    (tmp_path / "app").mkdir()
    main = tmp_path / "app" / "main.lm"
    main.write_text("import util: where_from\ncell main() -> String = where_from()\n")
    assert run_file(main, RunOptions(jit=False)).value == "lib"
    target = program_target(str(tmp_path))
    assert target.file is None and target.diagnostics[0].code == "E0900"


def test_std_imports_resolve_to_the_standard_library(tmp_path: Path) -> None:
    std = std_directory()
    assert std is not None and (std / "strings.lm").is_file()
    main = tmp_path / "main.lm"
    main.write_text("import std.strings: words\ncell main() -> list[String] = words(\"a b\")\n")
    assert run_file(main, RunOptions(jit=False)).value == ["a", "b"]
    tried = candidate_paths(("std", "strings"), main)
    assert tried[0] == tmp_path / "std" / "strings.lm"  # the user's own roots come first
    assert tried[-12] == std / "strings.lm"  # the standard library is the last root


def test_unknown_std_module_lists_the_standard_library_folder(tmp_path: Path) -> None:
    main = tmp_path / "main.lm"
    main.write_text("import std.nothing: x\ncell main() -> Int = 1\n")
    (error,) = check_file(main).errors
    assert error.code == "E0122" and "std/nothing.lm" in error.message
    assert error.hint is not None and "std.collections, std.json" in error.hint
    assert str(std_directory().parent) in error.message or "std/nothing/mod.lm" in error.message


def test_pub_import_is_accepted_and_re_exports_nothing(tmp_path: Path) -> None:
    (tmp_path / "base.lm").write_text("pub cell one() -> Int = 1\n")
    (tmp_path / "facade.lm").write_text("pub import base: one\npub cell two() -> Int = one() + 1\n")
    main = tmp_path / "main.lm"
    main.write_text("import facade: two\ncell main() -> Int = two()\n")
    assert run_file(main, RunOptions(jit=False)).value == 2
    main.write_text("import facade: one\ncell main() -> Int = one()\n")
    (error,) = check_file(main).errors
    assert error.code == "E0123" and "not declared there" in (error.hint or "")


def test_a_multi_file_program_is_one_lir_module(tmp_path: Path) -> None:
    from lumen.driver import compile_file
    from lumen.lir.serialize import dumps, loads

    (tmp_path / "shapes.lm").write_text("record Box\n  w: Int\nend\npub cell area(b: Box) -> Int = b.w * b.w\n")
    (tmp_path / "text.lm").write_text("import shapes: Box, area\npub cell describe(w: Int) -> String = \"{area(Box(w: w))}\"\n")
    main = tmp_path / "main.lm"
    main.write_text("import text: describe\ncell main() -> String = describe(3)\n")
    module = compile_file(main).module
    assert module is not None
    assert {"main", "describe", "area"} <= set(module.entry_points)
    assert [r.name for r in module.records] == ["Box"]
    # Cells of imported modules name their own file; the entry's use the module's.
    files = {Path(f.file or module.file).name for f in module.functions}
    assert files == {"main.lm", "text.lm", "shapes.lm"}
    assert loads(dumps(module)) == module  # one serializable unit, as the compile cache stores it
