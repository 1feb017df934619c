"""Logins and API keys (issue 12): guessing passwords is stopped, keys expire, can be revoked,
die with a password change and are stored hashed; the API is throttled; idempotency keys are
checked and bound to their request's body."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

from cantine import tokens
from cantine.models import ApiToken, IdempotencyKey
from orders.models import OrderEvent
from tests.orders.test_portal import sent_orders  # noqa: F401  (fixture)

PASSWORD = "a-long-passphrase-for-tests"
# DRF answers 403, not 401, when session authentication comes first (it sends no
# WWW-Authenticate challenge); the detail says why.
REFUSED = 403


@pytest.fixture
def cook(world):
    user = world.users["cook"]
    user.set_password(PASSWORD)
    user.save()
    return user


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


# Logins ----------------------------------------------------------------------------------------


def test_the_right_password_is_refused_after_five_wrong_ones(client, cook, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "cook", "guess").status_code == 200
    locked = log_in(client, "cook", "guess")
    assert locked.status_code == 429

    right = log_in(client, "cook", PASSWORD)

    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert (
        "Trop de mots de passe erronés : ce compte est bloqué depuis cette adresse pendant "
        "15 minutes." in right.content.decode()
    )


def test_a_good_login_resets_the_count(client, cook, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "cook", "guess")
    assert log_in(client, "cook", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "cook", "guess").status_code == 200  # counting starts again


def test_another_user_is_not_locked_out_by_someone_else_s_guesses(client, cook, world):
    for _ in range(6):
        log_in(client, "cook", "guess")
    manager = world.users["manager"]
    manager.set_password(PASSWORD)
    manager.save()
    assert log_in(client, "manager", PASSWORD).status_code == 302


def test_the_admin_login_is_guarded_too(client, cook, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "cook", "password": "guess"})
    assert client.post(url, {"username": "cook", "password": PASSWORD}).status_code == 429


# API keys --------------------------------------------------------------------------------------


def api_get(client, key, keyword="Token"):
    return client.get(reverse("canteen-list"), HTTP_AUTHORIZATION=f"{keyword} {key}")


def test_a_key_opens_the_api_and_only_its_digest_is_stored(client, world):
    token, key = tokens.issue(world.users["manager"], name="logiciel")
    assert api_get(client, key).status_code == 200
    assert api_get(client, key, "Bearer").status_code == 200
    stored = ApiToken.objects.values().get()
    assert key not in {str(value) for value in stored.values()}
    assert stored["digest"] == tokens.digest(key) and key.startswith(stored["prefix"])
    assert len(key) >= 40


def test_a_key_expires(client, world):
    token, key = tokens.issue(world.users["manager"], days=1)
    assert token.expires_at - timezone.now() <= timedelta(days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api_get(client, key)
    assert response.status_code == REFUSED
    assert response.json()["detail"] == "Ce jeton a expiré : demandez-en un nouveau."


def test_keys_last_ninety_days_by_default(world):
    token, _key = tokens.issue(world.users["manager"])
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)


def test_a_revoked_key_is_refused(client, world):
    token, key = tokens.issue(world.users["manager"])
    tokens.revoke(token)
    response = api_get(client, key)
    assert response.status_code == REFUSED
    assert response.json()["detail"] == "Ce jeton a été révoqué."


def test_a_key_dies_with_a_password_change(client, world):
    user = world.users["manager"]
    _token, key = tokens.issue(user)
    user.set_password("another-long-passphrase")
    user.save()
    response = api_get(client, key)
    assert response.status_code == REFUSED
    assert "mot de passe a changé" in response.json()["detail"]


def test_an_unknown_or_malformed_key_is_refused(client, world):
    assert api_get(client, "not-a-key").json()["detail"] == "Jeton invalide."
    response = client.get(reverse("canteen-list"), HTTP_AUTHORIZATION="Token a b")
    assert response.status_code == REFUSED
    assert response.json()["detail"] == "En-tête de jeton invalide."


def test_the_command_prints_a_key_once(world, capsys):
    call_command("issue_api_token", "manager", "--days", "7", "--name", "ERP")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert token.digest == tokens.digest(key) and token.name == "ERP"


def test_the_migration_hashes_drf_s_clear_tokens_and_drops_their_table(world):
    from importlib import import_module

    migration = import_module("cantine.migrations.0004_api_tokens_hashed")
    user = world.users["producer"]
    key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id bigint, "
            "created timestamp)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token (key, user_id, created) VALUES (%s, %s, %s)",
            [key, user.pk, timezone.now()],
        )

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    migration.convert_drf_tokens(apps, SimpleNamespace(connection=connection, execute=execute))

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get()
    assert token.user == user and token.digest == tokens.digest(key)
    assert tokens.refusal(token) is None  # the client's key keeps working, now hashed


# Throttling ------------------------------------------------------------------------------------


@pytest.fixture
def rates(monkeypatch):
    """Low rates for the test (DRF reads them when its throttles are imported).

    Anonymous callers are throttled too (``anon``), but every endpoint asks for a login first,
    and DRF checks permissions before throttles: they get 403 before any count matters."""
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "5/min"})
    yield
    cache.clear()


def test_each_user_s_api_calls_are_throttled(client, world, rates):
    client.force_login(world.users["manager"])
    answers = [client.get(reverse("canteen-list")).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    assert "Retry-After" in client.get(reverse("canteen-list"))


# Idempotency keys ------------------------------------------------------------------------------


@pytest.fixture
def farmer(client, world):
    client.force_login(world.users["producer"])
    return client


def answer(client, order, body, key):
    url = reverse("myorder-answer", kwargs={"pk": order.pk, "line": order.lines.get().pk})
    return client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_key_over_100_characters_is_refused_not_cut(farmer, sent_orders):  # noqa: F811
    own, _other = sent_orders
    long_key = "k" * 100
    assert answer(farmer, own, {"packs": 1, "reason": "gel"}, long_key).status_code == 200
    # Before: cut to 100 characters when stored, looked up whole, it replayed the first answer.
    response = answer(farmer, own, {"packs": 2, "reason": "gel"}, long_key + "-2")
    assert response.status_code == 400
    assert "1 à 100 caractères" in response.json()["detail"]
    assert OrderEvent.objects.filter(action="answer").count() == 1


@pytest.mark.parametrize("key", ["", "clé-accentuée", "with space", "tab\tkey"])
def test_a_key_of_other_characters_is_refused(farmer, sent_orders, key):  # noqa: F811
    own, _other = sent_orders
    assert answer(farmer, own, {"packs": 1}, key).status_code == 400
    assert not IdempotencyKey.objects.exists()


def test_the_same_key_with_another_body_answers_422(farmer, sent_orders):  # noqa: F811
    own, _other = sent_orders
    key = "5f0c8a2e-0b7e-4d5b-9a8e-3f5d2c1b0a99"
    assert answer(farmer, own, {"packs": 1, "reason": "gel"}, key).status_code == 200
    replay = answer(farmer, own, {"reason": "gel", "packs": 1}, key)  # same data, other order
    assert replay.status_code == 200 and replay["Idempotent-Replay"] == "true"
    other = answer(farmer, own, {"packs": 2, "reason": "gel"}, key)
    assert other.status_code == 422
    assert other.json()["detail"] == (
        "Idempotency-Key déjà utilisée avec un autre corps de requête."
    )
    assert OrderEvent.objects.filter(action="answer").count() == 1
