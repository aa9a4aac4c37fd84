"""API errors as DigitalOcean renders them: ``{"id", "message", "request_id"}``.

Models raise these; the dispatcher renders them. One class per error id.
"""

from __future__ import annotations


class ApiError(Exception):
    status: int = 500
    error_id: str = "server_error"
    default_message: str = "Server Error"

    def __init__(self, message: str | None = None, *, headers: dict[str, str] | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.headers = headers or {}


class BadRequest(ApiError):
    status, error_id, default_message = 400, "bad_request", "The request could not be understood."


class Unauthorized(ApiError):
    status, error_id, default_message = 401, "unauthorized", "Unable to authenticate you"


class Forbidden(ApiError):
    status, error_id, default_message = 403, "forbidden", "You do not have access for the attempted action."


class NotFound(ApiError):
    status, error_id, default_message = 404, "not_found", "The resource you were accessing could not be found."


def not_found(what: str, ref, where: str = "") -> NotFound:
    """The API's 404 for a missing resource, ``The <what> <ref> could not be found[ <where>].``: the one place the
    sentence is written. ``Backend.get_or_404`` raises it for a record of a table; a family that finds a resource
    some other way (by name, in a list) raises it too, never a sentence of its own."""
    return NotFound(f"The {what} {ref} could not be found{' ' + where if where else ''}.")


class MethodNotAllowed(ApiError):
    status, error_id, default_message = 405, "method_not_allowed", "Method not allowed."


class Conflict(ApiError):
    status, error_id, default_message = 409, "conflict", "The request conflicts with the current state."


class PreconditionFailed(ApiError):
    status, error_id, default_message = 412, "precondition_failed", "Precondition failed."


class Unprocessable(ApiError):
    status, error_id, default_message = 422, "unprocessable_entity", "The request could not be processed."


class TooManyRequests(ApiError):
    status, error_id, default_message = 429, "too_many_requests", "API Rate limit exceeded."


class ServerError(ApiError):
    status, error_id, default_message = 500, "server_error", "Server Error"


class ServiceUnavailable(ApiError):
    status, error_id, default_message = 503, "service_unavailable", "Service Unavailable"


ERRORS_BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        Conflict,
        PreconditionFailed,
        Unprocessable,
        TooManyRequests,
        ServerError,
        ServiceUnavailable,
    )
}


def error_for_status(status: int, message: str | None = None) -> ApiError:
    """An error of the class registered for ``status`` (a generic one for other codes)."""
    cls = ERRORS_BY_STATUS.get(status)
    if cls is None:
        err = ApiError(message or f"Injected error {status}")
        err.status = status
        err.error_id = "server_error" if status >= 500 else "error"
        return err
    return cls(message)


def require(body: dict, *fields: str) -> None:
    """422 naming the first missing (absent, null or empty) field, as the API does."""
    for field in fields:
        value = body.get(field)
        if value is None or value == "" or value == []:
            raise Unprocessable(f"{field} is required")


def require_enum(body: dict, field: str, allowed, *, optional: bool = False) -> None:
    """422 when ``body[field]`` is not one of ``allowed``."""
    value = body.get(field)
    if value in (None, "") and optional:
        return
    if value not in allowed:
        raise Unprocessable(f"{field} must be one of {', '.join(map(str, allowed))}; got {value!r}")
