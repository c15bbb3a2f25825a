"""The floor under any Python HTTP write on this machine: gunicorn, a JSON body, one committed INSERT.

Not Daftari: no framework, no authentication, no validation, no ledger. The recording benchmark
serves it with the same gunicorn settings as ``daftari serve`` to show how much of the gap between
the API and a bare insert is HTTP and Python themselves, and how much is Daftari's own work.
"""

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import psycopg

INSERT = (
    "INSERT INTO bench_floor (id, station_id, ob_date, ob_seq, entry_type, occurred_at, recorded_at, place, "
    "narrative, details, content_hash, search_text) "
    "VALUES (%s, 1, current_date, 0, 'COMPLAINT', %s, now(), %s, %s, '{}', %s, %s)"
)
_local = threading.local()


def _connection() -> psycopg.Connection[Any]:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return conn


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = json.loads(environ["wsgi.input"].read(length))
    entry_id = str(uuid.uuid4())
    _connection().execute(
        INSERT,
        [entry_id, body["occurred_at"], body["place"], body["narrative"], "0" * 64, body["narrative"]],
    )
    answer = json.dumps({"id": entry_id}).encode()
    start_response("201 Created", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
    return [answer]
