"""The refugee register at the country's size (issue 14): search and the de-duplication pass.

The register (default 800,000 people, the country's refugee population; ``--people`` to change it)
is generated inside PostgreSQL by INSERT ... SELECT generate_series into the real tables: about four
people a household, a status history, a proof of registration each and a refugee ID card for the
recognised, names drawn with a skew from pools of Somali, South Sudanese, Congolese, Burundian and
Ethiopian names (so common names are common), the real indexes rebuilt after the load.

Search: by name, document number and household number through the app's search
(``refugees.queries.search``: the access log written, every line's status and household), p95
printed against a bare indexed SELECT on the same tables in the same run.

Figures: the register's figures page (``refugees.queries.figures``, counted by GROUP BY in the
database) timed three times, against reading every document into Python as it once did; the
document counts must be the same.

De-duplication: a national ID list (default 1,000,000 holders, ``--national-ids``) is written as the
bureau's CSV, with a seeded part whose truth is known: one registered person in 160 is also in the
list (the double registrations, names in another order, the real date for an estimated one) and one
in 160 has a same-named holder born in another year (near misses); the rest are Kenyans drawn from
Kenyan names, some from the same Somali pools (north-eastern Kenya), born on random days. The pass
(``refugees.dedupe``, what ``daftari refugees dedupe`` runs) is timed, and its precision and recall
printed: on the seeded part, and over every proposal (a random holder who shares two names and the
birth date of a registered person counts against it there, though a reviewer could not tell them apart
either). The database is dropped at the end unless ``--keep`` is given.
"""

import argparse
import hashlib
import os
import resource
import secrets
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql
from rich.table import Table

from bench import postgres
from bench.figures import console, percentile, verdict

DATABASE = os.getenv("DAFTARI_BENCH_REFUGEES_DB", "daftari_bench_refugees")
SEARCH_TARGET_MS = 100.0
SEED_EVERY = 160  # one person in SEED_EVERY is a double registration, the next one a near miss
TABLES = (
    "refugees_household",
    "refugees_person",
    "refugees_personnameword",
    "refugees_membership",
    "refugees_statusstep",
    "refugees_refugeedocument",
)
OFFICES = ("DAD", "KAK", "KAL", "NBI", "ELD", "NKR", "MSA")
GIVEN = (
    "Mohamed", "Abdi", "Hassan", "Ahmed", "Ali", "Amina", "Fatuma", "Halima", "Hodan", "Ibrahim", "Omar", "Yusuf",
    "Abdullahi", "Abdirahman", "Ismail", "Aden", "Hussein", "Mahad", "Farhan", "Sahra", "Deqa", "Ayan", "Nasra",
    "Khadija", "Mariam", "Asha", "Hawa", "Ifrah", "Muna", "Sagal", "Deng", "Garang", "Kuol", "Akech", "Mabior",
    "Nyibol", "Achol", "Ayen", "Nyandeng", "Majok", "Lual", "Malual", "Chol", "Bol", "Atem", "Ajak", "Aluel",
    "Jean", "Pierre", "Furaha", "Neema", "Zawadi", "Bahati", "Riziki", "Kiza", "Amani", "Espoir", "Baraka",
    "Esperance", "Claudine", "Jeanne", "Emmanuel", "Innocent", "Eric", "Olivier", "Aline", "Divine", "Alain",
    "Tesfaye", "Abebe", "Genet", "Almaz", "Dawit", "Mulugeta", "Selam", "Hiwot", "Yonas", "Kidane", "Musa",
    "Idris", "Adam", "Osman", "Said", "Salim", "Rashid", "Jamal", "Bashir", "Yasin", "Zainab", "Rukia", "Safiya",
)  # fmt: skip
FAMILY = (
    "Mohamed", "Abdi", "Hassan", "Ahmed", "Ali", "Farah", "Warsame", "Osman", "Aden", "Hussein", "Ibrahim", "Gedi",
    "Jama", "Omar", "Yusuf", "Dahir", "Nur", "Elmi", "Egal", "Guled", "Abdille", "Barre", "Mohamud", "Hirsi",
    "Deng", "Garang", "Majok", "Lual", "Akol", "Kuol", "Mayen", "Dut", "Mading", "Makuei", "Ater", "Bior",
    "Mugisha", "Habimana", "Ndayishimiye", "Bizimana", "Niyonzima", "Hakizimana", "Nshimirimana", "Irakoze",
    "Kabila", "Mutombo", "Ilunga", "Kasongo", "Mwamba", "Kalonji", "Tshibanda", "Lukusa", "Mbuyi", "Kabongo",
    "Tesfaye", "Bekele", "Girma", "Haile", "Tadesse", "Woldemariam", "Gebre", "Alemu", "Kebede", "Desta",
)  # fmt: skip
KENYAN = (
    "Wanjiru", "Kamau", "Otieno", "Achieng", "Kiptoo", "Chebet", "Mwangi", "Njeri", "Odhiambo", "Wafula", "Nafula",
    "Mutua", "Mueni", "Kibet", "Jepkosgei", "Wambui", "Njoroge", "Ochieng", "Akinyi", "Kiprono", "Cherono",
    "Kariuki", "Wairimu", "Omondi", "Anyango", "Rotich", "Jeptoo", "Muthoni", "Maina", "Owino", "Adhiambo",
    "Barasa", "Nekesa", "Wekesa", "Naliaka", "Mutiso", "Kioko", "Ndunge", "Kipchumba", "Langat", "Korir", "Koech",
    "Ruto", "Kiplagat", "Wanjala", "Simiyu", "Onyango", "Auma", "Nyambura", "Gitau", "Karanja", "Waweru",
    "Mary", "John", "Peter", "Grace", "Joseph", "Faith", "James", "Mercy", "David", "Esther", "Daniel", "Ann",
)  # fmt: skip


def setup_django() -> None:
    os.environ["DATABASE_URL"] = postgres.database_url(DATABASE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "daftari.settings"
    os.environ.update(DAFTARI_DEBUG="0", DAFTARI_SECURE_COOKIES="0", DAFTARI_LOG_LEVEL="ERROR")
    os.environ.setdefault("DAFTARI_SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()


def _array(words: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{w}'" for w in words) + "]"


def _skewed(pool: tuple[str, ...], hash_expr: str) -> str:
    """A name from ``pool`` by a hash 0..2^31: the first names of the pool far more often (rank ~ u^2)."""
    n = len(pool)
    return f"({_array(pool)})[1 + floor({n} * power(({hash_expr})::float8 / 2147483648, 2))::int]"


def _h(g: str, salt: int) -> str:
    """A hash of ``g`` in 0..2^31, independent for each salt."""
    return f"(hashtext('{salt}:' || {g}) & 2147483647)::bigint"


def person_id(g: int) -> uuid.UUID:
    """The id of generated person ``g``: md5('p' || g)::uuid, as the load writes it."""
    return uuid.UUID(hashlib.md5(f"p{g}".encode()).hexdigest())  # noqa: S324 - an id, not a secret


def people_sql(people: int) -> str:
    """Every person: two given names and a family name (skewed), an alias for one in ten, the search
    words as rules.name_key makes them, born 1950-2024, the date estimated for three in ten."""
    g1, g2, fam = _skewed(GIVEN, _h("g", 1)), _skewed(GIVEN, _h("g", 2)), _skewed(FAMILY, _h("g", 3))
    alias = _skewed(GIVEN, _h("g", 4))
    return f"""
INSERT INTO refugees_person (id, given_names, family_name, aliases, name_key, sex, date_of_birth,
    date_of_birth_estimated, nationality, languages, specific_needs, phone, ethnicity, religion, biometric_ref,
    office, registered_at, registered_by)
SELECT md5('p' || g)::uuid, given, family, aliases,
       array_to_string(ARRAY(SELECT DISTINCT w FROM regexp_split_to_table(lower(given || ' ' || family || ' '
           || aliases), '[\\s,;]+') AS w WHERE w <> '' ORDER BY w), ' '),
       CASE WHEN h % 2 = 0 THEN 'F' ELSE 'M' END,
       CASE WHEN estimated THEN make_date(extract(year FROM born)::int, 1, 1) ELSE born END, estimated,
       (ARRAY['Somali', 'South Sudanese', 'Congolese', 'Burundian', 'Ethiopian'])[1 + (h >> 3) % 5],
       '', '', '', '', '', 'BIMS-' || g, (ARRAY{list(OFFICES)})[1 + (g / 4) % 7],
       now() - ((h >> 5) % 3000) * interval '1 day', 'bench'
FROM (
    SELECT g, h, CASE WHEN g1 = g2 THEN g1 ELSE g1 || ' ' || g2 END AS given, family,
           CASE WHEN h % 10 = 3 THEN alias || ' ' || family ELSE '' END AS aliases,
           DATE '1950-01-01' + ((h >> 7) % 27000)::int AS born, (h >> 11) % 10 < 3 AS estimated
    FROM (
        SELECT g, {_h("g", 5)} AS h, {g1} AS g1, {g2} AS g2, {fam} AS family, {alias} AS alias
        FROM generate_series(0, {people} - 1) AS g
    ) AS drawn
) AS named
"""  # noqa: S608 - generated from constants


# The register search's index of names (models.PersonNameWord): a row a word of name_key, which the
# generated names hold as rules.search_words makes them (plain lower-case letters).
NAME_WORDS_SQL = """
INSERT INTO refugees_personnameword (person_id, word, family_name, given_names)
SELECT p.id, w, p.family_name, p.given_names
FROM refugees_person p CROSS JOIN LATERAL unnest(string_to_array(p.name_key, ' ')) AS w
"""


def households_sql(people: int) -> str:
    """A household of four people on average: person g in household g / 4, its principal the first."""
    return f"""
INSERT INTO refugees_household (id, number, office, registered_at, registered_by)
SELECT md5('h' || k)::uuid,
       'HH-' || (ARRAY{list(OFFICES)})[1 + k % 7] || '-' || lpad((15 + (k / 7) % 10)::text, 2, '0') || '-'
           || lpad((k / 70)::text, 6, '0'),
       (ARRAY{list(OFFICES)})[1 + k % 7], now(), 'bench'
FROM generate_series(0, ({people} - 1) / 4) AS k;
INSERT INTO refugees_membership (id, household_id, person_id, kind, relationship, "on", reason, recorded_at,
    recorded_by)
SELECT gen_random_uuid(), md5('h' || (g / 4))::uuid, md5('p' || g)::uuid, 'joined',
       (ARRAY['principal', 'spouse', 'child', 'child'])[1 + g % 4], CURRENT_DATE - 400 - g % 2000, '', now(), 'bench'
FROM generate_series(0, {people} - 1) AS g
"""  # noqa: S608 - generated from constants


def history_sql(people: int) -> str:
    """Registered as asylum seekers, six in ten recognised; a proof of registration each, a refugee ID
    for the recognised (numbers unique by office, year and serial as the register issues them)."""
    number = (
        "'{prefix}-' || (ARRAY" + str(list(OFFICES)) + ")[1 + g % 7] || '-' || lpad((15 + (g / 7) % 10)::text, 2, '0')"
        " || '-' || lpad((g / 70)::text, 6, '0')"
    )
    return f"""
INSERT INTO refugees_statusstep (id, person_id, sequence, step, "on", reference, recorded_at, recorded_by,
    ledger_index)
SELECT gen_random_uuid(), md5('p' || g)::uuid, s, CASE s WHEN 1 THEN 'asylum_seeker' ELSE 'refugee' END,
       CURRENT_DATE - 400 - g % 2000 + (s - 1) * 200, 'CF-' || g, now(), 'bench', 2 * g + s
FROM generate_series(0, {people} - 1) AS g CROSS JOIN generate_series(1, 2) AS s
WHERE s = 1 OR g % 10 < 6;
INSERT INTO refugees_refugeedocument (id, person_id, kind, number, office, issued_on, expires_on, issued_at,
    issued_by, ledger_index)
SELECT gen_random_uuid(), md5('p' || g)::uuid, kind,
       CASE kind WHEN 'proof_of_registration' THEN {number.format(prefix="POR")} ELSE {number.format(prefix="RID")} END,
       (ARRAY{list(OFFICES)})[1 + g % 7], CURRENT_DATE - 300, CURRENT_DATE + 800, now(), 'bench', 3 * g + k
FROM generate_series(0, {people} - 1) AS g
CROSS JOIN LATERAL (VALUES (0, 'proof_of_registration'), (1, 'refugee_id')) AS d (k, kind)
WHERE k = 0 OR g % 10 < 6
"""  # noqa: S608 - generated from constants


def load(people: int) -> None:
    from daftari.stations.models import Officer
    from daftari.stations.rules import Role
    from daftari.stations.services import create_officer

    postgres.recreate(DATABASE)
    postgres.migrate(DATABASE)
    create_officer(
        username="bench-drs", password="bench drs officer password", service_number="BENCH-DRS",
        rank=Officer.Rank.CONSTABLE, station=None, roles=[Role.DRS_OFFICER],
    )  # fmt: skip
    started = time.perf_counter()
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        conn.execute("SET session_replication_role = replica")  # foreign keys right by construction
        conn.execute("SET maintenance_work_mem = '1GB'")
        indexes = postgres.secondary_indexes(conn, TABLES)
        for name, _ in indexes:
            conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        for label, statement in (
            ("people", people_sql(people)),
            ("the words of their names", NAME_WORDS_SQL),
            ("households and memberships", households_sql(people)),
            ("status steps and documents", history_sql(people)),
        ):
            step = time.perf_counter()
            conn.execute(statement)  # type: ignore[arg-type]
            console.print(f"  {label} in {time.perf_counter() - step:.0f} s")
        conn.commit()
        conn.autocommit = True
        step = time.perf_counter()
        for _, definition in indexes:
            conn.execute(definition)  # type: ignore[arg-type]
        for table in TABLES:
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(table)))
        console.print(f"  {len(indexes)} indexes rebuilt and analysed in {time.perf_counter() - step:.0f} s")
    console.print(f"generated the register of {people:,} people in {time.perf_counter() - started:.0f} s")


# --- Search -------------------------------------------------------------------------------------


# The bare indexed SELECT each search is compared with: a word's first page straight from the index
# of names (the other words checked person by person), or the people of a document or household.
def raw_name(words: int) -> str:
    exists = (
        " AND EXISTS (SELECT 1 FROM refugees_personnameword o{i} "
        "WHERE o{i}.person_id = w.person_id AND o{i}.word = %(w{i})s)"
    )
    others = "".join(exists.format(i=i) for i in range(1, words))
    select = "SELECT p.* FROM refugees_person p WHERE p.id IN (SELECT w.person_id FROM refugees_personnameword w "
    return select + "WHERE w.word = %(w0)s" + others + " ORDER BY w.family_name, w.given_names, w.person_id LIMIT 51)"


RAW_DOCUMENT = (
    "SELECT p.* FROM refugees_person p JOIN refugees_refugeedocument d ON d.person_id = p.id WHERE d.number = %(n)s"
)
RAW_HOUSEHOLD = (
    "SELECT p.* FROM refugees_person p JOIN refugees_membership m ON m.person_id = p.id "
    "JOIN refugees_household h ON h.id = m.household_id WHERE h.number = %(n)s AND m.kind = 'joined'"
)
# The commonest words of the register (the heads of the pools): a quarter of the people hold Mohamed.
COMMON_WORDS = ("Mohamed", "Abdi", "Hassan", "Ahmed", "Ali")
SEARCH_KINDS = (
    "common name (one word)",
    "given + family name",
    "every name of a person",
    "document number",
    "household number",
)


def search_terms(queries: int) -> list[tuple[str, str, str, str, str]]:
    """(first given name, given names, family name, document, household) of ``queries`` people picked at random."""
    with psycopg.connect(postgres.database_url(DATABASE)) as conn:
        rows = conn.execute(
            "SELECT split_part(p.given_names, ' ', 1), p.given_names, p.family_name, d.number, h.number "
            "FROM refugees_person p TABLESAMPLE SYSTEM (1) "
            "JOIN refugees_refugeedocument d ON d.person_id = p.id AND d.kind = 'proof_of_registration' "
            "JOIN refugees_membership m ON m.person_id = p.id JOIN refugees_household h ON h.id = m.household_id "
            "ORDER BY random() LIMIT %s",
            [queries],
        ).fetchall()
    return [(str(a), str(b), str(c), str(d), str(e)) for a, b, c, d, e in rows]


def _asked(kind: str, i: int, person: tuple[str, str, str, str, str]) -> tuple[dict[str, str], str, dict[str, str]]:
    """What the app is asked, and the raw statement with its parameters, for search ``i`` of ``kind``."""
    first, given, family, document, household = person
    if kind.startswith("document"):
        return {"document_number": document}, RAW_DOCUMENT, {"n": document}
    if kind.startswith("household"):
        return {"household_number": household}, RAW_HOUSEHOLD, {"n": household}
    if kind.startswith("common"):
        name = COMMON_WORDS[i % len(COMMON_WORDS)]
    elif kind.startswith("given"):
        name = f"{first} {family}"
    else:
        name = f"{given} {family}"
    words = list(dict.fromkeys(name.lower().split()))
    return {"name": name}, raw_name(len(words)), {f"w{n}": w for n, w in enumerate(words)}


def time_search(queries: int) -> list[tuple[str, list[float], list[float], float, float]]:
    """(kind, app ms, raw ms, mean lines, share of searches told to narrow) for each kind of search,
    app and raw alternated per query."""
    from django.contrib.auth.models import User
    from django.db import connection

    from daftari.refugees import queries as register

    reader = User.objects.get(username="bench-drs")
    terms = search_terms(queries)
    found = []
    for kind in SEARCH_KINDS:
        app: list[float] = []
        raw: list[float] = []
        lines = narrowed = 0
        for i, person in enumerate(terms):
            asked, statement, params = _asked(kind, i, person)
            began = time.perf_counter()
            result = register.search(reader=reader, **asked)
            elapsed = (time.perf_counter() - began) * 1000
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
                cursor.fetchall()
            raw_elapsed = (time.perf_counter() - began) * 1000
            if i >= 3:  # the first few warm the caches
                app.append(elapsed)
                raw.append(raw_elapsed)
                lines += len(result.lines)
                narrowed += result.more
        found.append((kind, app, raw, lines / max(1, len(app)), narrowed / max(1, len(app))))
    return found


# --- Figures ------------------------------------------------------------------------------------

FIGURES_TARGET_MS = 5_000.0  # the register's figures page at the country's size (3.3 s measured, 2 shared cores)


def documents_read_one_by_one(today: date) -> dict[tuple[str, str, str], int]:
    """Documents by office, kind and state as the figures counted them before issue 14's figures
    slice: every document read into Python and judged by rules.document_state. The comparison."""
    from collections import Counter

    from django.db.models import OuterRef, Subquery

    from daftari.refugees import rules
    from daftari.refugees.models import DocumentEvent, RefugeeDocument

    last_event = DocumentEvent.objects.filter(document=OuterRef("pk")).order_by("-recorded_at").values("kind")[:1]
    tally: Counter[tuple[str, str, str]] = Counter()
    for kind, office, expires_on, event in (
        RefugeeDocument.objects.annotate(event=Subquery(last_event))
        .values_list("kind", "office", "expires_on", "event")
        .iterator(chunk_size=10_000)
    ):
        events = [rules.DocumentEventKind(event)] if event else []
        tally[(office, kind, rules.document_state(events, expires_on=expires_on, today=today).value)] += 1
    return dict(tally)


def time_figures() -> tuple[bool, Table]:
    """The register's figures (refugees.queries.figures, as the UNHCR liaison reads them), three runs,
    against reading every document into Python once; the document counts must agree."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.utils import timezone

    from daftari.refugees import queries as register
    from daftari.refugees import rules
    from daftari.stations.models import Officer
    from daftari.stations.rules import Role
    from daftari.stations.services import create_officer

    reader = User.objects.filter(username="bench-unhcr").first() or create_officer(
        username="bench-unhcr", password="bench unhcr liaison password", service_number="BENCH-UNHCR",
        rank=Officer.Rank.CONSTABLE, station=None, roles=[Role.UNHCR_LIAISON],
    ).user  # fmt: skip
    today = timezone.localdate()
    runs = []
    for _ in range(3):
        began = time.perf_counter()
        figures = register.figures(reader=reader, threshold=1, today=today)
        runs.append((time.perf_counter() - began) * 1000)
    began = time.perf_counter()
    naive = documents_read_one_by_one(today)
    naive_ms = (time.perf_counter() - began) * 1000
    expected = sorted(
        (rules.OFFICES[office], register._document_figure_label(kind, state), str(n))
        for (office, kind, state), n in naive.items()
    )
    same = sorted((row.office, row.label, row.count) for row in figures.by_document) == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM refugees_refugeedocument")
        (documents,) = cursor.fetchone() or (0,)
    ok = same and max(runs) < FIGURES_TARGET_MS
    table = Table(title=f"register figures through refugees.queries.figures, {documents:,} documents")
    for column in ("run", "ms", "target", ""):
        table.add_column(column, justify="right")
    for n, ms in enumerate(runs, 1):
        table.add_row(str(n), f"{ms:.0f}", f"< {FIGURES_TARGET_MS:.0f}", verdict(ms < FIGURES_TARGET_MS))
    table.add_row("every document read in Python", f"{naive_ms:.0f}", "same counts", verdict(same))
    return ok, table


# --- De-duplication -------------------------------------------------------------------------------


def seeded_number(g: str) -> str:
    """The national ID of double registration ``g``: every other one a 14-digit Maisha Namba, the
    others an older 8-digit number (as seeded_truth computes them)."""
    return f"CASE WHEN ({g} / {SEED_EVERY}) % 2 = 1 THEN (10000000000000 + {g})::text ELSE (20000000 + {g})::text END"


def national_ids_sql(people: int, holders: int) -> str:
    """The bureau's list: the seeded part first (a double registration and a near miss every
    SEED_EVERY people, half of the double registrations under a Maisha Namba), then Kenyans, half
    of them with a Maisha Namba; 15 in 100 of them with names from the Somali pools."""
    given_k = _skewed(KENYAN, _h("i", 6))
    family_k = _skewed(KENYAN, _h("i", 7))
    given_s = _skewed(GIVEN, _h("i", 8))
    family_s = _skewed(FAMILY, _h("i", 9))
    given_s2 = _skewed(GIVEN, _h("i", 10))
    return f"""
COPY (
    SELECT {seeded_number("g")}, family_name || ' ' || given_names, sex,
           CASE WHEN NOT date_of_birth_estimated THEN date_of_birth
                ELSE make_date(extract(year FROM date_of_birth)::int + (g / {SEED_EVERY}) % 3 - 1, 1, 1)
                     + (g % 365) END::text
    FROM (SELECT g FROM generate_series(0, {people} - 1) AS g WHERE g % {SEED_EVERY} = 0) AS s
    JOIN refugees_person p ON p.id = md5('p' || g)::uuid
    UNION ALL
    SELECT (30000000 + g)::text, given_names || ' ' || family_name, sex,
           (date_of_birth + CASE WHEN date_of_birth_estimated THEN 2 ELSE 1 END
               * CASE WHEN g % 2 = 0 THEN interval '1 year' ELSE interval '-1 year' END)::date::text
    FROM (SELECT g FROM generate_series(0, {people} - 1) AS g WHERE g % {SEED_EVERY} = 1) AS s
    JOIN refugees_person p ON p.id = md5('p' || g)::uuid
    UNION ALL
    SELECT CASE WHEN i % 2 = 0 THEN (40000000 + i)::text ELSE (50000000000000 + i)::text END,
           CASE WHEN i % 100 < 15 THEN {given_s} || ' ' || {given_s2} || ' ' || {family_s}
                ELSE {given_k} || ' ' || {family_k} END,
           CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END,
           (DATE '1950-01-01' + ({_h("i", 11)} % 27000)::int)::text
    FROM generate_series(0, {holders} - 2 * ({people} / {SEED_EVERY}) - 1) AS i
) TO STDOUT WITH (FORMAT csv)
"""  # noqa: S608 - generated from constants


def write_national_ids(people: int, holders: int, path: Path) -> int:
    with psycopg.connect(postgres.database_url(DATABASE)) as conn, path.open("wb") as out:
        out.write(b"id_number,names,sex,date_of_birth\n")
        with conn.cursor().copy(national_ids_sql(people, holders)) as copy:  # type: ignore[arg-type]
            for block in copy:
                out.write(block)
    with path.open("rb") as written:
        return sum(1 for _ in written) - 1


def seeded_truth(people: int) -> tuple[set[tuple[uuid.UUID, str]], set[tuple[uuid.UUID, str]]]:
    truth = {
        (person_id(g), str(10000000000000 + g if (g // SEED_EVERY) % 2 else 20000000 + g))
        for g in range(0, people, SEED_EVERY)
    }
    near = {(person_id(g), str(30000000 + g)) for g in range(1, people, SEED_EVERY)}
    return truth, near


def run_dedupe(people: int, holders: int) -> tuple[bool, Table]:
    from daftari.refugees import dedupe
    from daftari.refugees.models import MatchProposal

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "nrb-national-ids.csv"
        began = time.perf_counter()
        written = write_national_ids(people, holders, path)
        console.print(f"wrote the national ID list ({written:,} holders, {path.stat().st_size / 2**20:.0f} MB) "
                      f"in {time.perf_counter() - began:.0f} s")  # fmt: skip
        began = time.perf_counter()
        index = dedupe.index_register()
        index_s = time.perf_counter() - began
        keys = len(index.by_key)
        began = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as stream:
            done = dedupe.run_pass(rows=dedupe.read_national_ids(stream), source=path.name, run_by="bench", index=index)
        pass_s = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    proposed = set(MatchProposal.objects.values_list("person_id", "national_id"))
    truth, near = seeded_truth(people)
    seeded_numbers = {n for _, n in truth | near}
    on_seeded = {p for p in proposed if p[1] in seeded_numbers}
    hits = len(proposed & truth)
    precision_seeded = hits / max(1, len(on_seeded))
    precision_all = hits / max(1, len(proposed))
    recall = hits / max(1, len(truth))
    near_proposed = len(proposed & near)
    total_s = index_s + pass_s
    # Recall is printed, not a target: a double registration with a common name and an estimated birth
    # date is not shown by names and a date (rules.chance_of_another); biometrics or IPRS must show it.
    ok = precision_seeded >= 0.95 and precision_all >= 0.95 and total_s < 600
    table = Table(title=f"de-duplication pass: {people:,} people against {done.national_ids:,} national IDs")
    for column in ("filing the register s", "comparing s", "total s", "pairs compared", "keys", "peak MB"):
        table.add_column(column, justify="right")
    table.add_column("proposed", justify="right")
    table.add_row(
        f"{index_s:.0f}", f"{pass_s:.0f}", f"{total_s:.0f}", f"{done.compared:,}", f"{keys:,}", f"{peak_mb:.0f}",
        f"{done.proposed:,}",
    )  # fmt: skip
    quality = Table(title="its quality against the seeded truth")
    maisha = {p for p in truth if len(p[1]) == 14}
    for column in ("double registrations seeded", "found", "of them Maisha Namba", "near misses seeded",
                   "near misses proposed", "precision (seeded part)", "recall", "precision (every proposal)",
                   "target", ""):  # fmt: skip
        quality.add_column(column, justify="right")
    quality.add_row(
        f"{len(truth):,}", f"{hits:,}", f"{len(proposed & maisha):,} / {len(maisha):,}", f"{len(near):,}",
        f"{near_proposed:,}", f"{precision_seeded:.3f}", f"{recall:.3f}", f"{precision_all:.3f}",
        "precision ≥ 0.95, < 10 min", verdict(ok),
    )  # fmt: skip
    console.print(table)
    return ok, quality


def run(*, people: int, holders: int, queries: int, keep: bool, search_only: bool = False, reuse: bool = False) -> bool:
    console.rule(f"[bold]Refugee register of {people:,} people, national ID list of {holders:,} (PostgreSQL)")
    setup_django()
    from django.db import connections

    if reuse:
        console.print(f"searching the register kept in {DATABASE}")
    else:
        console.print(f"generating the register in {DATABASE} ...")
        load(people)
    all_met = True
    table = Table(title=f"register search through refugees.queries.search, {queries} people, same run as raw SQL")
    columns = ("by", "lines", "narrow", "p50 ms", "p95 ms", "raw p50 ms", "raw p95 ms", "p95 / raw", "target p95", "")
    for column in columns:
        table.add_column(column, justify="left" if column == "by" else "right")
    for kind, app, raw, lines, narrowed in time_search(queries):
        p95, raw95 = percentile(app, 95), percentile(raw, 95)
        ok = p95 < SEARCH_TARGET_MS
        all_met &= ok
        table.add_row(
            kind, f"{lines:.1f}", f"{narrowed:.0%}", f"{percentile(app, 50):.1f}", f"{p95:.1f}",
            f"{percentile(raw, 50):.1f}", f"{raw95:.1f}", f"{p95 / raw95:.1f}×", f"< {SEARCH_TARGET_MS:.0f}",
            verdict(ok),
        )  # fmt: skip
    console.print(table)
    if not search_only:
        ok, figures = time_figures()
        console.print(figures)
        all_met &= ok
        ok, quality = run_dedupe(people, holders)
        console.print(quality)
        all_met &= ok
    connections.close_all()
    if not keep:
        postgres.drop(DATABASE)
    return all_met


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refugees", description=__doc__)
    parser.add_argument("--people", type=int, default=800_000, help="people on the register (default 800,000)")
    parser.add_argument("--national-ids", type=int, default=1_000_000, help="holders on the list (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=200, help="searches of each kind (default 200)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--search-only", action="store_true", help="time the searches only (no figures, no pass)")
    parser.add_argument("--reuse", action="store_true", help="search the database a --keep run left (no load)")
    args = parser.parse_args()
    met = run(
        people=args.people, holders=args.national_ids, queries=args.queries, keep=args.keep,
        search_only=args.search_only, reuse=args.reuse,
    )  # fmt: skip
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
