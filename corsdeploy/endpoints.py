"""What counts as a loopback endpoint: decided on the URL as written, never by resolving a name."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlparse, urlsplit

_MAX_PORT = 65535


def is_loopback_host(host: str) -> bool:
    """Only `localhost` or a literal loopback address: `127.0.0.1.nip.io` is a name anyone can point."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str) -> bool:
    return is_loopback_host(urlparse(url).hostname or "")


def url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint (the schema has checked its scheme), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:  # an unclosed [, or a port that is not a number or too large
        if str(error).startswith("Port"):
            return f"has an invalid port; ports are 1 to {_MAX_PORT}"
        return f"is not a valid URL ({error})"
    if not parts.hostname:
        return "has no host name"
    if port is not None and not 0 < port <= _MAX_PORT:
        return f"has port {port}; ports are 1 to {_MAX_PORT}"
    return None
