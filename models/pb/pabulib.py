"""Reading and writing pabulib `.pb` files (META, PROJECTS, VOTES), the interchange format of PB research.

Imports the standard library and models.pb.rules only. Real files are tolerated as they come: CRLF
or LF line ends, a UTF-8 byte-order mark, quoted fields, and a stray quote inside an unquoted field
(Częstochowa's project 47, `"Odkupmy" i my - ...`, read as the text it shows). A broken file raises
`PabulibError` (a ValueError) naming the line.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from models.pb.rules import Election

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal", "scoring")
SECTIONS = ("meta", "projects", "votes")


class PabulibError(ValueError):
    """A .pb file that cannot be read; `line` is its 1-based line number (None: the whole file)."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class PBProject:
    project_id: str
    cost: int | Fraction
    fields: dict[str, str] = field(default_factory=dict)   # every column, as written
    line: int = 0


@dataclass
class PBVote:
    voter_id: str
    projects: tuple[str, ...]                  # in the order written (a ranking for ordinal ballots)
    points: tuple[int | Fraction, ...] | None = None
    fields: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass
class PBFile:
    meta: dict[str, str]
    projects: dict[str, PBProject]
    votes: list[PBVote]
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost", "name"])
    vote_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])

    @property
    def vote_type(self) -> str:
        return self.meta["vote_type"]

    @property
    def budget(self) -> int | Fraction:
        return _number(self.meta["budget"])

    def election(self) -> Election:
        """The approval view (= `as_approval`): each ballot approves the projects it lists (for
        cumulative, scoring and ordinal ballots: every project given points or a rank)."""
        return self.as_approval()

    def as_approval(self) -> Election:
        ballots: dict[frozenset, int] = {}
        for vote in self.votes:
            key = frozenset(vote.projects)
            ballots[key] = ballots.get(key, 0) + 1
        return Election(self.budget, {p.project_id: p.cost for p in self.projects.values()}, ballots)

    def native_election(self) -> Election:
        """The election as its ballots mean it: approval and choose-1 as approval; cumulative and
        scoring as cardinal ballots (a voter's satisfaction is the points given: pabutools'
        Additive_Cardinal_Sat); ordinal as cardinal ballots of Borda scores (a ballot ranking k
        projects gives k-1, k-2, ..., 0: pabutools' Additive_Borda_Sat, the satisfaction pabutools
        1.2 offers for ordinal ballots with its greedy and MES rules)."""
        if self.vote_type in ("approval", "choose-1"):
            return self.as_approval()
        ballots: dict[frozenset, int] = {}
        for vote in self.votes:
            if self.vote_type == "ordinal":
                k = len(vote.projects)
                pairs = frozenset((p, Fraction(k - 1 - i)) for i, p in enumerate(vote.projects))
            else:
                pairs = frozenset((p, Fraction(x)) for p, x in zip(vote.projects, vote.points or ()))
            ballots[pairs] = ballots.get(pairs, 0) + 1
        e = Election(self.budget, {p.project_id: p.cost for p in self.projects.values()}, ballots)
        return e


# Numbers are bounded before they become exact fractions: `1e50000000` or a 0.000…1 with millions of
# zeros is a few bytes of text but a Fraction of millions of digits (a 128-byte file parsed for minutes).
MAX_DIGITS = 40       # significant digits of a budget, cost or score
MAX_MAGNITUDE = 40    # |value| < 10**40 and no digit below 10**-40


class NumberOutOfRange(ValueError):
    """A number in a .pb file too large, too precise, infinite or not a number at all (NaN)."""


def _number(text: str) -> int | Fraction:
    decimal = Decimal(text.strip().replace(",", "."))
    if decimal.is_nan():
        raise ValueError(text)
    if not decimal.is_finite():
        raise NumberOutOfRange(text)
    _sign, digits, exponent = decimal.as_tuple()
    assert isinstance(exponent, int)  # finite
    if len(digits) > MAX_DIGITS or decimal.adjusted() >= MAX_MAGNITUDE or exponent < -MAX_MAGNITUDE:
        raise NumberOutOfRange(text)
    value = Fraction(decimal)
    return int(value) if value.denominator == 1 else value


def _parse_number(text: str, line: int, what: str, *, positive: bool = False) -> int | Fraction:
    shown = text if len(text) <= 60 else text[:57] + "..."
    try:
        value = _number(text)
    except NumberOutOfRange:
        raise PabulibError(line, f"{what} is out of range (at most {MAX_DIGITS} digits, below "
                                 f"10^{MAX_MAGNITUDE}): {shown!r}") from None
    except (InvalidOperation, ValueError):
        raise PabulibError(line, f"{what} is not a number: {shown!r}") from None
    if value < 0 or (positive and value == 0):
        raise PabulibError(line, f"{what} must be {'positive' if positive else 'non-negative'}: {text!r}")
    return value


def _split(line_text: str, line: int) -> list[str]:
    """One `;`-separated row; quoted fields as in CSV, a stray quote inside a field tolerated."""
    if '"' not in line_text:
        return line_text.split(";")
    try:
        return next(csv.reader([line_text], delimiter=";", strict=True))
    except csv.Error:
        pass
    # A quote that does not open a properly quoted field (Częstochowa): keep the text as shown.
    if line_text.count('"') % 2:
        raise PabulibError(line, "unterminated quoted field")
    fields = line_text.split(";")
    if all(f.count('"') % 2 == 0 for f in fields):
        return fields
    return next(csv.reader([line_text], delimiter=";", strict=False))


def _lines(text: str) -> list[str]:
    if text.startswith("\ufeff"):
        text = text[1:]
    # splitlines would also split on \x0b, \x1c, U+2028 ...; pabulib rows end in \n or \r\n only.
    return [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]


def parse_bytes(data: bytes) -> PBFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PabulibError(line, "not UTF-8 text") from None
    return parse(text)


def read(path) -> PBFile:
    with open(path, "rb") as fh:
        return parse_bytes(fh.read())


def parse(text: str) -> PBFile:
    """Parse the text of a .pb file; raises PabulibError naming the line of the first problem."""
    meta: dict[str, str] = {}
    projects: dict[str, PBProject] = {}
    votes: list[PBVote] = []
    project_columns: list[str] = []
    vote_columns: list[str] = []
    section = None
    header: list[str] | None = None
    seen_sections: list[str] = []
    voter_ids: set[str] = set()
    meta_lines: dict[str, int] = {}
    lines = _lines(text)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        row = _split(raw, number)
        first = row[0].strip().lower()
        if len(row) == 1 and first in SECTIONS:
            expected = SECTIONS[len(seen_sections)] if len(seen_sections) < 3 else None
            if first != expected:
                raise PabulibError(number, f"section {first.upper()} out of order (expected "
                                           f"{expected.upper() if expected else 'the end of the file'})")
            seen_sections.append(first)
            section, header = first, None
            if first == "votes":
                _check_meta(meta, meta_lines)
            continue
        if section is None:
            raise PabulibError(number, "the file must start with a META section")
        if header is None:
            header = [h.strip().lower() for h in row]
            _check_header(section, header, number, meta)
            if section == "projects":
                project_columns = header
            elif section == "votes":
                vote_columns = header
            continue
        if len(row) != len(header):
            raise PabulibError(number, f"{len(row)} fields where the header has {len(header)}")
        cells = {h: v.strip() for h, v in zip(header, row)}
        if section == "meta":
            key = cells["key"]
            if not key:
                raise PabulibError(number, "empty META key")
            if key in meta:
                raise PabulibError(number, f"META key {key!r} given twice")
            meta[key] = cells["value"]
            meta_lines[key] = number
        elif section == "projects":
            pid = cells["project_id"]
            if not pid:
                raise PabulibError(number, "empty project_id")
            if pid in projects:
                raise PabulibError(number, f"project {pid!r} listed twice")
            if "," in pid:
                raise PabulibError(number, f"project id {pid!r} contains a comma")
            cost = _parse_number(cells["cost"], number, f"cost of project {pid}")
            projects[pid] = PBProject(pid, cost, cells, number)
        else:
            votes.append(_vote(cells, number, meta, projects, voter_ids))
    if len(seen_sections) < 3:
        missing = SECTIONS[len(seen_sections)].upper()
        raise PabulibError(len(lines), f"the {missing} section is missing")
    if header is None:
        raise PabulibError(len(lines), "the VOTES section has no header row")
    _check_counts(meta, meta_lines, projects, votes)
    return PBFile(meta, projects, votes, project_columns, vote_columns)


def _check_header(section: str, header: list[str], number: int, meta: dict[str, str]) -> None:
    if len(set(header)) != len(header):
        raise PabulibError(number, "a column name is repeated in the header")
    required: tuple[str, ...] = {"meta": ("key", "value"), "projects": ("project_id", "cost"),
                                 "votes": ("voter_id", "vote")}[section]
    if section == "votes" and meta.get("vote_type") in ("cumulative", "scoring"):
        required = required + ("points",)
    for name in required:
        if name not in header:
            raise PabulibError(number, f"the {section.upper()} header lacks the column {name!r}")


def _check_meta(meta: dict[str, str], meta_lines: dict[str, int]) -> None:
    if "budget" not in meta:
        raise PabulibError(None, "META has no budget")
    _parse_number(meta["budget"], meta_lines["budget"], "budget", positive=True)
    vote_type = meta.get("vote_type")
    if vote_type is None:
        raise PabulibError(None, "META has no vote_type")
    if vote_type not in VOTE_TYPES:
        raise PabulibError(meta_lines["vote_type"], f"unknown vote_type {vote_type!r}")


def _vote(cells: dict[str, str], number: int, meta: dict[str, str], projects: dict[str, PBProject],
          voter_ids: set[str]) -> PBVote:
    voter = cells["voter_id"]
    if not voter:
        raise PabulibError(number, "empty voter_id")
    if voter in voter_ids:
        raise PabulibError(number, f"voter {voter!r} voted twice")
    voter_ids.add(voter)
    listed = tuple(p.strip() for p in cells["vote"].split(",")) if cells["vote"] else ()
    for pid in listed:
        if pid not in projects:
            raise PabulibError(number, f"vote for unknown project {pid!r}")
    if len(set(listed)) != len(listed):
        raise PabulibError(number, "a project appears twice in one vote")
    vote_type = meta["vote_type"]
    if vote_type == "choose-1" and len(listed) > 1:
        raise PabulibError(number, "a choose-1 vote lists more than one project")
    points = None
    if vote_type in ("cumulative", "scoring"):
        raw = [p for p in cells.get("points", "").split(",")] if cells.get("points") else []
        if len(raw) != len(listed):
            raise PabulibError(number, f"{len(listed)} projects but {len(raw)} points")
        points = tuple(_parse_number(p, number, "points") for p in raw)
    return PBVote(voter, listed, points, cells, number)


def _check_counts(meta: dict[str, str], meta_lines: dict[str, int], projects: dict, votes: list) -> None:
    for key, actual in (("num_projects", len(projects)), ("num_votes", len(votes))):
        if key in meta:
            try:
                declared = int(meta[key])
            except ValueError:
                raise PabulibError(meta_lines[key], f"{key} is not an integer: {meta[key]!r}") from None
            if declared != actual:
                raise PabulibError(meta_lines[key], f"{key} says {declared} but the file has {actual}")


# ------------------------------------------------------------------------------------------- writer

def _text(value: object) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return str(value)


def write(pb: PBFile) -> str:
    """The .pb text of `pb` (LF line ends; fields quoted only where CSV needs it)."""
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    meta = dict(pb.meta)
    meta["num_projects"] = str(len(pb.projects))
    meta["num_votes"] = str(len(pb.votes))
    out.write("META\n")
    w.writerow(["key", "value"])
    for key, value in meta.items():
        w.writerow([key, value])
    out.write("PROJECTS\n")
    columns = list(pb.project_columns) or ["project_id", "cost"]
    w.writerow(columns)
    for p in pb.projects.values():
        values = {**p.fields, "project_id": p.project_id, "cost": _text(p.cost)}
        w.writerow([values.get(c, "") for c in columns])
    out.write("VOTES\n")
    columns = list(pb.vote_columns) or ["voter_id", "vote"]
    if pb.meta.get("vote_type") in ("cumulative", "scoring") and "points" not in columns:
        columns.append("points")
    w.writerow(columns)
    for v in pb.votes:
        values = {**v.fields, "voter_id": v.voter_id, "vote": ",".join(v.projects)}
        if v.points is not None:
            values["points"] = ",".join(_text(p) for p in v.points)
        w.writerow([values.get(c, "") for c in columns])
    return out.getvalue()
