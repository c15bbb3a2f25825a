from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def page_of(rows: "QuerySet[M]", *, page: int, per_page: int) -> tuple[list[M], bool]:
    """One page of an ordered queryset, and whether another page follows (one row more is read)."""
    start = (page - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    return found[:per_page], len(found) > per_page
