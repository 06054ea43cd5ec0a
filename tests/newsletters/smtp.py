"""A real SMTP server for tests: aiosmtpd on a free loopback port, keeping what arrives.

Mail goes out through Django's SMTP backend over a socket, exactly as in production, and the
test reads the messages as a mail program would (``email`` parsed, headers and parts).
"""

import email
import email.policy
import re
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """One message as the server took it: the envelope's recipients and the parsed mail."""

    recipients: list[str]
    message: EmailMessage

    @property
    def to(self) -> str:
        return self.recipients[0]

    def part(self, content_type: str) -> str:
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        if found is None or found.get_content_type() != content_type:
            return ""
        return found.get_content()

    @property
    def text(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")

    def links(self) -> list[str]:
        return re.findall(r"https?://\S+", self.text)

    def link_to(self, fragment: str) -> str:
        return next(link for link in self.links() if fragment in link)


@dataclass
class Keeper:
    """The aiosmtpd handler: keeps every message; may refuse chosen recipients."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self):
        self.keeper = Keeper()
        self.port = free_port()
        self.controller = Controller(self.keeper, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.keeper.lock:
            return list(self.keeper.received)

    def to(self, address: str) -> list[Received]:
        return [message for message in self.messages if address in message.recipients]

    def clear(self) -> None:
        with self.keeper.lock:
            self.keeper.received.clear()

    def settings(self) -> dict:
        """Return the Django settings that send mail here."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_USE_SSL": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
        }
