"""An origin pattern taken apart: its scheme, host, port, anything after them, and how far its `*` reaches.

A browser sends a serialized origin, `scheme://host[:port]` in lowercase, and S3 compares a pattern
with it as a glob: one `*` standing for any run of characters (possibly none), anchored at both ends
(facts §1.3). So what a pattern can match follows from where its `*` sits, which is all this module
works out. Pure string work: it says what a pattern can match, not whether a service accepts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

WILDCARD = "*"
SEPARATOR = "://"
NULL = "null"
# Stand-ins an attacker could use for the `*`, to show a concrete origin a pattern lets in.
_ATTACKER_LABEL = "evil"
_ATTACKER_DOMAIN = "evil.net"
_ATTACKER_PORT = "8443"
_EXAMPLE_SCHEME = "https"
# A `*` after any start of this stands for the scheme of web origins (http and https alike).
_WEB_SCHEME = "https"


class Reach(Enum):
    """Which hosts a pattern's `*` lets in."""

    NOTHING = "nothing"  # no scheme and no `*` where one goes: no browser origin matches (`example.com`)
    EXACT = "exact"  # no `*` in the host
    ANY_HOST = "any host"  # https://*
    SUBDOMAINS = "subdomains"  # https://*.example.com, https://app-*.example.com
    OPEN_DOMAIN = "open domain"  # https://*example.com, https://*.com: the registrable name is the attacker's
    OPEN_END = "open end"  # https://example.com*, https://app.example.*: any domain can follow


@dataclass(frozen=True)
class OriginPattern:
    """One AllowedOrigins entry, as written and taken apart."""

    text: str
    # As written before "://"; None when a `*` stands for (part of) it or the pattern has no "://".
    scheme: str | None
    # The host; when the `*` spans the "://" (`*.example.com`) it leads the host.
    host: str
    port: str | None
    rest: str  # a path, query or fragment after the host and port ("" in a real origin)
    # A `*` stands for (part of) the scheme, so the pattern matches http:// and https:// origins alike.
    open_scheme: bool

    @property
    def schemeless(self) -> bool:
        """No "://" and no `*` to stand for it, so no browser origin can match (`example.com`)."""
        return self.scheme is None and not self.open_scheme

    @property
    def reach(self) -> Reach:
        if self.schemeless:
            return Reach.NOTHING
        star = self.host.rfind(WILDCARD)
        if star < 0:
            return Reach.EXACT
        before, after = self.host[:star], self.host[star + 1:]
        if not after:
            return Reach.ANY_HOST if not before.strip(WILDCARD) else Reach.OPEN_END
        # Without the Public Suffix List any domain of two labels counts as one owner's, so `*.co.uk`
        # reads as subdomains of co.uk rather than an open domain: a known blind spot.
        return Reach.SUBDOMAINS if "." in self.fixed_domain else Reach.OPEN_DOMAIN

    @property
    def fixed_domain(self) -> str:
        """For a host with a `*`, the domain every matching host lies under: what follows the last `*`,
        less the label the `*` is part of (`*.example.com`, `app-*.example.com` -> `example.com`;
        `*example.com` -> `com`)."""
        after = self.host[self.host.rfind(WILDCARD) + 1:]
        if after.startswith("."):
            return after[1:]
        return after.partition(".")[2]

    @property
    def fixed_suffix(self) -> str:
        """The literal end of the host after its last `*` (the whole host when it has none), without
        a leading dot: every matching host ends with it."""
        return self.host[self.host.rfind(WILDCARD) + 1:].lstrip(".")

    def example(self) -> str:
        """An origin this pattern matches, with the attacker's name where the `*` is."""
        host = self.host
        if self.reach is Reach.OPEN_END:
            filler = _ATTACKER_DOMAIN if host.rstrip(WILDCARD).endswith(".") else "." + _ATTACKER_DOMAIN
            host = host[:-1] + filler
        host = host.replace(WILDCARD, _ATTACKER_LABEL)
        scheme = self.scheme if self.scheme is not None and not self.open_scheme else _EXAMPLE_SCHEME
        port = "" if self.port is None else ":" + self.port.replace(WILDCARD, _ATTACKER_PORT)
        return f"{scheme}{SEPARATOR}{host}{port}"


def parse_origin(text: str) -> OriginPattern:
    """Take an AllowedOrigins entry apart (any string: nothing here refuses one)."""
    before_star, star, after_star = text.partition(WILDCARD)
    if star and _WEB_SCHEME.startswith(before_star):
        # The `*` comes where the scheme is (`*.example.com`, `http*://...`): it stands for (part of) it.
        if SEPARATOR in after_star:
            return _with_authority(text, None, after_star.partition(SEPARATOR)[2], open_scheme=True)
        return _with_authority(text, None, WILDCARD + after_star, open_scheme=True)
    scheme, separator, after = text.partition(SEPARATOR)
    if not separator:
        return _with_authority(text, None, text, open_scheme=False)
    return _with_authority(text, scheme, after, open_scheme=False)


def _with_authority(text: str, scheme: str | None, after: str, open_scheme: bool) -> OriginPattern:
    end = min((i for i in (after.find(c) for c in "/?#") if i >= 0), default=len(after))
    host, port = _host_and_port(after[:end])
    return OriginPattern(text, scheme, host, port, after[end:], open_scheme)


def _host_and_port(authority: str) -> tuple[str, str | None]:
    if authority.startswith("["):  # an IPv6 literal holds ':' of its own
        close = authority.find("]")
        tail = authority[close + 1:] if close >= 0 else ""
        if close >= 0 and (not tail or tail.startswith(":")):
            return authority[: close + 1], tail[1:] if tail else None
        return authority, None
    host, colon, port = authority.rpartition(":")
    return (host, port) if colon else (authority, None)
