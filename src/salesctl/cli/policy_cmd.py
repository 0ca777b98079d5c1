"""`salesctl policy check [FILE]`: every problem of a policy file at once, each as `file:line: key: what`."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

app = typer.Typer(help="Check the policy file (the handbook's numbers: grading days, follow-ups, pool…).",
                  no_args_is_help=True)


@app.command("check")
def check(file: Annotated[Optional[str], typer.Argument(
        help="The policy TOML (default: SALESCTL_POLICY, else the configured `policy`).")] = None):
    """List every problem of a policy file at once: unknown keys, wrong types, out-of-range values.

    Example: salesctl policy check ~/policy.toml
    """
    import os

    from salesctl import render
    from salesctl.config import load_config, shipped_data_dir
    from salesctl.errors import InvalidInput
    from salesctl.messages import t
    from salesctl.policy_schema import check_policy_file

    target = file or os.environ.get("SALESCTL_POLICY") or load_config().get("policy") or str(
        shipped_data_dir() / "policy.toml")
    problems = check_policy_file(target)
    for problem in problems:
        render.write(f"{problem}\n")
    if problems:
        raise InvalidInput(t("policy.err.problems", path=target, count=len(problems)))
    render.info(t("policy.msg.ok", path=target))
