"""Diagnostics over a real server: published on open, change and save, for every suffix,
with code, severity, range and hint; positions in Markdown files are original lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.lsp.client import LspClient

BROKEN = """cell main()
  let total = 1
  print(totl)
end
"""

MARKDOWN = """# Title

Some prose that is not code.

```lumen
cell main()
  print(missing_name)
end
```
"""


@pytest.mark.parametrize("suffix", [".lm", ".lumen"])
def test_plain_file_reports_undefined_name_with_code_and_hint(
        server: LspClient, workspace: Path, suffix: str) -> None:
    uri = server.open(workspace / f"broken{suffix}", BROKEN)
    found = server.diagnostics(uri)
    assert len(found) == 1
    diagnostic = found[0]
    assert diagnostic["code"] == "E0201"
    assert diagnostic["severity"] == 1
    assert diagnostic["source"] == "lumen"
    assert diagnostic["range"] == {"start": {"line": 2, "character": 8},
                                   "end": {"line": 2, "character": 12}}
    assert "totl" in diagnostic["message"]
    assert "did you mean 'total'" in diagnostic["message"]


@pytest.mark.parametrize("suffix", [".lm.md", ".lumen.md"])
def test_markdown_positions_are_lines_of_the_original_file(
        server: LspClient, workspace: Path, suffix: str) -> None:
    uri = server.open(workspace / f"doc{suffix}", MARKDOWN)
    found = server.diagnostics(uri)
    assert [d["code"] for d in found] == ["E0201"]
    assert found[0]["range"]["start"] == {"line": 6, "character": 8}


def test_change_republishes_and_fix_clears(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "edited.lm", "cell main()\n  print(1)\nend\n")
    assert server.diagnostics(uri, version=1) == []
    server.change(uri, "cell main()\n  print(1\nend\n", version=2)
    found = server.diagnostics(uri, version=2)
    assert found and all(d["severity"] == 1 for d in found)
    assert found[0]["code"].startswith("E00")
    server.change(uri, "cell main()\n  print(2)\nend\n", version=3)
    assert server.diagnostics(uri, version=3) == []


def test_save_publishes_again(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "saved.lm", BROKEN)
    server.diagnostics(uri)
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert [d["code"] for d in server.diagnostics(uri)] == ["E0201"]


def test_type_error_in_second_cell(server: LspClient, workspace: Path) -> None:
    text = "cell twice(n: Int) -> Int\n  return n * 2\nend\n\ncell main()\n  let s: String = twice(3)\nend\n"
    uri = server.open(workspace / "types.lm", text)
    found = server.diagnostics(uri)
    assert found, "a String bound to an Int call must be reported"
    assert found[0]["range"]["start"]["line"] == 5


def test_non_ascii_columns_are_utf16(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "emoji.lm", 'cell main()\n  print("😀é", nope)\nend\n')
    found = server.diagnostics(uri)
    assert [d["code"] for d in found] == ["E0201"]
    # `😀` is two UTF-16 units: the name starts one unit later than its code-point column.
    line = '  print("😀é", nope)'
    assert found[0]["range"]["start"]["character"] == line.index("nope") + 1


def test_malformed_request_does_not_kill_the_server(server: LspClient, workspace: Path) -> None:
    response = server.request_message("textDocument/hover", {"textDocument": {}})
    assert "error" in response or response.get("result") is None
    logged = server.wait_for("window/logMessage", lambda p: "malformed" in p["message"])
    assert "textDocument/hover" in logged["message"]
    server.send_raw(b"{not json")
    uri = server.open(workspace / "after.lm", BROKEN)
    assert [d["code"] for d in server.diagnostics(uri)] == ["E0201"]


def test_saving_an_imported_module_rechecks_its_importers(server: LspClient, workspace: Path) -> None:
    module = workspace / "helpers.lm"
    module.write_text("cell helper() -> Int\n  return 1\nend\n")
    app = workspace / "uses_helper.lm"
    app_uri = server.open(app, "import helpers: helper\n\ncell main()\n  print(helper())\nend\n")
    assert server.diagnostics(app_uri) == []
    module.write_text("cell helper_renamed() -> Int\n  return 1\nend\n")
    module_uri = server.open(module)
    server.diagnostics(module_uri)
    server.notify("textDocument/didSave", {"textDocument": {"uri": module_uri}})
    after = server.diagnostics(app_uri)
    assert after and after[0]["range"]["start"]["line"] == 0  # the import no longer resolves


def test_utf8_columns_when_the_client_asks(server_pool: Any, workspace: Path) -> None:
    client = server_pool.take()
    try:
        result = client.initialize(workspace, {"general": {"positionEncodings": ["utf-8"]}})
        assert result["capabilities"]["positionEncoding"] == "utf-8"
        uri = client.open(workspace / "bytes.lm", 'cell main()\n  print("é", nope)\nend\n')
        [found] = client.diagnostics(uri)
        assert found["range"]["start"]["character"] == len('  print("é", '.encode())
    finally:
        client.shutdown()


VIOLATED_PRECONDITION = """cell take(n: Int) -> Int where n >= 0
  return n
end

cell main()
  print(take(-5))
end
"""


def test_static_verification_is_reported_as_lumen_check_does(
        server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "verified.lm", VIOLATED_PRECONDITION)
    found = server.diagnostics(uri)
    assert [d["code"] for d in found] == ["E0800"]
    assert found[0]["range"]["start"]["line"] == 5
    server.change(uri, VIOLATED_PRECONDITION.replace("take(-5)", "take(5)"), version=2)
    assert server.diagnostics(uri, version=2) == []
