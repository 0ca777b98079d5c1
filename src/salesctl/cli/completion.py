"""`--show-completion SHELL` / `--install-completion SHELL` honouring the named shell.

Typer's own options take no value (they detect the shell running salesctl), so `--show-completion zsh`
printed the bash script when run from bash, and the shell name was taken for a command. The root
group reads a shell name written after either flag here, before Click parses the line; without one,
Typer's detection applies as before.
"""

from __future__ import annotations

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
FLAGS = ("--show-completion", "--install-completion")


def named_shell(args: list[str]) -> tuple[str, str] | None:
    """(flag, shell) when a global completion flag is followed by a word (None: no flag, or no word)."""
    for i, arg in enumerate(args):
        if not arg.startswith("-"):
            return None  # the command starts: flags after it are the command's
        if arg in FLAGS and i + 1 < len(args) and not args[i + 1].startswith("-"):
            return arg, args[i + 1]
    return None


def run(ctx, flag: str, shell: str) -> None:
    """Print (or install) the completion script of `shell`; an unknown shell is refused (exit 2)."""
    import typer
    from typer._completion_shared import get_completion_script, install

    from salesctl.errors import InvalidInput
    from salesctl.messages import t

    if shell not in SHELLS:
        raise InvalidInput(t("completion.err.shell", flag=flag, value=shell, accepted=", ".join(SHELLS)))
    prog_name = ctx.info_name or "salesctl"
    complete_var = "_{}_COMPLETE".format(prog_name.replace("-", "_").upper())
    if flag == "--show-completion":
        typer.echo(get_completion_script(prog_name=prog_name, complete_var=complete_var, shell=shell))
    else:
        shell, path = install(shell=shell, prog_name=prog_name, complete_var=complete_var)
        typer.echo(t("completion.installed", shell=shell, path=path))
    raise typer.Exit(0)
