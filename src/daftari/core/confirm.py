"""The one page that asks "Are you sure?" before an irreversible action (revoke, cancel, close).

GET shows what will happen and the reason field; the same address's POST (CSRF-protected) does it.
A missing reason redraws this page with the error summary (422), keeping what was typed.
"""

from collections.abc import Sequence

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from daftari.core.errors import InvalidInput
from daftari.core.forms import error_links


def show_refusal(form: forms.Form, refused: InvalidInput) -> None:
    """The service's field messages beside the form's fields (the rest above the form)."""
    for field, message in refused.fields.items():
        form.add_error(field if field in form.fields else None, str(message))
    if not refused.fields:
        form.add_error(None, refused.message)


def confirm_page(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    form: forms.Form,
    action: str,
    back: str,
    button: str,
    hidden: Sequence[tuple[str, str]] = (),
) -> HttpResponse:
    errors = error_links(form)
    context = {
        "title": title,
        "consequence": consequence,
        "form": form,
        "action": action,
        "back": back,
        "button": button,
        "hidden": hidden,
        "errors": errors,
    }
    return render(request, "confirm.html", context, status=422 if errors else 200)
