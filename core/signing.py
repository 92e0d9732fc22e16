"""HMAC-SHA256 signatures for outbound HTTP payloads (webhooks, delivery connectors).

The signed message is ``"{timestamp}.{body}"`` so a captured request cannot be replayed later
with a new timestamp; receivers check the signature and that the timestamp is recent.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Firebreak-Signature"
TIMESTAMP_HEADER = "X-Firebreak-Timestamp"


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return {SIGNATURE_HEADER: f"sha256={digest.hexdigest()}", TIMESTAMP_HEADER: str(timestamp)}


def verify(secret: str, body: bytes, headers: dict, *, tolerance: int = 300) -> bool:
    try:
        timestamp = int(headers[TIMESTAMP_HEADER])
        given = headers[SIGNATURE_HEADER]
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp)[SIGNATURE_HEADER]
    return hmac.compare_digest(expected, given)
