"""Accounts on SQLite and PostgreSQL: argon2, refusals, throttling stored in the database, sessions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from geodash.db import (
    AuthError,
    SessionExpired,
    StoreError,
    Throttled,
    authenticate,
    check_session,
    close_session,
    create_account,
    disable_account,
    list_accounts,
    login_log,
    open_session,
)
from geodash.db.accounts import MAX_FAILURES_PER_CLIENT, MAX_FAILURES_PER_LOGIN, SESSION_IDLE, SESSION_MAX
from geodash.db.engine import migrate
from geodash.db.models import Account

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(new_engine):
    engine = new_engine()
    migrate(engine)
    create_account(engine, "Alice", PASSWORD, "editeur", now=T0)
    return engine


def test_password_is_stored_as_argon2_and_verified(accounts):
    with accounts.connect() as conn:
        stored = conn.execute(sa.select(Account.password_hash).where(Account.login == "alice")).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    account = authenticate(accounts, " ALICE ", PASSWORD, client_key="10.0.0.1", now=T0)
    assert (account.login, account.role, account.active) == ("alice", "editeur", True)
    with pytest.raises(AuthError, match="Identifiant ou mot de passe incorrect"):
        authenticate(accounts, "alice", PASSWORD + "!", now=T0)
    with pytest.raises(AuthError, match="Identifiant ou mot de passe incorrect"):
        authenticate(accounts, "nobody", PASSWORD, now=T0)
    outcomes = [(e["login"], e["outcome"]) for e in login_log(accounts)]
    assert outcomes == [("nobody", "failure"), ("alice", "failure"), ("alice", "success")]


def test_account_rules(accounts):
    with pytest.raises(StoreError, match="existe déjà"):
        create_account(accounts, "alice", PASSWORD, "admin")
    with pytest.raises(StoreError, match="trop court"):
        create_account(accounts, "bob", "court", "editeur")
    with pytest.raises(StoreError, match="Rôle"):
        create_account(accounts, "bob", PASSWORD, "visiteur")
    assert [a.login for a in list_accounts(accounts)] == ["alice"]


def test_failures_throttle_the_login_and_the_right_password_waits(accounts):
    for i in range(MAX_FAILURES_PER_LOGIN):
        with pytest.raises(AuthError) as refused:
            authenticate(accounts, "alice", "wrong", client_key=f"10.0.0.{i}", now=T0 + timedelta(seconds=i))
        assert not isinstance(refused.value, Throttled)
    last = T0 + timedelta(seconds=MAX_FAILURES_PER_LOGIN - 1)
    with pytest.raises(Throttled) as throttled:  # even the right password, from another client
        authenticate(accounts, "alice", PASSWORD, client_key="10.9.9.9", now=last + timedelta(seconds=10))
    assert throttled.value.retry_after == 20 and "réessayez dans 20 s" in str(throttled.value)
    assert login_log(accounts, limit=1)[0]["outcome"] == "throttled"
    assert authenticate(accounts, "alice", PASSWORD, now=last + timedelta(seconds=31)).login == "alice"
    # a success resets the count
    with pytest.raises(AuthError) as refused:
        authenticate(accounts, "alice", "wrong", now=last + timedelta(seconds=40))
    assert not isinstance(refused.value, Throttled)


def test_delay_doubles_with_each_failure(accounts):
    at = T0
    for _ in range(MAX_FAILURES_PER_LOGIN + 1):
        with pytest.raises(AuthError):
            authenticate(accounts, "alice", "wrong", now=at)
        at += timedelta(minutes=1)  # each failure once the previous delay has passed
    with pytest.raises(Throttled) as throttled:
        authenticate(accounts, "alice", PASSWORD, now=at - timedelta(minutes=1) + timedelta(seconds=1))
    assert throttled.value.retry_after == 59  # 60 s after the 6th failure, 1 s spent


def test_failures_throttle_a_client_trying_many_logins(accounts):
    for i in range(MAX_FAILURES_PER_CLIENT):
        with pytest.raises(AuthError):
            authenticate(accounts, f"user{i}", "wrong", client_key="203.0.113.7", now=T0)
    with pytest.raises(Throttled):
        authenticate(accounts, "alice", PASSWORD, client_key="203.0.113.7", now=T0 + timedelta(seconds=1))
    assert authenticate(accounts, "alice", PASSWORD, client_key="198.51.100.1", now=T0).login == "alice"


def test_disabled_account_is_refused_and_its_sessions_end(accounts):
    token = open_session(accounts, "alice", now=T0)
    disable_account(accounts, "alice", now=T0)
    with pytest.raises(SessionExpired):
        check_session(accounts, token, now=T0 + timedelta(minutes=1))
    with pytest.raises(AuthError, match="désactivé"):
        authenticate(accounts, "alice", PASSWORD, now=T0)
    with pytest.raises(AuthError, match="incorrect"):  # a wrong password says nothing about the account
        authenticate(accounts, "alice", "wrong", now=T0)
    assert [(a.login, a.active) for a in list_accounts(accounts)] == [("alice", False)]


def test_sessions_expire_when_idle_and_at_the_latest_after_the_maximum(accounts):
    token = open_session(accounts, "alice", now=T0)
    assert check_session(accounts, token, now=T0 + SESSION_IDLE - timedelta(seconds=1)).login == "alice"
    with pytest.raises(SessionExpired):
        check_session(accounts, token, now=T0 + 2 * SESSION_IDLE)
    with pytest.raises(SessionExpired):  # expired sessions are forgotten
        check_session(accounts, token, now=T0)
    token = open_session(accounts, "alice", now=T0)
    at = T0
    while at + SESSION_IDLE / 2 < T0 + SESSION_MAX:  # used often: lives until the maximum, not beyond
        at += SESSION_IDLE / 2
        check_session(accounts, token, now=at)
    with pytest.raises(SessionExpired):
        check_session(accounts, token, now=T0 + SESSION_MAX + timedelta(seconds=1))
    token = open_session(accounts, "alice", now=T0)
    close_session(accounts, token)
    with pytest.raises(SessionExpired):
        check_session(accounts, token, now=T0)
    with pytest.raises(SessionExpired, match="Connexion requise"):
        check_session(accounts, None)


def test_identity_provider_users_need_an_active_account(accounts):
    from geodash.db import account_for_identity

    assert account_for_identity(accounts, " Alice ").role == "editeur"
    with pytest.raises(AuthError, match="Aucun compte actif « bob »"):
        account_for_identity(accounts, "bob")
    disable_account(accounts, "alice")
    with pytest.raises(AuthError, match="Aucun compte actif"):
        account_for_identity(accounts, "alice")


def test_importing_the_accounts_hashes_nothing():
    """The public pages import geodash.db: the unknown-login hash is made on the first sign-in."""
    import subprocess
    import sys

    code = "import geodash.db.accounts as a; print(a._dummy_hash.cache_info().currsize)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0"
