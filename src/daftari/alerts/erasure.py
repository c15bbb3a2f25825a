"""Lawful erasure of an alert's personal data (``daftari ledger redact --entry <alert id>``). Field by field:

Alert: the name, ID or document number, phone and plate -> "[redacted]" (or blank where a column is
short), and so is the description (free text about the person). The name key goes with the name, so
the desk is never again told of a match on it. The kind, times and issuing officer and station stay:
they are the register's figures and the officers' accountability.

Withdrawal: the reason -> "[redacted]" (it may say where the person was found); who withdrew it and when stay.

A station node holds copies of both: the ``redaction`` leaf reaches it with the hub's data, and the
node erases its copy the same way (``hubfeed.apply_feed``).
"""

from daftari.alerts.models import Alert, AlertWithdrawal

MARKER = "[redacted]"
TABLES = ["alerts_alert"]
WITHDRAWAL_TABLES = ["alerts_alertwithdrawal"]


def erase(record_id: str) -> None:
    Alert.objects.filter(pk=record_id).update(
        name=MARKER, name_key="", id_number=MARKER, phone="", plate="", description=MARKER
    )


def erase_withdrawal(record_id: str) -> None:
    AlertWithdrawal.objects.filter(pk=record_id).update(reason=MARKER)
