"""What counts as a loopback endpoint: decided on the URL as written, never by resolving a name."""
from __future__ import annotations

import ipaddress
from urllib.parse import urlparse


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
