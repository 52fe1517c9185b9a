#!/usr/bin/env python3
"""Conformance ratchet: a case that passed before must not fail now.

Runs the shared conformance runner against `python -m lumen`, reads which cases pass
(`PASS name` lines of `-v`) and fail (`FAIL name: reason`), and compares the passing set
with the committed list `ci/conformance-passing.txt` (one case name per line).

    python3 ci/ratchet.py            # exit 1 listing every case that regressed
    python3 ci/ratchet.py --update   # rewrite the list with the cases passing now
    python3 ci/ratchet.py --jit-threshold 0      # same list, every cell compiled natively
    python3 ci/ratchet.py --env LUMEN_TIER=interp  # same list, any environment for `lumen`

The list is the one of the default configuration: a configuration given with
`--jit-threshold`/`--env` is held to it (an execution tier must not lose a case) and cannot
`--update` it. With no list (or an empty one) it only reports. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PASSING_LIST = REPO / "ci" / "conformance-passing.txt"
DEFAULT_SHARED = REPO.parent / "shared"
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$")


@dataclass
class ConformanceRun:
    passed: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # name -> reason
    skipped: set[str] = field(default_factory=set)
    summary: str | None = None


def run_conformance(shared: Path, jobs: int, timeout: float,
                    extra_env: dict[str, str] | None = None) -> ConformanceRun:
    runner = shared / "conformance" / "run.py"
    if not runner.is_file():
        raise SystemExit(f"ratchet: conformance runner not found at {runner}")
    command = [
        sys.executable, str(runner),
        "--lumen", f"{sys.executable} -m lumen",
        "--jobs", str(jobs),
        "--timeout", str(timeout),
        "-v",
    ]
    # The runner changes into each case's folder; make the checkout importable from there
    # even when it is not installed.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    env.update(extra_env or {})
    completed = subprocess.run(command, capture_output=True, text=True, env=env)
    return parse_runner_output(completed.stdout)


def parse_runner_output(stdout: str) -> ConformanceRun:
    """Read `PASS name (0.12s)`, `SKIP name (why)`, `FAIL name: reason` and the summary."""
    run = ConformanceRun()
    for line in stdout.splitlines():
        if line.startswith("PASS "):
            run.passed.add(line[5:].rsplit(" (", 1)[0].strip())
        elif line.startswith("SKIP "):
            run.skipped.add(line[5:].rsplit(" (", 1)[0].strip())
        elif line.startswith("FAIL "):
            name, _, reason = line[5:].partition(": ")
            run.failed[name.strip()] = reason.strip()
        elif SUMMARY.match(line.strip()):
            run.summary = line.strip()
    return run


def read_passing_list(path: Path) -> set[str]:
    if not path.is_file():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def parse_env_assignment(text: str) -> tuple[str, str]:
    name, equals, value = text.partition("=")
    if not equals or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the passing list")
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("LUMEN_SHARED", DEFAULT_SHARED)),
                        help="the shared folder holding conformance/ (default: ../shared)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--list-file", type=Path, default=PASSING_LIST)
    parser.add_argument("--jit-threshold", type=int, metavar="N",
                        help="run with LUMEN_JIT_THRESHOLD=N (0: compile every cell natively)")
    parser.add_argument("--env", type=parse_env_assignment, action="append", default=[],
                        metavar="NAME=VALUE", help="set an environment variable for the runs "
                        "(repeatable)")
    args = parser.parse_args(argv)

    extra_env = dict(args.env)
    if args.jit_threshold is not None:
        extra_env["LUMEN_JIT_THRESHOLD"] = str(args.jit_threshold)
    if args.update and extra_env:
        parser.error("--update rewrites the list of the default configuration; "
                     "drop --jit-threshold/--env")
    label = " ".join(f"{name}={value}" for name, value in extra_env.items())

    run = run_conformance(args.shared, args.jobs, args.timeout, extra_env)
    if run.summary is None:
        print("ratchet: the conformance runner did not finish (no summary line)", file=sys.stderr)
        return 1
    print(f"conformance{f' ({label})' if label else ''}: {run.summary}")

    if args.update:
        args.list_file.write_text("".join(f"{name}\n" for name in sorted(run.passed)), encoding="utf-8")
        print(f"ratchet: wrote {len(run.passed)} passing cases to {args.list_file}")
        return 0

    before = read_passing_list(args.list_file)
    if not before:
        print(f"ratchet: no passing list at {args.list_file}; reporting only "
              f"(run with --update to create it)")
        return 0

    regressed = sorted(before & run.failed.keys())
    vanished = sorted(before - run.passed - run.failed.keys())
    newly_passing = sorted(run.passed - before)
    for name in vanished:
        print(f"ratchet: warning: {name} passed before but was not run now (removed or skipped?)")
    if newly_passing:
        print(f"ratchet: {len(newly_passing)} case(s) pass now that were not on the list; "
              f"consider `python3 ci/ratchet.py --update`")
    if regressed:
        print(f"ratchet: {len(regressed)} case(s) passed before and fail now:", file=sys.stderr)
        for name in regressed:
            print(f"  {name}: {run.failed[name]}", file=sys.stderr)
        return 1
    print(f"ratchet: ok, all {len(before)} previously passing cases still pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
