"""The staff workspace's storage: financings, key figures, history and accounts in SQLite or PostgreSQL.

Everything the ``Saisie`` page needs is importable from here; every function takes an Engine
(:func:`get_engine`) and returns plain values; refusals are :class:`StoreError` subclasses with a
French message.
"""

from .accounts import (
    AccountInfo,
    account_for_identity,
    authenticate,
    check_session,
    close_session,
    create_account,
    disable_account,
    list_accounts,
    login_log,
    open_session,
    set_password,
)
from .engine import database_url, get_engine, make_engine, migrate
from .errors import AuthError, Conflict, NotFound, SessionExpired, StoreError, Throttled, ValidationError
from .financings import (
    Change,
    FinancingRecord,
    Rules,
    add_financing,
    check_financing,
    data_version,
    edit_financing,
    financing_history,
    get_financing,
    journal,
    list_financings,
    next_financing_id,
    reinstate_financing,
    restore_version,
    withdraw_financing,
)
from .transfer import ImportRefused, ensure_database, export_csv, import_csv, load_project_data_db

__all__ = [
    "AccountInfo",
    "account_for_identity",
    "AuthError",
    "Change",
    "Conflict",
    "FinancingRecord",
    "ImportRefused",
    "NotFound",
    "Rules",
    "SessionExpired",
    "StoreError",
    "Throttled",
    "ValidationError",
    "add_financing",
    "authenticate",
    "check_financing",
    "check_session",
    "close_session",
    "create_account",
    "data_version",
    "database_url",
    "disable_account",
    "edit_financing",
    "ensure_database",
    "export_csv",
    "financing_history",
    "get_engine",
    "get_financing",
    "import_csv",
    "journal",
    "list_accounts",
    "list_financings",
    "load_project_data_db",
    "login_log",
    "make_engine",
    "migrate",
    "next_financing_id",
    "open_session",
    "reinstate_financing",
    "restore_version",
    "set_password",
    "withdraw_financing",
]
