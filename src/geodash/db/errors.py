"""What the staff workspace can refuse, each with a French message the page can show as it is."""

from __future__ import annotations

__all__ = ["StoreError", "NotFound", "ValidationError", "Conflict", "AuthError", "Throttled", "SessionExpired"]


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

    def __init__(self, current, expected_version: int, changes: list):
        self.current = current
        self.expected_version = expected_version
        self.changes = list(changes)
        last = self.changes[-1] if self.changes else None
        who = f" par {last.author} le {last.at:%d/%m/%Y à %H:%M} UTC" if last else ""
        super().__init__(
            f"Le financement {current.id} a été modifié{who} depuis que vous l'avez ouvert "
            f"(version {expected_version} → {current.version}) : vos modifications n'ont pas été enregistrées. "
            "Comparez avec la version actuelle puis enregistrez à nouveau."
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
