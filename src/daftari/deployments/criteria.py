"""The criteria in force: the versioned data file shipped with the app."""

from functools import cache
from pathlib import Path

from daftari.deployments.rules import Criteria, parse_criteria

CRITERIA_FILE = Path(__file__).parent / "data" / "criteria.json"


@cache
def current() -> Criteria:
    return parse_criteria(CRITERIA_FILE.read_text(encoding="utf-8"))
