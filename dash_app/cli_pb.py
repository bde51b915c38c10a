"""The `hamyar pb` commands: count a pabulib election with one of the PB rules.

Imports click and models only (the rules are models.pb.rules; never pabutools). A file that cannot
be read ends in one line on stderr naming the line, and exit status 1.
"""
from __future__ import annotations

import json
import sys

import click

from models.pb.rules import ALL_RULES, APPROVAL_ONLY, DEFAULT_RULE

APPROVAL_LIKE = ("approval", "choose-1")


@click.group("pb")
def pb_group() -> None:
    """Participatory budgeting: count pabulib (.pb) elections."""


@pb_group.command("tally")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--rule", type=click.Choice(ALL_RULES), default=DEFAULT_RULE, show_default=True)
@click.option("--as-approval", is_flag=True,
              help="Also count cumulative, scoring and ordinal ballots, as approval of the projects they list.")
@click.option("--native", is_flag=True,
              help="Count cumulative and scoring ballots by their points and ordinal ballots by Borda score.")
def tally_command(path: str, rule: str, as_approval: bool, native: bool) -> None:
    """Print {"winners": [...], "total_cost": N} for the election in PATH.

    Winners are listed in the order the rule selected them (pabutools' order); ties go to the
    smaller project id compared as a string. When the rule's work bound is reached the JSON says
    "stopped_early": true and a sentence on stderr says so (exit status 0: the outcome is the best found).
    """
    from models.pb.pabulib import PabulibError, read
    from models.pb.rules import count

    if as_approval and native:
        click.echo("hamyar: --as-approval and --native exclude each other", err=True)
        sys.exit(2)
    try:
        pb = read(path)
    except PabulibError as exc:
        click.echo(f"hamyar: {path}: {exc}", err=True)
        sys.exit(1)
    if pb.vote_type not in APPROVAL_LIKE and not (as_approval or native):
        click.echo(f"hamyar: {path}: {pb.vote_type} ballots; pass --native to count them by points (or Borda "
                   "score), or --as-approval to count them as approval", err=True)
        sys.exit(1)
    election = pb.native_election() if native and pb.vote_type not in APPROVAL_LIKE else pb.election()
    if election.cardinal and rule in APPROVAL_ONLY:
        click.echo(f"hamyar: {path}: the rule {rule} counts approval ballots only; pass --as-approval", err=True)
        sys.exit(1)
    outcome = count(rule, election)
    total = outcome.total_cost
    out: dict = {"winners": list(outcome.winners), "total_cost": total if isinstance(total, int) else float(total)}
    if outcome.stopped_early:
        out["stopped_early"] = True
        click.echo(f"hamyar: the work bound of {rule} was reached ({outcome.mes_runs} runs of MES): the outcome "
                   "is the last one found within it, not necessarily the rule's", err=True)
    click.echo(json.dumps(out))
