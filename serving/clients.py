"""The client's address as the site sees it, behind trusted proxies or not.

``DJANGO_TRUST_PROXY_HEADERS=0`` (the default): the address of the connection
(``REMOTE_ADDR``); nothing a client writes in a header counts. ``=1``: when the connection
comes from one of ``DJANGO_TRUSTED_PROXIES``, ``X-Forwarded-For`` is read from the right, past
every hop that is itself a trusted proxy; the first hop that is not is the client. Hops to its
left were written by the client or its own proxies and are never believed. Rate limits, review
fingerprints, preview-link openings, login lockouts and the page cache's per-client budget all
use :func:`client_ip`, so readers behind one load balancer never share one bucket. What
counts clients counts :func:`client_network` of it: an IPv6 client is its /64.
"""

import functools
import ipaddress

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value, strict=False) for value in trusted)


def _address(value: str):
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]  # "[2001:db8::1]:443"
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]  # "203.0.113.7:51234"
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """Return whether *address* is one of the configured trusted proxies."""
    if not settings.TRUST_PROXY_HEADERS:
        return False
    parsed = _address(address)
    if parsed is None:
        return False
    return any(parsed in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_network(address: str) -> str:
    """Return what one client counts as: an IPv4 address, or an IPv6 address's /64.

    An IPv6 subscriber is given a whole /64 (or more) and may use any address in it, a new
    one per request with privacy extensions: counted alone, each address would be another
    client (another rate-limit budget, another reporter). An IPv4-mapped IPv6 address
    (``::ffff:203.0.113.7``) is its IPv4 address. Anything that is not an address is
    returned as it is.
    """
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
    return str(parsed)


def client_ip(request) -> str:
    """Return the address of the client that sent *request* (see the module docstring)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(remote):
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        parsed = _address(hop)
        if parsed is None:
            # Garbage where an address should be: whatever is left of it is the client's say.
            break
        if not is_trusted_proxy(str(parsed)):
            return str(parsed)
    # Every hop was a trusted proxy (or none was given): the nearest is all we know.
    return remote
