"""A partner's webhook endpoint on 127.0.0.1, and a check of its deliveries' signatures.

The receiver records every request and answers what the test planned (``plan()``): a status,
``HOLD`` (keep the connection open and never answer, as a hung consumer does) or a
:class:`Drip` (an answer sent a header line at a time, slowly), then 200 once the plan runs
out. :func:`verify` checks a request as a receiver would, written here
from the Standard Webhooks specification alone, sharing no code with ``webhooks.signing``.
"""

import base64
import contextlib
import hashlib
import hmac
import json
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOLD = "hold"
# A receiver refuses signatures older or newer than this (replays).
TOLERANCE_SECONDS = 5 * 60


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int | None = None

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class Drip:
    """Answer *status*, then one header line every *every* seconds, *lines* of them."""

    every: float
    lines: int
    status: int = 200


class Receiver:
    """The endpoint; given a server-side *tls* context, it speaks https (SNI names recorded)."""

    def __init__(self, tls: ssl.SSLContext | None = None):
        self.requests: list[Received] = []
        self.server_names: list[str | None] = []
        self.plans: list[Answer | str] = []
        self.released = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = Received(
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    self.rfile.read(length),
                )
                with receiver.lock:
                    receiver.requests.append(request)
                    plan = receiver.plans.pop(0) if receiver.plans else Answer(200)
                if plan == HOLD:
                    receiver.released.wait()
                    self.close_connection = True
                    return
                if isinstance(plan, Drip):
                    request.answered = plan.status
                    self.drip(plan)
                    return
                # Marked before it is sent: the sender may look as soon as the answer is in.
                request.answered = plan.status
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(plan.status)
                    for name, value in plan.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(plan.body)))
                    self.end_headers()
                    self.wfile.write(plan.body)

            def drip(self, plan: Drip):
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.wfile.write(f"HTTP/1.1 {plan.status} Slowly\r\n".encode())
                    self.wfile.flush()
                    for number in range(plan.lines):
                        if receiver.released.wait(plan.every):
                            return
                        self.wfile.write(f"X-Drip-{number}: .\r\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"Content-Length: 0\r\n\r\n")

            def log_message(self, format, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.scheme = "http"
        if tls is not None:
            tls.sni_callback = lambda connection, name, context: self.server_names.append(name)
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str = "/hooks", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def plan(self, *answers) -> None:
        """Answer the next requests with *answers*: statuses, :class:`Answer`s, :class:`Drip`s
        or ``HOLD``."""
        with self.lock:
            self.plans.extend(
                answer if isinstance(answer, Answer | Drip) or answer == HOLD else Answer(answer)
                for answer in answers
            )

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.requests)

    def start(self) -> "Receiver":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def verify(secret: str, request: Received, *, now: float | None = None) -> dict:
    """Check *request*'s signature with *secret* as the specification says; return its JSON.

    Fails the test on a missing header, a timestamp out of tolerance or no matching ``v1``
    signature among those given.
    """
    message_id = request.headers["webhook-id"]
    sent_at = request.headers["webhook-timestamp"]
    assert sent_at.isdigit()
    assert abs((now or time.time()) - int(sent_at)) <= TOLERANCE_SECONDS
    key = base64.b64decode(secret[len("whsec_") :])
    signed = message_id.encode() + b"." + sent_at.encode() + b"." + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    offered = [
        candidate.partition(",")
        for candidate in request.headers["webhook-signature"].split(" ")
        if candidate
    ]
    assert any(
        version == "v1" and hmac.compare_digest(value.encode(), expected)
        for version, _comma, value in offered
    ), "no v1 signature matches"
    return json.loads(request.body)
