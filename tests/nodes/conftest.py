import pytest


@pytest.fixture(scope="session")
def migrated_postgres(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The name of a PostgreSQL database migrated once per run of pytest, the template of each hub's
    database in the tests that run a hub as a real process (tests/nodes/real_processes.py)."""
    from tests.migrated_sqlite import made_once
    from tests.nodes.real_processes import migrate_template, migrated_template_name

    made_once(tmp_path_factory, "migrated-postgres", migrate_template)
    return migrated_template_name()
