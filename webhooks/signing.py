"""Sign a delivery as the Standard Webhooks specification says.

Three headers go with every attempt: ``webhook-id`` (the event's message id, the same on
every attempt), ``webhook-timestamp`` (the attempt's time, in Unix seconds, so that a
receiver can refuse replays) and ``webhook-signature``: ``v1,`` and the base64 of
HMAC-SHA256 over ``{id}.{timestamp}.{body}``, keyed with the bytes the secret's base64 (after
``whsec_``) encodes. During a secret rotation each secret signs, the signatures separated by
spaces, and the receiver accepts the delivery if any one matches.
"""

import base64
import hashlib
import hmac

from webhooks.models import SECRET_PREFIX


def secret_bytes(secret: str) -> bytes:
    """Return the key that *secret* (``whsec_…``) stands for."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return the ``v1,`` signature of *body* sent as *message_id* at *timestamp*."""
    content = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets: list[str], message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Return the three Standard Webhooks headers for one attempt, signed with each secret."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            signature(secret, message_id, timestamp, body) for secret in secrets
        ),
    }
