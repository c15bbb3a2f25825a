"""The Daraja client against the simulator, over real HTTP, as it would talk to Safaricom."""

import logging
import time

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from daftari.payments.daraja import DarajaClient, DarajaError
from tests.payments.conftest import free_port, start_simulator, stop_simulator


def client(settings: SettingsWrapper, **overrides: str) -> DarajaClient:
    values = {
        "base_url": settings.DAFTARI_DARAJA_BASE_URL,
        "consumer_key": settings.DAFTARI_DARAJA_CONSUMER_KEY,
        "consumer_secret": settings.DAFTARI_DARAJA_CONSUMER_SECRET,
        "shortcode": settings.DAFTARI_DARAJA_SHORTCODE,
        "passkey": settings.DAFTARI_DARAJA_PASSKEY,
        **overrides,
    }
    return DarajaClient(**values)


def test_the_token_is_fetched_once_and_cached(daraja_settings: SettingsWrapper) -> None:
    with client(daraja_settings) as daraja:
        assert daraja.token() == daraja.token()
    with client(daraja_settings) as another:
        assert another.token() == daraja.token()


def test_wrong_credentials_are_a_clear_error(daraja_settings: SettingsWrapper) -> None:
    with client(daraja_settings, consumer_secret="wrong") as daraja, pytest.raises(DarajaError) as error:
        daraja.token()
    assert error.value.code == "400.008.01"


def test_an_stk_push_is_accepted_and_the_query_answers_once_the_customer_has(
    daraja_settings: SettingsWrapper,
) -> None:
    with client(daraja_settings) as daraja:
        accepted = daraja.stk_push(
            phone="+254712345678",
            amount_kes=500,
            account_reference="TST123",
            description="Traffic fine",
            callback_url="http://127.0.0.1:9/nowhere",
        )
        assert accepted.response_code == "0"
        assert accepted.checkout_request_id.startswith("ws_CO_")
        assert daraja.stk_query(accepted.checkout_request_id).result_code is None  # still processing
        time.sleep(0.6)
        assert daraja.stk_query(accepted.checkout_request_id).result_code == "0"


def test_a_wrong_passkey_makes_daraja_refuse_the_password(daraja_settings: SettingsWrapper) -> None:
    with client(daraja_settings, passkey="not-the-passkey") as daraja, pytest.raises(DarajaError) as error:
        daraja.stk_push(
            phone="+254712345678",
            amount_kes=500,
            account_reference="TST123",
            description="Traffic fine",
            callback_url="http://127.0.0.1:9/nowhere",
        )
    assert error.value.code == "400.002.02"


def test_c2b_urls_are_registered(daraja_settings: SettingsWrapper) -> None:
    with client(daraja_settings) as daraja:
        answer = daraja.register_c2b_urls(
            confirmation_url="http://127.0.0.1:9/confirm", validation_url="http://127.0.0.1:9/validate"
        )
    assert answer["ResponseCode"] == "0"


def test_an_unreachable_daraja_is_a_clear_error_that_logs_no_secret(
    daraja_settings: SettingsWrapper, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.DEBUG),
        client(daraja_settings, base_url=f"http://127.0.0.1:{free_port()}") as daraja,
        pytest.raises(DarajaError, match="could not be reached"),
    ):
        daraja.token()
    assert daraja_settings.DAFTARI_DARAJA_CONSUMER_SECRET not in caplog.text


def test_the_simulator_scenario_option_applies_to_every_number(daraja_settings: SettingsWrapper) -> None:
    sim = start_simulator("--scenario", "cancelled")
    try:
        with client(daraja_settings, base_url=sim.url) as daraja:
            accepted = daraja.stk_push(
                phone="+254712345678",
                amount_kes=500,
                account_reference="TST123",
                description="Traffic fine",
                callback_url="http://127.0.0.1:9/nowhere",
            )
            time.sleep(0.6)
            assert daraja.stk_query(accepted.checkout_request_id).result_code == "1032"
    finally:
        stop_simulator(sim)
