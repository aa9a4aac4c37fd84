"""The domain errors every command raises, and the one adapter from PyDo's HTTP errors.

Commands never print tracebacks for these: ``do_platform.cli.main`` renders message and hint.
"""

from __future__ import annotations

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from do_platform.exit_codes import ExitCode


class PlatformError(Exception):
    """Base: a message for the user and an optional next step."""

    exit_code: int = ExitCode.ERROR
    status: int | None = None  # the HTTP status, when the error is an API answer (set by from_http_error)

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(PlatformError):
    """Bad stack config, flag or environment: the message names the key and what is allowed."""


class NotFound(PlatformError):
    """A named thing (registry, stack, digest) does not exist."""


class ApiFailure(PlatformError):
    """The API answered with an error we cannot recover from."""


class TokenRejected(ConfigError):
    """The API answered 401: the token is wrong, expired or revoked (one exit code in every command)."""

    exit_code = ExitCode.TOKEN_REJECTED


class PreflightFailed(PlatformError):
    """One or more preflight checks failed."""

    exit_code = ExitCode.CHECKS_FAILED


class PromotionBlocked(PlatformError):
    """A promotion was refused (order, missing digest, uncommitted edits)."""


def is_not_found(body: object) -> bool:
    """PyDo hands a documented 404 back as the error body (``{"id": "not_found", ...}``) instead of raising."""
    return isinstance(body, dict) and body.get("id") == "not_found"


def from_http_error(exc: Exception, what: str = "request") -> PlatformError:
    """Turn a PyDo/azure-core error into a PlatformError without leaking headers or tokens."""
    if isinstance(exc, PlatformError):  # already translated further down: keep its kind (and exit code)
        err = type(exc)(f"{what}: {exc.message}", exc.hint)
        err.status = exc.status
        return err
    if isinstance(exc, HttpResponseError):
        err = _from_status(getattr(exc, "status_code", None), exc, what)
        err.status = getattr(exc, "status_code", None)
        return err
    if isinstance(exc, ServiceRequestError):
        return ApiFailure(f"{what}: could not reach the API: {exc}", "check --api-url / DIGITALOCEAN_API_URL")
    if isinstance(exc, ServiceResponseError):
        return ApiFailure(f"{what}: the API did not answer: {exc}", "retry later, or check --api-url / "
                          "DIGITALOCEAN_API_URL")
    return ApiFailure(f"{what}: {exc}")


def _from_status(status: int | None, exc: HttpResponseError, what: str) -> PlatformError:
    message = getattr(getattr(exc, "error", None), "message", None) or exc.reason or str(exc)
    if status == 401:
        return TokenRejected(f"{what}: the API rejected the token (401)",
                           "check DIGITALOCEAN_TOKEN; it may be expired or revoked")
    if status == 404:
        return NotFound(f"{what}: not found (404)")
    return ApiFailure(f"{what}: API error {status}: {message}")
