"""Where webhooks may go, and the one way they are sent there.

A webhook URL is typed by a person and fetched by our server: aimed at ``127.0.0.1``, at a
database on ``10.0.0.5`` or at a cloud's metadata service on ``169.254.169.254``, it would
make the server attack its own network (server-side request forgery). So an endpoint must
resolve only to public addresses: none that is loopback, private, link-local, multicast,
reserved or unspecified, in IPv4 or IPv6, including IPv4 addresses wrapped in IPv6
(``::ffff:127.0.0.1``, 6to4, NAT64), nor in the networks of ``NON_GLOBAL`` that Python's
``ipaddress`` does not flag (site-local, newer documentation ranges, relays and tunnels).
It is checked when the endpoint is registered
(:func:`vet`, from the admin form) and again at every attempt, because DNS can change
between the two: the attempt then connects to exactly the addresses it has just checked,
with the URL's host name in the ``Host`` header and, over https, in TLS's SNI and the
certificate check, so that a name resolving one way for the check and another way for the
connection (DNS rebinding) gets nowhere.

Networks in ``WEBHOOK_ALLOWED_NETWORKS`` are accepted too: consumers inside our own network,
and the tests' receiver on 127.0.0.1. Only there is plain http accepted; anywhere else the
events, their signatures and the partner's answers cross the internet, and https keeps them
from being read or changed on the way.

Redirects are never followed (a 3xx is a failed attempt, as the specification says): the
place a redirect points to was never checked.

An attempt has ``timeout`` seconds in all (:class:`Deadline`): a socket's own timeout
starts again with every byte, so a receiver sending its answer a byte at a time would keep
the attempt, and the worker, for as long as it likes.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# The part of an error answer kept for the admin: enough to read "invalid signature".
RESPONSE_READ_LIMIT = 4096
USER_AGENT = "Newsroom-Webhooks/1"

NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Networks that are not the public internet although Python 3.11's ipaddress calls them
# global (or calls them something misleading), from IANA's special-purpose registries;
# checked first, each with its own reason.
NON_GLOBAL = tuple(
    (ipaddress.ip_network(network), kind)
    for network, kind in (
        ("192.0.0.0/24", _("an IETF protocol")),
        ("192.88.99.0/24", _("a 6to4 relay anycast")),
        ("192.0.2.0/24", _("a documentation")),
        ("198.51.100.0/24", _("a documentation")),
        ("203.0.113.0/24", _("a documentation")),
        ("198.18.0.0/15", _("a benchmarking")),
        ("fec0::/10", _("a site-local (deprecated)")),
        ("2001::/32", _("a Teredo tunnel")),
        ("2001:2::/48", _("a benchmarking")),
        ("2001:db8::/32", _("a documentation")),
        ("3fff::/20", _("a documentation")),
        ("64:ff9b:1::/48", _("a local-use NAT64")),
        ("5f00::/16", _("a segment-routing (SRv6)")),
    )
)
# Why an address is refused, in the order checked: the first that applies is shown.
REFUSED_KINDS = (
    ("is_unspecified", _("an unspecified")),
    ("is_loopback", _("a loopback")),
    ("is_link_local", _("a link-local")),
    ("is_multicast", _("a multicast")),
    ("is_reserved", _("a reserved")),
    ("is_private", _("a private")),
)


class Refused(ValueError):
    """A URL that webhooks may not be sent to; the message says why, for the editor."""


@dataclass(frozen=True)
class Target:
    """A vetted URL: where to connect, and what to ask for once there."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    retry_after: str | None
    location: str | None


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value) for value in settings.WEBHOOK_ALLOWED_NETWORKS]


def is_allowed(address: IPAddress) -> bool:
    """Return whether *address* is in a network the settings allow explicitly."""
    candidates = [address]
    if address.version == 6 and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    return any(
        candidate in network
        for candidate in candidates
        for network in allowed_networks()
        if candidate.version == network.version
    )


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """Return the IPv4 addresses an IPv6 *address* carries to (mapped, 6to4, NAT64).

    Teredo (2001::/32) is refused whole (``NON_GLOBAL``): its embedded server and client
    addresses are often nonsense (2001::1 would name 0.0.0.0).
    """
    found = [address.ipv4_mapped, address.sixtofour]
    if address in NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return [embedded for embedded in found if embedded is not None]


def refused_kind(address: IPAddress):
    """Return why *address* is refused ("a loopback", …), or None for a public address."""
    for network, kind in NON_GLOBAL:
        if address.version == network.version and address in network:
            return kind
    if address.version == 6:
        for embedded in embedded_ipv4(address):
            kind = refused_kind(embedded)
            if kind is not None:
                return kind
    for attribute, kind in REFUSED_KINDS:
        if getattr(address, attribute):
            return kind
    if not address.is_global:
        return _("a non-public")
    return None


def split(url: str) -> tuple[str, str, int, str]:
    """Return the scheme, host (ASCII), port and path of *url*, or raise :class:`Refused`."""
    url = url.strip()
    if any(character.isspace() or not character.isprintable() for character in url):
        raise Refused(_("The URL may not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Refused(_("Give a full URL starting with https://."))
    if parts.username is not None or parts.password is not None:
        raise Refused(
            _("Leave out the user name and password: the signature tells the receiver who sent it.")
        )
    if not parts.hostname:
        raise Refused(_("The URL has no host name."))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise Refused(_("The host name is not valid.")) from None
    if port == 0:
        raise Refused(_("The URL's port is not valid."))
    # The request line is ASCII: anything else is percent-encoded, escapes already there kept.
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def resolve(host: str, port: int) -> list[str]:
    """Return the addresses *host* resolves to (tests replace this to play DNS)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in found))


def vet(url: str) -> Target:
    """Return where *url* leads, if webhooks may go there; raise :class:`Refused` if not.

    Every address the host resolves to must be public, or in an allowed network: an
    attacker's name that resolves to one public and one private address is refused.
    """
    scheme, host, port, path = split(url)
    try:
        found = resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        raise Refused(_("%(host)s could not be resolved.") % {"host": host}) from None
    if not found:
        raise Refused(_("%(host)s could not be resolved.") % {"host": host})
    addresses = []
    for text in found:
        # An IPv6 zone ("fe80::1%eth0") is link-local anyway; the address decides.
        address = ipaddress.ip_address(text.partition("%")[0])
        if is_allowed(address):
            addresses.append(text)
            continue
        kind = refused_kind(address)
        if kind is not None:
            raise Refused(
                _(
                    "%(host)s resolves to %(address)s, %(kind)s address: webhooks only go to "
                    "the public internet, unless the site's operators allow that network."
                )
                % {"host": host, "address": address, "kind": kind}
            )
        if scheme != "https":
            raise Refused(_("Use https://: plain http is only for allowed internal networks."))
        addresses.append(text)
    return Target(scheme, host, port, path, tuple(addresses))


class Deadline:
    """The end of one attempt: steps wait only what is left, and a timer cuts it off.

    Every step (connecting, the TLS handshake, sending, the answer's headers and body) gets
    the time left as its socket timeout; at the deadline a timer shuts the connection's
    socket down, which ends whatever step is waiting, however the receiver drips its bytes.
    """

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.sock: socket.socket | None = None
        self.cut = False
        self.finished = False
        self.timer = threading.Timer(seconds, self.expire)
        self.timer.daemon = True
        self.timer.start()

    @property
    def passed(self) -> bool:
        return self.cut or time.monotonic() >= self.at

    def left(self) -> float:
        """Return the seconds left; raise TimeoutError if none are."""
        left = self.at - time.monotonic()
        if self.cut or left <= 0:
            raise TimeoutError("The attempt's deadline passed.")
        return left

    def watch(self, sock: socket.socket) -> None:
        """Shut *sock* down at the deadline (the connection's socket, once it exists)."""
        with self.lock:
            if self.cut:
                raise TimeoutError("The attempt's deadline passed.")
            self.sock = sock
        sock.settimeout(self.left())

    def expire(self) -> None:
        with self.lock:
            if self.finished:
                return
            self.cut = True
            if self.sock is not None:
                # socket.socket's own shutdown, also for a TLS socket: it cuts the TCP
                # connection under the TLS layer, without touching TLS's state, which the
                # thread waiting on it still uses.
                with contextlib.suppress(OSError):
                    socket.socket.shutdown(self.sock, socket.SHUT_RDWR)

    def stop(self) -> None:
        """End the watch, before the socket is closed (its number may then be reused)."""
        with self.lock:
            self.finished = True
        self.timer.cancel()


def connect(addresses: tuple[str, ...], port: int, deadline: Deadline) -> socket.socket:
    """Return a socket connected to the first of *addresses* that answers in time.

    Each address gets an equal share of the time left, so that one that never answers (a
    broken IPv6 route, say) leaves time for the next.
    """
    error = None
    for index, address in enumerate(addresses):
        share = deadline.left() / (len(addresses) - index)
        try:
            sock = socket.create_connection((address, port), timeout=share)
        except OSError as failed:
            error = failed
            continue
        try:
            deadline.watch(sock)
        except BaseException:
            sock.close()
            raise
        return sock
    raise error or OSError("no address to connect to")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to vetted addresses, whatever the host name resolves to now."""

    def __init__(self, target: Target, deadline: Deadline):
        super().__init__(target.host, target.port)
        self.addresses = target.addresses
        self.deadline = deadline

    def connect(self):
        self.sock = connect(self.addresses, self.port, self.deadline)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to vetted addresses; SNI and the certificate check use the name."""

    def __init__(self, target: Target, deadline: Deadline, context: ssl.SSLContext):
        super().__init__(target.host, target.port, context=context)
        self.addresses = target.addresses
        self.deadline = deadline
        self.tls = context

    def connect(self):
        sock = connect(self.addresses, self.port, self.deadline)
        try:
            # The handshake is made once the TLS socket is watched: a receiver dripping it
            # is cut off at the deadline too.
            wrapped = self.tls.wrap_socket(
                sock, server_hostname=self.host, do_handshake_on_connect=False
            )
        except BaseException:
            sock.close()
            raise
        try:
            self.deadline.watch(wrapped)
            wrapped.do_handshake()
        except BaseException:
            wrapped.close()
            raise
        self.sock = wrapped


def tls_context() -> ssl.SSLContext:
    """Return the TLS settings for endpoints: the system's CAs, host names checked."""
    return ssl.create_default_context()


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Response:
    """POST *body* to *target* and return its answer; raise OSError (or HTTPException) if none.

    The whole exchange, connection to answer, takes *timeout* seconds at most: past them it
    raises TimeoutError, even if the answer's status had come. An error answer's body is read
    up to ``RESPONSE_READ_LIMIT`` bytes, as far as it came by then.
    """
    deadline = Deadline(timeout)
    if target.scheme == "https":
        connection = PinnedHTTPSConnection(target, deadline, tls_context())
    else:
        connection = PinnedHTTPConnection(target, deadline)
    try:
        try:
            connection.request(
                "POST",
                target.path,
                body=body,
                headers={
                    **headers,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "Connection": "close",
                },
            )
            answer = connection.getresponse()
        except (OSError, http.client.HTTPException):
            if deadline.passed:
                raise TimeoutError("No complete answer before the deadline.") from None
            raise
        if deadline.passed:
            # Cut off while its headers came: http.client takes the cut for their end.
            raise TimeoutError("No complete answer before the deadline.")
        content = b""
        if not 200 <= answer.status < 300:
            with contextlib.suppress(OSError, http.client.HTTPException):
                while len(content) < RESPONSE_READ_LIMIT and not deadline.passed:
                    chunk = answer.read1(RESPONSE_READ_LIMIT - len(content))
                    if not chunk:
                        break
                    content += chunk
        return Response(
            status=answer.status,
            body=content,
            retry_after=answer.getheader("Retry-After"),
            location=answer.getheader("Location"),
        )
    finally:
        deadline.stop()
        connection.close()
