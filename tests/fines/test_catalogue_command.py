"""``daftari fines import-catalogue``: a new version, validated, never touching the old one."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from daftari.fines.models import OffenceCatalogue, ScheduledOffence

HEADER = "code,offence,fine_kes,legal_reference,status,source\n"


def test_importing_a_file_creates_the_next_version(tmp_path: Path, db: None) -> None:
    path = tmp_path / "v2.csv"
    path.write_text(HEADER + "MO28,Seat belt,1000,r.22A,cross-checked,x\nMO20,Fare refund,3000,s.101,uncertain,y\n")
    out = StringIO()
    call_command("fines", "import-catalogue", str(path), "--effective-from", "2027-01-01", stdout=out)
    v2 = OffenceCatalogue.objects.get(version=2)
    assert str(v2.effective_from) == "2027-01-01"
    assert v2.offences.count() == 2
    assert "v2" in out.getvalue() and "1 uncertain" in out.getvalue()
    assert OffenceCatalogue.objects.get(version=1).offences.count() == 43


def test_a_file_with_a_fractional_fine_or_a_repeated_code_imports_nothing(tmp_path: Path, db: None) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "MO28,Seat belt,500.50,r.22A,cross-checked,x\nMO28,Again,500,r.22A,cross-checked,x\n")
    with pytest.raises(CommandError):
        call_command("fines", "import-catalogue", str(path), stdout=StringIO())
    assert OffenceCatalogue.objects.count() == 1


def test_the_admin_shows_uncertain_rows_with_their_source_and_cannot_change_them(
    client: Client, admin_officer: User
) -> None:
    admin_officer.is_staff = True
    admin_officer.save()
    client.force_login(admin_officer)
    page = client.get("/admin/fines/scheduledoffence/?status__exact=uncertain")
    assert page.status_code == 200
    body = page.content.decode()
    assert "MO26" in body and "Kenyans.co.ke" in body
    row = ScheduledOffence.objects.get(catalogue__version=1, code="MO26")
    assert client.post(f"/admin/fines/scheduledoffence/{row.pk}/delete/", {"post": "yes"}).status_code == 403
