"""``{% case_panel entry %}``: the follow-up of a public-facing entry on its page."""

from typing import Any

from django import template

from daftari.occurrences import casework
from daftari.occurrences.models import CaseStatus, Occurrence

register = template.Library()


@register.inclusion_tag("occurrences/_case_panel.html", takes_context=True)
def case_panel(context: template.Context, entry: Occurrence) -> dict[str, Any]:
    if not entry.spec.public_facing:
        return {"show": False}
    user = context["request"].user
    current = CaseStatus.objects.filter(occurrence=entry).select_related("investigator__user").first()
    may_assign = casework.can_assign(user, entry)
    closed = current is not None and current.status == casework.Status.CLOSED
    # A refused case form comes back with its messages beside its fields and what was typed kept.
    refused = context.get("case_form")
    return {
        "assign_errors": refused.fields if refused is not None and refused.form == "assign" else {},
        "status_errors": refused.fields if refused is not None and refused.form == "status" else {},
        "typed": refused.typed if refused is not None else {},
        "show": True,
        "entry": entry,
        "current": current,
        "history": casework.history(entry),
        "may_assign": may_assign and not closed,
        "may_update": casework.can_update(user, entry, current) and not closed,
        "investigators": casework.investigators_at(entry) if may_assign else [],
        "statuses": [(value, label) for value, label in casework.Status.choices if value != casework.Status.ASSIGNED],
        "csrf_token": context.get("csrf_token"),
    }
