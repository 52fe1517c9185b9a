"""`lumen new NAME [--scope SCOPE]`: scaffold a project folder (see lumen.project.scaffold)."""

from __future__ import annotations

from pathlib import Path

import click

from lumen.cli.report import EXIT_COMPILE_ERROR, EXIT_OK


@click.command("new")
@click.argument("name", type=click.Path(file_okay=False))
@click.option("--scope", default="local", show_default=True, metavar="SCOPE",
              help="The package namespace: the package is named @SCOPE/NAME.")
def new_command(name: str, scope: str) -> int:
    """Create the project folder NAME: lumen.toml, src/main.lm, tests/, README.md."""
    from lumen.project.scaffold import ScaffoldError, scaffold

    try:
        made = scaffold(Path(name), scope)
    except ScaffoldError as problem:
        click.echo(f"lumen new: error: {problem}", err=True)
        return EXIT_COMPILE_ERROR
    except OSError as problem:
        click.echo(f"lumen new: error: cannot create '{name}': {problem.strerror or problem}",
                   err=True)
        return EXIT_COMPILE_ERROR
    click.echo(f"Created {made.package} in {name}/:")
    for file in made.files:
        click.echo(f"  {file.as_posix()}")
    click.echo(f"\nNext:\n  cd {name}\n  lumen run\n  lumen test")
    return EXIT_OK
