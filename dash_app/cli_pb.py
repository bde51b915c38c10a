"""The `hamyar pb` commands: count a pabulib election with one of the PB rules.

Imports click and models only (the rules are models.pb.rules; never pabutools). A file that cannot
be read ends in one line on stderr naming the line, and exit status 1.
"""
from __future__ import annotations

import json
import sys

import click

from models.pb.rules import DEFAULT_RULE, RULES

APPROVAL_LIKE = ("approval", "choose-1")


@click.group("pb")
def pb_group() -> None:
    """Participatory budgeting: count pabulib (.pb) elections."""


@pb_group.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--rule", type=click.Choice(RULES), default=DEFAULT_RULE, show_default=True)
@click.option("--as-approval", is_flag=True,
              help="Also count cumulative, scoring and ordinal ballots, as approval of the projects they list.")
def tally_command(path: str, rule: str, as_approval: bool) -> None:
    """Print {"winners": [...], "total_cost": N} for the election in PATH.

    Winners are listed in the order the rule selected them (pabutools' order); ties go to the
    smaller project id compared as a string.
    """
    from models.pb.pabulib import PabulibError, read
    from models.pb.rules import count

    try:
        pb = read(path)
    except PabulibError as exc:
        click.echo(f"hamyar: {path}: {exc}", err=True)
        sys.exit(1)
    if pb.vote_type not in APPROVAL_LIKE and not as_approval:
        click.echo(f"hamyar: {path}: {pb.vote_type} ballots; pass --as-approval to count them as approval",
                   err=True)
        sys.exit(1)
    outcome = count(rule, pb.election())
    total = outcome.total_cost
    click.echo(json.dumps({"winners": list(outcome.winners),
                           "total_cost": total if isinstance(total, int) else float(total)}))
