"""Quick fixes over a real server: "did you mean", effect rows, missing match arms. Each
fix is applied and the result checked with the compiler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lumen.lsp.documents import analyze_text
from tests.lsp.client import LspClient

MISSPELT = """cell main()
  let total = 1
  print(totl)
end
"""
EFFECTS = """cell roll() -> Int / {emit}
  print("rolling")
  return random_int(1, 6)
end

cell main() -> Int / random
  return roll()
end
"""
MATCH = """enum Light
  Red
  Amber(secs: Int)
  Green
end

cell wait(l: Light) -> Int
  match l
    Red -> return 1
  end
end
"""


def _apply(text: str, edits: list[dict[str, Any]]) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]),
                       reverse=True):
        start, end = edit["range"]["start"], edit["range"]["end"]
        head = "\n".join(lines[: start["line"]] + [lines[start["line"]][: start["character"]]])
        tail = "\n".join([lines[end["line"]][end["character"]:]] + lines[end["line"] + 1:])
        lines = (head + edit["newText"] + tail).split("\n")
    return "\n".join(lines)


def _actions(server: LspClient, workspace: Path, name: str, text: str) -> tuple[str, list[dict[str, Any]]]:
    uri = server.open(workspace / name, text)
    found = server.diagnostics(uri)
    assert found
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": len(text.split("\n")), "character": 0}}
    actions = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": found}})
    return uri, actions


def _errors_after(name: str, text: str) -> list[str]:
    return [d.code for d in analyze_text(f"file:///tmp/{name}", text).compilation.diagnostics if d.is_error]


def test_did_you_mean(server: LspClient, workspace: Path) -> None:
    uri, actions = _actions(server, workspace, "fix_name.lm", MISSPELT)
    [action] = actions
    assert action["title"] == "Replace with 'total'" and action["kind"] == "quickfix"
    fixed = _apply(MISSPELT, action["edit"]["changes"][uri])
    assert "print(total)" in fixed and _errors_after("a.lm", fixed) == []


def test_effects_added_to_rows(server: LspClient, workspace: Path) -> None:
    uri, actions = _actions(server, workspace, "fix_effects.lm", EFFECTS)
    titles = [a["title"] for a in actions]
    assert titles == ["Add 'random' to the effect row", "Add 'emit' to the effect row"]
    first = _apply(EFFECTS, actions[0]["edit"]["changes"][uri])
    assert "cell roll() -> Int / {emit, random}" in first
    second = _apply(EFFECTS, actions[1]["edit"]["changes"][uri])
    assert "cell main() -> Int / {random, emit}" in second


def test_missing_arms(server: LspClient, workspace: Path) -> None:
    uri, actions = _actions(server, workspace, "fix_match.lm", MATCH)
    [action] = actions
    fixed = _apply(MATCH, action["edit"]["changes"][uri])
    assert '    Amber(_) -> halt("unhandled Amber")\n    Green -> halt("unhandled Green")\n  end' in fixed
    assert _errors_after("b.lm", fixed) == []


def test_grant_for_a_tool_call(server: LspClient, workspace: Path) -> None:
    text = ('use tool http.fetch@1 as Fetch\n\nagent Bot\n  cell run()\n'
            '    let r = Fetch(url: "x")\n    print(r)\n  end\nend\n')
    uri, actions = _actions(server, workspace, "fix_grant.lm", text)
    [action] = actions
    assert action["title"] == "Add 'grant Fetch'"
    fixed = _apply(text, action["edit"]["changes"][uri])
    assert fixed.startswith("use tool http.fetch@1 as Fetch\ngrant Fetch\n")
    assert _errors_after("c.lm", fixed) == []
