"""Helpers for the content API's tests."""

from urllib.parse import urlsplit


def slugs(response) -> list[str]:
    """Return the slugs of the items of a list answer, in order."""
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["items"]]


def local(url: str) -> str:
    """Return an absolute API URL (on SITE_URL) as the test client asks for it: path and query."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def is_problem(response, status: int) -> bool:
    """Return whether *response* is an RFC 9457 problem of *status*, in its every field."""
    body = response.json()
    return (
        response.status_code == status
        and response["Content-Type"] == "application/problem+json"
        and body["status"] == status
        and body["type"] == "about:blank"
        and isinstance(body["title"], str)
        and body["title"]
        and isinstance(body["detail"], str)
        and body["detail"]
    )
