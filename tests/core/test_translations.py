"""Every page and message is in English and Kiswahili: the catalogue must be complete."""

import subprocess
from pathlib import Path

import polib

import daftari

CATALOGUE = Path(daftari.__file__).parent / "locale" / "sw" / "LC_MESSAGES" / "django.po"


def test_every_message_has_a_kiswahili_translation() -> None:
    po = polib.pofile(str(CATALOGUE))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_translations_keep_the_placeholders_of_the_english() -> None:
    po = polib.pofile(str(CATALOGUE))
    # msgfmt --check-format refuses a translation whose %(name)s placeholders differ from the msgid's.
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", str(CATALOGUE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert len(po.translated_entries()) > 500


def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path: Path) -> None:
    package = Path(daftari.__file__).parent
    fresh = tmp_path / "fresh.pot"
    sources = sorted(
        str(p.relative_to(package))
        for p in package.rglob("*")
        if p.suffix in (".py", ".html", ".txt") and "migrations" not in p.parts and "static" not in p.parts
    )
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--keyword=_",
            "--keyword=gettext",
            "--keyword=gettext_lazy",
            "--keyword=ngettext:1,2",
            "--from-code=UTF-8",
            "-o",
            str(fresh),
            *[s for s in sources if s.endswith(".py")],
        ],
        cwd=package,
        check=True,
    )
    known = {e.msgid for e in polib.pofile(str(CATALOGUE))}
    missing = sorted({e.msgid for e in polib.pofile(str(fresh)) if e.msgid} - known)
    assert missing == []
