"""A service's refusal on a desk page becomes a page with its message and its status, never a 500."""

import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from daftari.core.errors import DomainError, DuplicateWithDifferentContent, InvalidInput, NotFound, NotPermitted
from daftari.core.page_errors import DomainErrorPages
from daftari.occurrences.models import Occurrence


class OffTheBooks(DomainError):
    code = "off_the_books"
    status = 409


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (NotPermitted("Only the OCS signs the day off."), 403, "Not allowed"),
        (NotFound("No notice with this number."), 404, "Not found"),
        (OffTheBooks("The notice is already paid."), 409, "This could not be done"),
        (DuplicateWithDifferentContent(), 409, "This could not be done"),
        (InvalidInput("Give a reason.", fields={"reason": "At most 500 characters."}), 422, "This could not be done"),
    ],
)
def test_each_domain_error_becomes_a_page_with_its_message_and_status(
    rf: RequestFactory, desk_officer: User, error: DomainError, status: int, title: str
) -> None:
    request = rf.post("/anywhere")
    request.user = desk_officer
    response = DomainErrorPages(lambda r: None).process_exception(request, error)  # type: ignore[arg-type,return-value]
    assert response is not None and response.status_code == status
    page = response.content.decode()
    assert f"<h1>{title}</h1>" in page and error.message in page
    for message in error.fields.values():
        assert message in page
    assert '<nav aria-label="Main"' in page


def test_other_exceptions_are_left_to_django(rf: RequestFactory) -> None:
    assert DomainErrorPages(lambda r: None).process_exception(rf.get("/"), ValueError("boom")) is None  # type: ignore[arg-type,return-value]


def test_an_analysts_search_for_a_name_shows_why_it_is_refused_not_a_500(
    client: Client, analyst: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(analyst)
    client.raise_request_exception = False
    response = client.get("/search", {"q": "Wanjiku"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your role sees figures only: search by OB number, type, date or station." in page
    assert recorded_complaint.ob_number not in page
    # The search form is shown again, with the refusal beside the box.
    assert 'id="id_q"' in page


def test_an_analysts_search_by_type_still_finds_entries(
    client: Client, analyst: User, recorded_complaint: Occurrence
) -> None:
    client.force_login(analyst)
    response = client.get("/search", {"type": "COMPLAINT"})
    assert response.status_code == 200
    assert recorded_complaint.ob_number in response.content.decode()
