"""`daftari demo` back-captures months of crimes into the demo books, so the figures show something real."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from daftari.occurrences import demo_history
from daftari.occurrences.models import CaseStatus, Occurrence
from daftari.occurrences.rules import NAIROBI
from daftari.reports import figures, rollup


def test_the_history_plan_is_the_same_on_every_run_and_all_before_today() -> None:
    now = timezone.now()
    first = list(demo_history.plan("CENTRAL-NBI", days=60, today=now))
    assert first == list(demo_history.plan("CENTRAL-NBI", days=60, today=now))
    today = now.astimezone(NAIROBI).date()
    assert all(c.occurred_at.date() < today for c in first)
    assert len({c.occurred_at.date() for c in first}) > 30
    assert len({c.section for c in first}) >= 6


@pytest.mark.django_db
def test_the_demo_back_captures_a_month_of_crimes_once_and_the_figures_count_them_at_once(
    settings: object, client: Client
) -> None:
    settings.DAFTARI_DEMO_HISTORY_DAYS = 30  # type: ignore[attr-defined]
    call_command("demo", verbosity=0)
    history = Occurrence.objects.filter(late_reason=demo_history.BACK_CAPTURED)
    found = history.count()
    assert found > 60
    assert set(history.values_list("station__code", flat=True)) == set(demo_history.RATES)
    assert not history.filter(is_late=False).exists()
    assert CaseStatus.objects.filter(occurrence__in=history, occurrence__station__code="CENTRAL-NBI").exists()
    call_command("demo", verbosity=0)
    assert history.count() == found

    # Counted by the demo itself, before any worker runs: the national figures equal a recount of the book.
    assert rollup.rolled_up_counts() == rollup.naive_counts()
    today = timezone.localdate()
    table = figures.crime_table("national", "", today - timedelta(days=29), today)
    in_period = sum(n for cell, n in rollup.naive_counts().items() if cell.day >= today - timedelta(days=29))
    assert table.total.now == in_period > 60
    client.force_login(User.objects.get(username="analyst1"))
    page = client.get("/figures/crimes").content.decode()
    assert f"<td>{table.total.now}</td>" in page
