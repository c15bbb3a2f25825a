"""The access log line is gunicorn's own, with the URL secrets masked, its atoms made only when asked for."""

from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.core.logmask import MASK, AccessLogger, _Atoms, masked

SECRET = "a-production-like-callback-secret-4f9c2e"
NOW = "[07/Dec/2026:07:00:00 +0300]"


def _request() -> tuple[SimpleNamespace, SimpleNamespace, dict[str, str], timedelta]:
    path = f"/payments/daraja/{SECRET}/c2b/confirmation"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f'{path}?again={SECRET}&q="quoted"',
        "PATH_INFO": path,
        "QUERY_STRING": f'again={SECRET}&q="quoted"',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "196.201.214.200",
        "HTTP_USER_AGENT": 'Daraja "callbacks"/1.0',
        "HTTP_AUTHORIZATION": "Basic ZGVzazpzZWNyZXQ=",
    }
    req = SimpleNamespace(headers=[("HOST", "daftari.example"), ("X-CALLBACK", SECRET), ("USER-AGENT", "Daraja")])
    resp = SimpleNamespace(status="201 Created", sent=1234, headers=[("Content-Type", "application/json")])
    return resp, req, environ, timedelta(seconds=1, microseconds=2345)


def test_every_atom_of_the_access_log_is_gunicorns_own_with_the_callback_secret_masked(
    settings: SettingsWrapper,
) -> None:
    settings.DAFTARI_DARAJA_CALLBACK_TOKEN = SECRET
    logger = AccessLogger(Config())
    logger.now = lambda: NOW  # type: ignore[method-assign]
    resp, req, environ, took = _request()
    every = Logger.atoms(logger, resp, req, environ, took)
    gunicorns = SafeAtoms({key: masked(value) if isinstance(value, str) else value for key, value in every.items()})
    ours = _Atoms(logger, resp, req, environ, took)
    keys = [*"hlutrsmUqHbBfaTDMLp", "{host}i", "{X-Callback}i", "{content-type}o", "{raw_uri}e", "{none}i", "z"]
    for key in keys:
        assert ours[key] == gunicorns[key], key
    line = logger.cfg.access_log_format % ours
    assert line == logger.cfg.access_log_format % gunicorns
    assert SECRET not in line and MASK in line and 'Daraja \\"callbacks\\"/1.0' in line
    assert SECRET not in " ".join(str(ours[key]) for key in keys)


def test_an_access_log_line_makes_only_the_atoms_its_format_shows(settings: SettingsWrapper) -> None:
    settings.DAFTARI_DARAJA_CALLBACK_TOKEN = SECRET
    logger = AccessLogger(Config())
    resp, req, environ, took = _request()
    atoms = _Atoms(logger, resp, req, environ, took)
    logger.cfg.access_log_format % atoms
    assert sorted(atoms) == sorted("hlutrsbfa")
    assert atoms._every is None  # the headers and the environment were never walked
