"""`lumen cache info` and `lumen cache clear`: the user cache folder (lumen.cache)."""

from __future__ import annotations

import click

from lumen.cli.report import EXIT_OK


@click.group("cache")
def cache_group() -> None:
    """Inspect or empty the cache of compiled programs, parser tables and native code."""


@cache_group.command("info")
def info_command() -> int:
    """Show the cache folder and what each kind of entry holds."""
    from lumen import cache

    found = cache.info()
    click.echo(f"cache folder: {found.root}")
    for kind, (files, size) in found.kinds.items():
        click.echo(f"  {kind:<14} {_files(files):>12} {_size(size):>10}")
    click.echo(f"total: {_files(found.files)}, {_size(found.bytes)}")
    if found.crash_reports:
        click.echo(f"crash reports: {found.crash_reports} (kept by `lumen cache clear`)")
    if cache.disabled():
        click.echo("LUMEN_NO_CACHE is set: compiled programs are not cached")
    return EXIT_OK


@cache_group.command("clear")
def clear_command() -> int:
    """Remove every cached entry (crash reports are kept)."""
    from lumen import cache

    files, size = cache.clear()
    click.echo(f"removed {_files(files)} ({_size(size)}) from {cache.cache_dir()}")
    return EXIT_OK


def _files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    scaled = float(size)
    for unit in ("KB", "MB", "GB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GB":
            break
    return f"{scaled:.1f} {unit}"
