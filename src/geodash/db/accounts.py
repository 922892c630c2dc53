"""Local staff accounts: argon2 password hashes, throttled and logged sign-in, expiring sessions.

Throttling is stored in the database (``login_attempts``), so it holds across processes and servers:
after :data:`MAX_FAILURES_PER_LOGIN` failures for one login (or :data:`MAX_FAILURES_PER_CLIENT` for one
client key, e.g. the address of the browser) within :data:`WINDOW`, each further attempt must wait a
delay that doubles with every failure (:data:`BASE_DELAY` up to :data:`MAX_DELAY`). A session is a random
token of which only the SHA-256 is stored; it expires after :data:`SESSION_IDLE` without use and
:data:`SESSION_MAX` after sign-in in any case.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .engine import writing
from .errors import AuthError, NotFound, SessionExpired, StoreError, Throttled
from .models import ROLES, Account, LoginAttempt, Session

__all__ = [
    "AccountInfo",
    "MIN_PASSWORD_LENGTH",
    "MAX_FAILURES_PER_LOGIN",
    "MAX_FAILURES_PER_CLIENT",
    "WINDOW",
    "SESSION_IDLE",
    "SESSION_MAX",
    "normalise_login",
    "create_account",
    "list_accounts",
    "disable_account",
    "set_password",
    "authenticate",
    "account_for_identity",
    "login_log",
    "open_session",
    "check_session",
    "close_session",
]

MIN_PASSWORD_LENGTH = 12
MAX_FAILURES_PER_LOGIN = 5
MAX_FAILURES_PER_CLIENT = 20
WINDOW = timedelta(minutes=15)
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=8)
REFUSED = "Identifiant ou mot de passe incorrect."

_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,127}$")
_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the login does not exist, so that an unknown login takes as long as a wrong
    password. Made on the first sign-in, not at import: the public pages import this package and
    never sign anyone in (an Argon2 hash costs 0.1-0.3 s by design)."""
    return _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class AccountInfo:
    login: str
    role: str
    active: bool
    created_at: datetime
    disabled_at: datetime | None = None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _info(row) -> AccountInfo:
    return AccountInfo(row.login, row.role, row.active, row.created_at, row.disabled_at)


def normalise_login(login: str) -> str:
    """Logins are compared trimmed and in lower case."""
    return (login or "").strip().lower()


def create_account(
    engine: sa.Engine, login: str, password: str, role: str, *, now: datetime | None = None
) -> AccountInfo:
    """Create an active account; refuses a taken login, an unknown role or a short password."""
    login = normalise_login(login)
    if not _LOGIN.match(login):
        raise StoreError(
            f"Identifiant « {login} » invalide : 2 à 128 caractères, lettres minuscules, chiffres, « . _ @ - »."
        )
    if role not in ROLES:
        raise StoreError(f"Rôle « {role} » inconnu ({', '.join(ROLES)}).")
    _check_password(password)
    with writing(engine) as conn:
        if conn.execute(sa.select(Account.login).where(Account.login == login)).first():
            raise StoreError(f"Le compte « {login} » existe déjà.")
        conn.execute(
            sa.insert(Account).values(
                login=login, password_hash=_hasher.hash(password), role=role, active=True, created_at=_now(now)
            )
        )
    return _get(engine, login)


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise StoreError(f"Mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins.")


def _get(engine: sa.Engine, login: str) -> AccountInfo:
    with engine.connect() as conn:
        row = conn.execute(sa.select(Account).where(Account.login == normalise_login(login))).first()
    if row is None:
        raise NotFound(f"Aucun compte « {normalise_login(login)} ».")
    return _info(row)


def list_accounts(engine: sa.Engine) -> list[AccountInfo]:
    """Every account, by login."""
    with engine.connect() as conn:
        return [_info(r) for r in conn.execute(sa.select(Account).order_by(Account.login))]


def disable_account(engine: sa.Engine, login: str, *, now: datetime | None = None) -> AccountInfo:
    """Disable an account (kept for the history) and end its open sessions."""
    login = normalise_login(login)
    _get(engine, login)
    with writing(engine) as conn:
        conn.execute(
            sa.update(Account)
            .where(Account.login == login, Account.active.is_(True))
            .values(active=False, disabled_at=_now(now))
        )
        conn.execute(sa.delete(Session).where(Session.login == login))
    return _get(engine, login)


def set_password(engine: sa.Engine, login: str, password: str) -> None:
    """Replace an account's password and end its open sessions."""
    login = normalise_login(login)
    _get(engine, login)
    _check_password(password)
    with writing(engine) as conn:
        conn.execute(sa.update(Account).where(Account.login == login).values(password_hash=_hasher.hash(password)))
        conn.execute(sa.delete(Session).where(Session.login == login))


def _wait(conn: sa.Connection, column, key: str, limit: int, now: datetime) -> float:
    """Seconds still to wait before ``key`` may try again (0 when not throttled)."""
    since = now - WINDOW
    last_success = conn.execute(
        sa.select(sa.func.max(LoginAttempt.at)).where(column == key, LoginAttempt.outcome == "success")
    ).scalar()
    if last_success is not None:
        last_success = last_success if last_success.tzinfo else last_success.replace(tzinfo=timezone.utc)
        since = max(since, last_success)
    failures = conn.execute(
        sa.select(sa.func.count(), sa.func.max(LoginAttempt.at)).where(
            column == key, LoginAttempt.outcome == "failure", LoginAttempt.at > since
        )
    ).one()
    count, last = failures
    if count < limit or last is None:
        return 0.0
    last = last if last.tzinfo else last.replace(tzinfo=timezone.utc)
    delay = min(BASE_DELAY * 2 ** (count - limit), MAX_DELAY)
    return max(0.0, (last + delay - now).total_seconds())


def _log(engine: sa.Engine, login: str, client_key: str, outcome: str, at: datetime) -> None:
    with writing(engine) as conn:
        conn.execute(
            sa.insert(LoginAttempt).values(login=login[:128], client_key=client_key[:128], at=at, outcome=outcome)
        )


def authenticate(
    engine: sa.Engine, login: str, password: str, *, client_key: str = "", now: datetime | None = None
) -> AccountInfo:
    """The account if ``password`` is right; every attempt is logged.

    Raises :class:`Throttled` (with ``retry_after``) after too many failures, without checking the
    password; :class:`AuthError` for a wrong login or password (same message for both) or a
    disabled account (said only once the password is right).
    """
    at = _now(now)
    login = normalise_login(login)
    with engine.connect() as conn:
        wait = max(
            _wait(conn, LoginAttempt.login, login, MAX_FAILURES_PER_LOGIN, at),
            _wait(conn, LoginAttempt.client_key, client_key, MAX_FAILURES_PER_CLIENT, at) if client_key else 0.0,
        )
        row = conn.execute(sa.select(Account).where(Account.login == login)).first()
    if wait > 0:
        _log(engine, login, client_key, "throttled", at)
        raise Throttled(wait)
    try:
        _hasher.verify(row.password_hash if row else _dummy_hash(), password or "")
        ok = row is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    if not ok:
        _log(engine, login, client_key, "failure", at)
        raise AuthError(REFUSED)
    if not row.active:
        _log(engine, login, client_key, "disabled", at)
        raise AuthError("Ce compte est désactivé : s'adresser à un administrateur.")
    _log(engine, login, client_key, "success", at)
    if _hasher.check_needs_rehash(row.password_hash):
        with writing(engine) as conn:
            conn.execute(sa.update(Account).where(Account.login == login).values(password_hash=_hasher.hash(password)))
    return _info(row)


def account_for_identity(engine: sa.Engine, login: str) -> AccountInfo:
    """The active account of a user signed in by the Département's identity provider (``st.login``).

    The provider proves who the user is (``st.user.email``); the account gives the role. Raises
    :class:`AuthError` when there is no active account of that login.
    """
    try:
        account = _get(engine, login)
    except NotFound:
        account = None
    if account is None or not account.active:
        raise AuthError(f"Aucun compte actif « {normalise_login(login)} » : s'adresser à un administrateur.")
    return account


def login_log(engine: sa.Engine, *, limit: int = 100) -> list[dict]:
    """The latest sign-in attempts, newest first: ``{"login", "client_key", "at", "outcome"}``."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(LoginAttempt).order_by(LoginAttempt.pk.desc()).limit(limit))
        return [{"login": r.login, "client_key": r.client_key, "at": r.at, "outcome": r.outcome} for r in rows]


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: sa.Engine, account: AccountInfo | str, *, now: datetime | None = None) -> str:
    """A new session token for a signed-in account (keep it in ``st.session_state``)."""
    login = account.login if isinstance(account, AccountInfo) else normalise_login(account)
    at = _now(now)
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        conn.execute(sa.delete(Session).where(Session.expires_at < at))  # housekeeping
        conn.execute(
            sa.insert(Session).values(
                token_hash=_hash_token(token),
                login=login,
                created_at=at,
                expires_at=min(at + SESSION_IDLE, at + SESSION_MAX),
            )
        )
    return token


def check_session(engine: sa.Engine, token: str | None, *, now: datetime | None = None) -> AccountInfo:
    """The account of a live session, whose expiry moves :data:`SESSION_IDLE` ahead (never past
    :data:`SESSION_MAX` after sign-in). Raises :class:`SessionExpired` otherwise."""
    if not token:
        raise SessionExpired("Connexion requise.")
    at = _now(now)
    key = _hash_token(token)
    with writing(engine) as conn:
        found = conn.execute(
            sa.select(
                Session.created_at.label("opened_at"),
                Session.expires_at,
                Account.login,
                Account.role,
                Account.active,
                Account.created_at,
                Account.disabled_at,
            )
            .join(Account, Account.login == Session.login)
            .where(Session.token_hash == key)
        ).first()
        live = found is not None and found.expires_at > at and found.active
        if live:
            conn.execute(
                sa.update(Session)
                .where(Session.token_hash == key)
                .values(expires_at=min(at + SESSION_IDLE, found.opened_at + SESSION_MAX))
            )
        else:
            conn.execute(sa.delete(Session).where(Session.token_hash == key))
    if not live:
        raise SessionExpired()
    return AccountInfo(found.login, found.role, found.active, found.created_at, found.disabled_at)


def close_session(engine: sa.Engine, token: str | None) -> None:
    """Sign out: forget the session."""
    if token:
        with writing(engine) as conn:
            conn.execute(sa.delete(Session).where(Session.token_hash == _hash_token(token)))
