"""Errors as ``application/problem+json`` (RFC 9457): one shape for every error of the API.

``type`` is ``about:blank`` throughout, so ``title`` is the HTTP status phrase and ``detail``
says what went wrong with this request; a request whose parameters were refused also gets
``errors``, one entry per parameter (``loc`` as in ``["query", "limit"]``). The operations
raise :class:`ApiProblem`; ``api.middleware.ProblemDetailsMiddleware`` rewrites whatever else
answers an error under ``/api/`` (Django's 404 and 500 pages, a refused method, a 503).
"""

import json
from http import HTTPStatus

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, Field

PROBLEM_CONTENT_TYPE = "application/problem+json"

# What a request with refused parameters is told; each parameter is in ``errors``.
PARAMETERS_REFUSED = _("Some parameters were refused: see errors.")
DEFAULT_DETAILS = {
    # Any other 400 (a request Django refused before any operation read it) has no errors.
    400: _("The request was refused as malformed."),
    401: _("The API key was refused."),
    404: _("There is nothing at this address in the API."),
    405: _("This address only answers the methods listed in Allow."),
    429: _("Too many requests from this client: wait as Retry-After says."),
    500: _("Something went wrong on our side; it has been logged."),
    503: _("The service is unavailable for a moment: try again as Retry-After says."),
}


class ProblemError(BaseModel):
    """One refused parameter."""

    loc: list[str | int] = Field(description="Where: the location and the parameter's name.")
    msg: str = Field(description="What is wrong with it.")
    type: str = Field(description="A short machine-readable kind of error.")


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field("about:blank", description="Always about:blank: see title and status.")
    title: str = Field(description="The HTTP status phrase.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    errors: list[ProblemError] | None = Field(
        None, description="For refused parameters: one entry for each."
    )


class ApiProblem(Exception):
    """An error answer to raise from an operation: its status, detail and extra headers."""

    def __init__(self, status: int, detail: str = "", *, errors=None, headers=None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


def title_of(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def problem_body(status: int, detail: str = "", *, errors=None) -> bytes:
    body = {
        "type": "about:blank",
        "title": title_of(status),
        "status": status,
        "detail": str(detail or DEFAULT_DETAILS.get(status, title_of(status))),
    }
    if errors is not None:
        body["errors"] = errors
    return json.dumps(body, ensure_ascii=False).encode()


def problem_response(status: int, detail: str = "", *, errors=None, headers=None) -> HttpResponse:
    """Return the problem+json answer for *status* (see the module docstring)."""
    response = HttpResponse(
        problem_body(status, detail, errors=errors),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def is_problem(response) -> bool:
    return response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE)


def parameter_error(location: str, name: str, message: str, kind: str) -> dict:
    """Return one entry of ``errors`` for the parameter *name* (in the query or the path)."""
    return {"loc": [location, name], "msg": str(message), "type": kind}
