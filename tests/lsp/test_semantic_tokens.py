"""Semantic tokens over a real server, decoded back to (text, type) pairs."""

from __future__ import annotations

from pathlib import Path

from tests.lsp.client import LspClient

PROGRAM = """# a comment
enum Light
  Red
  Amber(secs: Int)
end

cell wait(l: Light) -> Int
  let label = "red # not a comment"
  match l
    Amber(n) -> return n + 1
    _ -> return len(label) + 0x1F
  end
end
"""
MARKDOWN = """# Title

Some prose.

```lumen
cell main()
  print(1)
end
```
"""


def _decode(server: LspClient, uri: str, text: str) -> list[tuple[str, str, bool]]:
    """(text, token type, is a declaration) for each token, in order."""
    initialize = server.initialize_result
    legend = initialize["capabilities"]["semanticTokensProvider"]["legend"]
    data = server.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})["data"]
    lines = text.split("\n")
    found = []
    line = character = 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, modifiers = data[index:index + 5]
        line += delta_line
        character = character + delta_start if delta_line == 0 else delta_start
        found.append((lines[line][character:character + length], legend["tokenTypes"][kind],
                      bool(modifiers & 1)))
    return found


def test_plain_file(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "tokens.lm", PROGRAM)
    assert server.diagnostics(uri) == []
    tokens = _decode(server, uri, PROGRAM)
    assert tokens[:4] == [("# a comment", "comment", False), ("enum", "keyword", False),
                          ("Light", "type", True), ("Red", "enumMember", True)]
    assert ("wait", "function", True) in tokens
    assert ("l", "parameter", True) in tokens and ("l", "parameter", False) in tokens
    assert ("label", "variable", True) in tokens and ("label", "variable", False) in tokens
    assert ('"red # not a comment"', "string", False) in tokens
    assert ("len", "function", False) in tokens and ("0x1F", "number", False) in tokens
    assert ("+", "operator", False) in tokens and ("->", "operator", False) in tokens
    assert ("Amber", "enumMember", False) in tokens and ("n", "variable", False) in tokens
    assert ("Int", "type", False) in tokens
    assert not any(kind == "comment" for text, kind, _ in tokens[1:])


def test_markdown_prose_is_comment(server: LspClient, workspace: Path) -> None:
    uri = server.open(workspace / "tokens.lm.md", MARKDOWN)
    tokens = _decode(server, uri, MARKDOWN)
    assert tokens[:4] == [("# Title", "comment", False), ("Some prose.", "comment", False),
                          ("```lumen", "comment", False), ("cell", "keyword", False)]
    assert ("print", "function", False) in tokens and tokens[-1] == ("```", "comment", False)
