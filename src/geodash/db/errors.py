"""What the staff workspace can refuse, each with a French message the page can show as it is, and
the one place that says in French why a database cannot be used (:func:`database_fault`).
"""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa

__all__ = [
    "StoreError",
    "NotFound",
    "ValidationError",
    "Conflict",
    "ProgressConflict",
    "AuthError",
    "Throttled",
    "SessionExpired",
    "DatabaseFault",
    "DatabaseReplaced",
    "DATABASE_FAULTS",
    "database_fault",
]


class StoreError(Exception):
    """Base of every refusal; ``str(error)`` is a French sentence for the user."""


class NotFound(StoreError):
    """No financing (or account) with this identifier."""


class ValidationError(StoreError):
    """The record breaks the rules of ``geodash validate``; nothing was saved.

    ``errors`` and ``warnings`` map a column (``"montant_departement_eur"``) to its French reason, so
    the page can show each next to its field.
    """

    def __init__(self, errors: dict[str, str], warnings: dict[str, str] | None = None):
        self.errors = dict(errors)
        self.warnings = dict(warnings or {})
        detail = " ; ".join(f"{column} : {reason}" for column, reason in self.errors.items())
        super().__init__(f"Enregistrement refusé, rien n'a été modifié : {detail}")


class Conflict(StoreError):
    """Someone saved the financing since the editor opened it; nothing was saved.

    ``current`` is the record as it is now (a :class:`~geodash.db.financings.FinancingRecord`) and
    ``changes`` the history entries the editor has not seen, so the page can show the other's change.
    """

    #: The French sentence's parts: what changed, what was not saved, what to do.
    WORDING = (
        "Le financement {id} a été modifié",
        "vos modifications n'ont pas été enregistrées",
        "Comparez avec la version actuelle puis enregistrez à nouveau.",
    )

    def __init__(self, current, expected_version: int, changes: list):
        self.current = current
        self.expected_version = expected_version
        self.changes = list(changes)
        last = self.changes[-1] if self.changes else None
        who = f" par {last.author} le {last.at:%d/%m/%Y à %H:%M} UTC" if last else ""
        subject, lost, advice = self.WORDING
        super().__init__(
            f"{subject.format(id=current.id)}{who} depuis que vous l'avez ouvert "
            f"(version {expected_version} → {current.version}) : {lost}. {advice}"
        )


class ProgressConflict(Conflict):
    """Someone recorded in the follow-up of a financing since the editor saw it; nothing was recorded.

    ``current`` is the follow-up as it is now (a :class:`~geodash.db.tracking.FollowUp`) and ``changes`` the
    entries the editor has not seen (who, when, what).
    """

    WORDING = (
        "Le suivi du financement {id} a été complété",
        "votre saisie n'a pas été enregistrée",
        "Relisez le suivi actuel puis enregistrez à nouveau.",
    )


class AuthError(StoreError):
    """Sign-in refused (the message never says whether the login exists)."""


class Throttled(AuthError):
    """Too many failed attempts: ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: float):
        self.retry_after = max(1, int(retry_after + 0.999))
        minutes, seconds = divmod(self.retry_after, 60)
        wait = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
        super().__init__(f"Trop de tentatives de connexion échouées : réessayez dans {wait}.")


class SessionExpired(AuthError):
    """The session token is unknown, expired, or its account was disabled."""

    def __init__(self, message: str = "Votre session a expiré : reconnectez-vous."):
        super().__init__(message)


class DatabaseFault(StoreError):
    """The database cannot be used now (file unreadable, server unreachable, read-only, file replaced…);
    nothing was written. ``reason`` is the French cause (« serveur injoignable »), ``advice`` what to do,
    ``detail`` both, to go in a sentence; none of them holds a path or a password."""

    def __init__(self, reason: str, advice: str = ""):
        self.reason = reason
        self.advice = advice
        super().__init__(f"Base de données indisponible : {self.detail}.")

    @property
    def detail(self) -> str:
        return f"{self.reason} ({self.advice})" if self.advice else self.reason


class DatabaseReplaced(DatabaseFault):
    """The SQLite file the server opened was deleted, moved or replaced while it ran: nothing is written
    (it would go to a file nobody reads) until the file is back or the server restarted."""

    def __init__(self):
        super().__init__(
            "le fichier de la base a été supprimé ou remplacé depuis le démarrage du serveur",
            "rien n'est enregistré tant que le fichier n'est pas remis en place ; "
            "redémarrer le serveur pour ouvrir un nouveau fichier",
        )


#: What a database that cannot be used raises; :func:`database_fault` says why, in French.
DATABASE_FAULTS = (DatabaseFault, sa.exc.SQLAlchemyError, sqlite3.Error)

_URL = "vérifier GEODASH_DATABASE_URL"
_CORRUPT = ("fichier de la base illisible ou corrompu", "remettre en place la dernière sauvegarde de la base")
_UNREACHABLE = ("serveur injoignable", "réessayer quand le serveur de base de données sera revenu")
_READONLY = ("base en lecture seule", "vérifier les droits d'écriture du fichier ou du compte du serveur")
_CANTOPEN = ("fichier de la base introuvable ou impossible à ouvrir", "vérifier le dossier de la base et ses droits")
_IOERR = ("erreur de lecture ou d'écriture du fichier de la base", "vérifier le disque")
_FULL = ("disque plein", "libérer de la place sur le disque de la base")
_BUSY = ("base occupée par une autre écriture", "réessayer dans un instant")
_BAD_URL = ("adresse de la base invalide ou pilote absent", _URL)
_OTHER = ("erreur de la base de données", "le détail est dans le journal de l'application")
#: SQLite's result codes (``sqlite_errorname``, Python 3.11+), by prefix.
_SQLITE = {
    "SQLITE_NOTADB": _CORRUPT,
    "SQLITE_CORRUPT": _CORRUPT,
    "SQLITE_READONLY": _READONLY,
    "SQLITE_CANTOPEN": _CANTOPEN,
    "SQLITE_FULL": _FULL,
    "SQLITE_IOERR": _IOERR,
    "SQLITE_BUSY": _BUSY,
    "SQLITE_LOCKED": _BUSY,
}
#: The same from SQLite's message, for errors that carry no result code.
_SQLITE_TEXT = {
    "file is not a database": _CORRUPT,
    "malformed": _CORRUPT,
    "readonly": _READONLY,
    "unable to open database file": _CANTOPEN,
    "disk i/o error": _IOERR,
    "database or disk is full": _FULL,
    "database is locked": _BUSY,
}
#: PostgreSQL's SQLSTATE codes (its manual, appendix A), by prefix.
_POSTGRES = {
    "25006": _READONLY,  # read_only_sql_transaction: a standby, default_transaction_read_only
    "28": ("connexion refusée par le serveur (identifiant ou mot de passe)", _URL),
    "3D000": ("base introuvable sur le serveur", _URL),
    "42501": ("droits insuffisants sur la base", "vérifier les droits du compte de l'application"),
    "53": ("serveur de base de données saturé (disque, mémoire ou connexions)", "réessayer plus tard"),
    "08": _UNREACHABLE,  # connection exceptions
    "57P": _UNREACHABLE,  # shut down, crashed, not accepting connections yet
    "XX001": _CORRUPT,  # data_corrupted
}


def database_fault(exc: BaseException) -> DatabaseFault:
    """Why the database cannot be used, in French, from what the driver raised (``exc``, one of
    :data:`DATABASE_FAULTS`): the one wording of the pages, the staff page and the command line.

    It tells a local file that is unreadable or corrupted (« fichier de la base illisible ou
    corrompu ») from a server that cannot be reached (« serveur injoignable ») and from a database
    that refuses writes (« base en lecture seule »). The driver's own message, which may hold a path,
    is for the server's log only.
    """
    if isinstance(exc, DatabaseFault):
        return exc
    return DatabaseFault(*_cause(exc.orig if isinstance(exc, sa.exc.DBAPIError) else exc, exc))


def _cause(orig: BaseException, exc: BaseException) -> tuple[str, str]:
    if isinstance(orig, sqlite3.Error):
        name = getattr(orig, "sqlite_errorname", "") or ""
        text = str(orig).lower()
        found = [cause for prefix, cause in _SQLITE.items() if name.startswith(prefix)]
        found += [cause for words, cause in _SQLITE_TEXT.items() if words in text]
        return found[0] if found else _OTHER
    state = getattr(orig, "sqlstate", None)
    found = [cause for prefix, cause in _POSTGRES.items() if isinstance(state, str) and state.startswith(prefix)]
    if found:
        return found[0]
    if isinstance(exc, (sa.exc.ArgumentError, sa.exc.NoSuchModuleError)):
        return _BAD_URL
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError)) or getattr(
        exc, "connection_invalidated", False
    ):
        return _UNREACHABLE  # PostgreSQL: a refused, timed-out or dropped connection carries no SQLSTATE
    return _OTHER
