"""Lawful erasure of a fine notice's or a payment's personal data (``daftari ledger redact``).

A notice, each of its events and each payment on it are their own leaves, so each is erased on its
own (``--entry`` names the notice, the event or the payment event). Field by field:

Notice (``FineNotice``, kind "notice"):
- driver's name -> "[redacted]"; ID number, licence number, phone -> blank: they identify.
- number plate -> "[redacted]". A plate leads to its registered owner through NTSA, so it is
  personal data. The notice stays payable without it: M-Pesa pays against the notice number (the
  account reference), and the public verify and pay pages never show the plate. The plate search
  and the licence's demerit points no longer find the notice, which is what the order asks.
- the roadside photo is deleted: it shows the vehicle, its plate and often the driver.
- place and coordinates, times, offences, fines, total, warning flag, officer and station: kept.
  They are where and what the offence was and the anti-corruption figures per officer, not who.
- content hash -> "[redacted]": a hash of the issuing form can confirm a guessed ID number.
- the SMS the driver got about this notice (issue, reminder, court notice) lose their number and
  text; so do the receipts and the M-Pesa records of payments made from the driver's own phone.

Notice event (kind "notice": contested, cancelled, court outcome, overdue, escalated):
- the free text (a cancellation's reason, a contest's note) -> "[redacted]"; the kind, time,
  officer and court outcome stay, for the supervisors' cancellation and court figures.

Payment (a paid / partly paid / overpaid event, kind "payment"):
- the payer's phone on the M-Pesa payment -> blank, and the phone and names in Daraja's stored
  callbacks -> "[redacted]"; the receipt SMS loses its number and text.
- amount, M-Pesa receipt number, time and the notice it settled: kept. The station must account
  for the money and match it against Safaricom's statement; the receipt number names a
  transaction, and without the phone it no longer leads to a person here.
"""

from django.db.models import Q

from daftari.fines.models import FineNotice, NoticeEvent, NoticePhoto
from daftari.notifications.erasure import erase_sms
from daftari.payments.erasure import erase_payer
from daftari.payments.models import Payment

MARKER = "[redacted]"
NOTICE_TABLES = ["fines_finenotice", "fines_noticeevent", "fines_noticephoto"]
PAYMENT_TABLES: list[str] = []  # the payer's data is in payments and notifications, neither append-only


def _text(value: str) -> str:
    return MARKER if value else ""


def _erase_payment(payment: Payment) -> None:
    erase_payer(payment)
    erase_sms(Q(event_key=f"fines:receipt:{payment.pk}"))


def _erase_notice(notice: FineNotice) -> None:
    FineNotice.objects.filter(pk=notice.pk).update(
        plate=MARKER,
        driver_name=MARKER,
        driver_id_number="",
        driver_licence="",
        driver_phone="",
        content_hash=MARKER,
    )
    NoticePhoto.objects.filter(notice=notice).delete()
    if notice.driver_phone:
        # Paid (or tried to pay) from the driver's own phone: the same person, so the same order.
        # Another payer's phone goes with the erasure of that payment. Before the SMS below:
        # erase_sms forgets the phone's language only once no record holds the phone any more.
        paid_by_driver = Payment.objects.filter(account_reference=notice.number, phone=notice.driver_phone)
        for payment in paid_by_driver:
            _erase_payment(payment)
    # fines/services.py keys the driver's SMS "fines:<template>:<number>": notice, overdue, escalated.
    erase_sms(Q(event_key__startswith="fines:", event_key__endswith=f":{notice.number}"))


def erase(record_id: str) -> None:
    """Replaces the personal data of a notice (kind "notice"), or the free text of one of its events."""
    notice = FineNotice.objects.filter(pk=record_id).first()
    if notice is not None:
        _erase_notice(notice)
        return
    event = NoticeEvent.objects.get(pk=record_id)
    details = event.details if isinstance(event.details, dict) else {}
    erased = {k: _text(v) if isinstance(v, str) and k != "outcome" else v for k, v in details.items()}
    NoticeEvent.objects.filter(pk=event.pk).update(details=erased)


def erase_payment(record_id: str) -> None:
    """Replaces the payer's phone and names wherever the payment of this event (kind "payment") keeps them."""
    event = NoticeEvent.objects.get(pk=record_id)
    payment = Payment.objects.filter(pk=event.payment_id).first() if event.payment_id is not None else None
    if payment is not None:
        _erase_payment(payment)
    else:
        erase_sms(Q(event_key=f"fines:receipt:{event.payment_id}"))
