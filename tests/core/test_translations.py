"""Every page and message is in English and Kiswahili: the catalogue must be complete."""

import csv
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


def test_every_offence_of_the_bundled_schedule_has_its_kiswahili() -> None:
    """The offence schedule is data, not code: xgettext never sees its texts, so this test reads them."""
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    schedule = Path(daftari.__file__).parent / "fines" / "data" / "kenya_minor_offences.csv"
    with schedule.open(encoding="utf-8") as rows:
        offences = [row["offence"] for row in csv.DictReader(rows)]
    assert len(offences) > 40
    assert [o for o in offences if translated.get(o, o) == o] == []


def test_no_string_in_the_templates_is_missing_from_the_catalogue(tmp_path: Path) -> None:
    """Pages, SMS texts and PDFs' templates: every {% translate %} and {% blocktranslate %} has its Kiswahili."""
    from django.utils.translation.template import templatize

    package = Path(daftari.__file__).parent
    sources = []
    for template in package.rglob("*"):
        if template.suffix in (".html", ".txt") and "templates" in template.parts:
            python = tmp_path / (str(template.relative_to(package)).replace("/", "__") + ".py")
            python.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)))
            sources.append(str(python))
    fresh = tmp_path / "templates.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--keyword=gettext",
            "--keyword=_",
            "--keyword=pgettext:1c,2",
            "--keyword=ngettext:1,2",
            "--from-code=UTF-8",
            "-o",
            str(fresh),
            *sources,
        ],
        check=True,
    )
    known = {e.msgid for e in polib.pofile(str(CATALOGUE)) if e.translated()}
    assert sorted({e.msgid for e in polib.pofile(str(fresh)) if e.msgid} - known) == []


def test_no_kiswahili_text_is_left_in_english() -> None:
    """A msgstr copied from its msgid, or one that keeps an English word the glossary names, is untranslated."""
    import re

    po = polib.pofile(str(CATALOGUE))
    copied = [e.msgid for e in po if e.msgstr == e.msgid and len(re.findall(r"[A-Za-z]{3,}", e.msgid)) >= 3]
    assert copied == []
    words = [(e.msgstr, re.sub(r"%\(\w+\)\w", "", e.msgstr)) for e in po]
    english = [text for text, bare in words if re.search(r"\b(checkpoint|checkpoints|required|entry type)\b", bare)]
    assert english == []


def test_the_crime_stats_breakdown_message_is_translated_as_it_now_reads_and_its_old_wording_is_gone() -> None:
    from django.utils import translation

    from daftari.reports import figures

    asked = "Choose category, station, day, hour or weekday."
    assert "weekday" in figures.BREAKDOWNS
    with translation.override("sw"):
        assert translation.gettext(asked) == "Chagua kundi, kituo, siku, saa au siku ya juma."
    msgids = {e.msgid for e in polib.pofile(str(CATALOGUE))}
    assert asked in msgids and "Choose category, station, day or hour." not in msgids
