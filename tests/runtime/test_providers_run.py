"""`lumen run` end to end with the built-in providers: a program, a lumen.toml pointing at
the loopback model server and the fixture MCP server, and the user-visible output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.runtime.servers import FakeModelServer, error_reply, mcp_server_command, mcp_toml

REPO = Path(__file__).resolve().parents[2]
SECRET = "sk-e2e-SECRET-0a1b2c3d4e5f"


def lumen_run(folder: Path, program: str) -> subprocess.CompletedProcess[str]:
    (folder / "main.lm").write_text(program, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1",
           "LUMEN_E2E_KEY": SECRET}
    return subprocess.run([sys.executable, "-m", "lumen", "run", "main.lm"], cwd=folder,
                          env=env, capture_output=True, text=True, timeout=60)


PROGRAM = """\
use tool llm.chat as Chat
use tool fixture.add as Add
use tool http.get as Fetch
use tool crypto.sha256 as Hash
use tool mcp "MCP" as Direct
grant Direct
grant Chat model "fake-model" max_tokens 50
grant Add
grant Fetch domain "127.0.0.1"
grant Hash

cell main()
  print(Chat(role system: be terse, prompt: "capital of France?"))
  print(Add(a: 40, b: 2))
  let page = Fetch(url: "URL/echo")
  print(page["status"])
  print(Hash(text: "abc"))
  print(Direct.echo(text: "straight to the server"))
end
"""


def test_tools_of_every_kind_in_one_run(tmp_path: Path) -> None:
    with FakeModelServer(api_key=SECRET) as server:
        server.when("capital of France", "Paris")
        toml = server.lumen_toml(api_key_env="LUMEN_E2E_KEY") + "\n" + mcp_toml()
        (tmp_path / "lumen.toml").write_text(toml, encoding="utf-8")
        program = PROGRAM.replace("URL", server.url).replace("MCP", mcp_server_command())
        done = lumen_run(tmp_path, program)
        assert done.stderr == "" and done.returncode == 0
        assert done.stdout.splitlines() == [
            "Paris", '{"sum": 42}', "200",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            "straight to the server"]
        body = server.chat_requests()[0].json
        assert body["max_tokens"] == 50
        assert body["messages"][0] == {"role": "system", "content": "be terse"}


def test_provider_failures_are_lumen_errors_without_the_key(tmp_path: Path) -> None:
    with FakeModelServer() as server:
        server.script("openai", *[error_reply(500, f"down, key {SECRET}")] * 2)
        toml = server.lumen_toml(api_key_env="LUMEN_E2E_KEY",
                                 retry="max_retries = 1\nbase_delay_ms = 1")
        (tmp_path / "lumen.toml").write_text(toml, encoding="utf-8")
        done = lumen_run(tmp_path, 'use tool llm.chat as Chat\ngrant Chat\n\n'
                                   'cell main()\n  print(Chat(prompt: "hi"))\nend\n')
    assert done.returncode == 2
    assert "runtime error[tools]: tool call error: provider unavailable: " \
           "openai-compatible (HTTP 500: down, key ***)" in done.stderr
    assert "gave up after 2 attempts" in done.stderr
    assert "Traceback" not in done.stderr and SECRET not in done.stderr + done.stdout
