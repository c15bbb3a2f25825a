"""The criteria and the training course in force: the versioned data files shipped with the app."""

from functools import cache
from pathlib import Path

from daftari.deployments.rules import Course, Criteria, DocumentRules, parse_course, parse_criteria, parse_documents

CRITERIA_FILE = Path(__file__).parent / "data" / "criteria.json"
TRAINING_FILE = Path(__file__).parent / "data" / "training.json"
DOCUMENTS_FILE = Path(__file__).parent / "data" / "documents.json"


@cache
def current() -> Criteria:
    return parse_criteria(CRITERIA_FILE.read_text(encoding="utf-8"))


@cache
def course() -> Course:
    return parse_course(TRAINING_FILE.read_text(encoding="utf-8"))


@cache
def documents() -> DocumentRules:
    return parse_documents(DOCUMENTS_FILE.read_text(encoding="utf-8"))
