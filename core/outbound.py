"""Requests to URLs that people outside the code chose (webhook subscriptions, delivery
channels), through an SSRF guard.

Only http(s) URLs without credentials; the host is resolved and every address must be global
(no loopback, private, link-local, CGNAT, multicast, reserved or unspecified address in any
notation) unless ``settings.WEBHOOK_ALLOW_PRIVATE``; the connection goes to the address that
was checked (no second lookup to rebind), and redirects are never followed.
"""

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

from django.conf import settings

TIMEOUT_SECONDS = 10
MAX_ANSWER = 65536  # bytes of an answer read; the rest is ignored


class UnsafeURL(ValueError):
    """The URL is not one Firebreak will call."""


class Unresolvable(UnsafeURL):
    """The host does not resolve (now): refused when subscribing, retried when delivering."""


def _allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
        elif ip.teredo:
            ip = ip.teredo[1]
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the OS resolver also reads 0x7f.1 or 2130706433)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolvable(f"The host '{host}' does not resolve.") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str) -> tuple:
    """Validate ``url``; returns ``(parts, port, address)`` with the address to connect to."""
    if not url or len(url) > 500:
        raise UnsafeURL("Give an http(s) URL of at most 500 characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("The URL is not valid.") from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeURL("Only http and https URLs are allowed.")
    if parts.username or parts.password:
        raise UnsafeURL("The URL must not contain credentials.")
    host = parts.hostname
    if not host:
        raise UnsafeURL("The URL has no host.")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise Unresolvable(f"The host '{host}' does not resolve.")
    if not _allow_private():
        refused = [a for a in addresses if not _is_public(a)]
        if refused:
            raise UnsafeURL(
                f"The host '{host}' resolves to a non-public address ({refused[0]}); "
                "webhooks only go to public addresses."
            )
    return parts, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, address: str, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, address: str, host: str, port: int, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST ``body`` to ``url`` through the guard; returns the status and the first
    ``MAX_ANSWER`` bytes of the answer (redirects are answers, never followed)."""
    parts, port, address = check_url(url)
    cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = cls(address, parts.hostname, port, TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(MAX_ANSWER)
    finally:
        connection.close()
