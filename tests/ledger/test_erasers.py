"""Every kind of record in the book that can hold personal data has an eraser registered."""

from daftari.ledger import records
from daftari.ledger.redaction import KIND_REDACTION


def test_every_kind_of_record_but_the_redaction_itself_has_an_eraser() -> None:
    assert records.kinds() == sorted(
        [
            "alert",
            "alert_withdrawal",
            "case_update",
            "holidays",
            "offences",
            "officer",
            "station",
            "custody",
            "document",
            "document_revocation",
            "amendment",
            "notice",
            "occurrence",
            "payment",
            "refugee_status_step",
            "refugee_document",
            "refugee_doc_event",
            "refugee_doc_state",
            "refugee_hh_change",
            "refugee_scc_case",
            "refugee_scc_decision",
            "deploy_letter",
            "deploy_cont_letter",
            "handover",
            KIND_REDACTION,
        ]
    )
    # The hub's down-log of stations, the offence schedule, court holidays, a refugee document's state
    # (kind, number, office, state and dates: what the desk's check needs, nothing of its holder; the
    # register keeps a document's number when its holder is erased too) and a book's handover to its
    # node name nobody.
    no_personal_data = ["handover", "holidays", "offences", KIND_REDACTION, "refugee_doc_state", "station"]
    assert [kind for kind in records.kinds() if records.erasure(kind) is None] == sorted(no_personal_data)


def test_an_eraser_lifts_only_append_only_tables_and_never_the_ledgers(db: None) -> None:
    from django.db import connection

    from daftari.core import append_only

    guarded = set(append_only.guarded_tables(connection))
    for kind in records.kinds():
        erasure = records.erasure(kind)
        if erasure is not None:
            assert set(erasure.tables) <= guarded, kind
            assert not {t for t in erasure.tables if t.startswith("ledger_")}, kind
