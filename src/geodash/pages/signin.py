"""Signing in to the staff pages: local accounts (argon2, throttled, sessions that expire) or the
Département's identity provider through Streamlit's OpenID Connect (``st.login``) when ``[auth]`` is
configured. The session token lives in ``st.session_state``; every check goes through :mod:`geodash.db`.
"""

from __future__ import annotations

import logging

import streamlit as st

from .. import db, settings
from ..clients import client_address

__all__ = ["ROLE_LABELS", "TOKEN", "client_key", "signed_in", "sign_in", "sign_out", "signed_in_login"]

#: French names of the account roles (the identifiers stay those of ``geodash users add --role``).
ROLE_LABELS = {"editeur": "éditeur", "admin": "administrateur"}
#: Key of the session token in ``st.session_state`` (every key of the staff page starts with "saisie").
TOKEN = "saisie_token"


def client_key() -> str:
    """The browser's address, for the sign-in throttling: the connection's, or the one forwarded by a
    proxy named in ``GEODASH_TRUSTED_PROXIES`` (:func:`geodash.clients.client_address`)."""
    peer = st.context.ip_address
    peer = peer if isinstance(peer, str) else None  # None: a loopback connection (or a test run's stand-in)
    return client_address(peer, st.context.headers, settings.trusted_proxies())


def signed_in(engine) -> db.AccountInfo | None:
    """The account of this browser session's token, ``None`` (and a message if it expired) otherwise."""
    token = st.session_state.get(TOKEN)
    if not token:
        return None
    try:
        return db.check_session(engine, token)
    except db.SessionExpired as exc:
        _forget_session()
        st.warning(str(exc))
        return None


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in(engine) -> None:
    """The sign-in form (local accounts), and the Département's identity provider when configured."""
    st.write("Page réservée aux agents du Département : connectez-vous pour saisir les financements.")
    if _oidc_configured():
        if st.user.is_logged_in:
            try:
                account = db.account_for_identity(engine, st.user.email or "")
            except db.AuthError as exc:
                st.error(str(exc))
            else:
                st.session_state[TOKEN] = db.open_session(engine, account)
                st.rerun()
        st.button("Se connecter avec le compte du Département", on_click=st.login, args=("departement",))
    with st.form("saisie_connexion"):
        login = st.text_input("Identifiant", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter", type="primary")
    if not submitted:
        return
    try:
        account = db.authenticate(engine, login, password, client_key=client_key())
    except db.AuthError as exc:  # wrong password, disabled account, or throttled (with the delay)
        st.error(str(exc))
        return
    st.session_state[TOKEN] = db.open_session(engine, account)
    st.rerun()


def _forget_session() -> None:
    for key in [k for k in st.session_state if str(k).startswith("saisie")]:
        del st.session_state[key]


def sign_out(engine) -> None:
    try:
        db.close_session(engine, st.session_state.get(TOKEN))
    except db.DATABASE_FAULTS as exc:  # signed out here all the same; the stored session expires by itself
        logging.getLogger("geodash").error("base de données, déconnexion : %s", exc)
    _forget_session()


def signed_in_login(engine) -> str | None:
    """The login of the signed-in editor, checked again before every write (``None``: signed out)."""
    try:
        return db.check_session(engine, st.session_state.get(TOKEN)).login
    except db.SessionExpired:
        _forget_session()
        return None
