"""Rules about who is trusted: each judges the AllowedOrigins / AllowOrigins entries one by one.

Rationale and examples: docs/cors-security.md §3 (classes) and §6 (CDL001-CDL010).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import ClassVar

from corsdeploy.lint.origin import NULL, SEPARATOR, WILDCARD, OriginPattern, Reach, parse_origin
from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.lint.rules.fields import WILDCARD_KINDS, Written, origins, shown
from corsdeploy.model import Kind, Resource

# Hosts where anyone can publish a site, from docs/cors-security.md §6 CDL008: CORScanner's
# third-party list ([B7]), "Trust of all S3 buckets" ([B10]) and the extended suffix list there
# (execute-api.*.amazonaws.com and S3's regional endpoints are under amazonaws.com). on.aws holds
# every account's Lambda function URLs (lambda-url.REGION.on.aws, facts §4).
SHARED_HOSTING = (
    "github.com", "github.io", "gitlab.com", "gitlab.io", "pastebin.com", "jsbin.com", "codepen.io",
    "jsfiddle.net", "s3.amazonaws.com", "amazonaws.com", "cloudfront.net", "amplifyapp.com",
    "herokuapp.com", "netlify.app", "vercel.app", "pages.dev", "web.app", "firebaseapp.com",
    "azurewebsites.net", "on.aws",
)
# Public tunnels that expose a developer's machine (docs/cors-security.md §6 CDL010, "tunnels").
TUNNEL_DOMAINS = ("ngrok.io", "ngrok.app", "ngrok-free.app", "loca.lt", "trycloudflare.com", "serveo.net",
                  "lhr.life")
LOCAL_NAMES = ("localhost",)
LOCAL_SUFFIXES = ("localhost", "local")  # RFC 6761 localhost, RFC 6762 mDNS .local
DEFAULT_PORTS = {"https": "443", "http": "80"}
_ANY_SCHEME_EXAMPLE = "http"


def _under(host: str, domains: tuple[str, ...]) -> str | None:
    """The listed domain `host` is or lies under, if any."""
    host = host.lower()
    return next((d for d in domains if host == d or host.endswith("." + d)), None)


def _said(origin: Written) -> str:
    return f"{origin.field} {shown(origin.value)}"


class _OriginRule(Rule):
    """A rule that judges each origin of the resources of `kinds` on its own."""

    kinds: ClassVar[frozenset[Kind]] = frozenset(Kind)

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if resource.kind not in self.kinds:
            return
        for origin in origins(resource):
            yield from self.judge(resource, context, origin, parse_origin(origin.value))

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        raise NotImplementedError


class WildcardOrigin(_OriginRule):
    id = "CD101"
    name = "wildcard-origin"
    severity = Severity.WARNING
    description = ("An origin of '*' lets scripts on every website read the responses, which is only right "
                   "for public data.")
    fix = ("List the origins of your own sites, or mark the entry `public: true` if everything it serves "
           "is public.")

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if not resource.public:
            yield from super().check(resource, context)

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if origin.value == WILDCARD:
            message = (f"{_said(origin)} lets scripts on every website read these responses; mark the entry "
                       "`public: true` if its data is public")
            yield self.finding(resource, message, *origin.path)


class SchemeWildcardOrigin(_OriginRule):
    id = "CD102"
    name = "scheme-wildcard-origin"
    severity = Severity.ERROR
    description = ("A pattern such as 'https://*' matches every origin of the scheme and is answered with "
                   "that origin, so every website can read the responses (on S3 with credentials).")
    fix = "List the origins of your own sites."
    kinds = WILDCARD_KINDS

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if origin.value == WILDCARD or pattern.reach is not Reach.ANY_HOST:
            return
        scheme = pattern.scheme if pattern.scheme and not pattern.open_scheme else None
        every = f"every {scheme} origin" if scheme else "every origin"
        # S3 answers every non-`*` match with Access-Control-Allow-Credentials: true (facts §1.4).
        credentialed = resource.kind is Kind.S3_BUCKET or bool(
            resource.cors and resource.cors.rules[0].allow_credentials)
        with_credentials = " with credentials" if credentialed else ""
        yield self.finding(resource, f"{_said(origin)} answers {every}{with_credentials}", *origin.path)


class NullOrigin(_OriginRule):
    id = "CD103"
    name = "null-origin"
    severity = Severity.ERROR
    description = ("The origin 'null' is what sandboxed iframes, data: URLs and local files send, so any "
                   "website can make requests as 'null'.")
    fix = "Remove 'null' and list the real origins of your sites."

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if origin.value == NULL:
            message = (f"{_said(origin)} trusts the origin of every sandboxed iframe, data: URL and local "
                       "file: any website can send requests as 'null' from a sandboxed iframe")
            yield self.finding(resource, message, *origin.path)


class LeadingWildcardLookalike(_OriginRule):
    id = "CD104"
    name = "leading-wildcard-lookalike"
    severity = Severity.ERROR
    description = ("A '*' that is not followed by a dot and a domain of its own (https://*example.com) also "
                   "matches look-alike domains anyone can register (https://evilexample.com).")
    fix = "Write '*.' before the domain (https://*.example.com), or better, list each origin."
    kinds = WILDCARD_KINDS

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if pattern.reach is Reach.OPEN_DOMAIN:
            message = (f"{_said(origin)} matches any host ending in {shown(pattern.fixed_suffix)}, such as "
                       f"{shown(pattern.example())}, a domain anyone can register")
            yield self.finding(resource, message, *origin.path)


class TrailingWildcardLookalike(_OriginRule):
    id = "CD105"
    name = "trailing-wildcard-lookalike"
    severity = Severity.ERROR
    description = ("A '*' at the end of the host (https://example.com*, https://app.example.*) lets any "
                   "domain follow, such as https://example.com.evil.net.")
    fix = "List each origin, with its port where it has one (https://app.example.com:8443)."
    kinds = WILDCARD_KINDS

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if pattern.reach is Reach.OPEN_END:
            start = origin.value.partition(WILDCARD)[0]
            message = (f"{_said(origin)} matches any origin that starts with {shown(start)}, such as "
                       f"{shown(pattern.example())}, a domain anyone can register")
            yield self.finding(resource, message, *origin.path)


class AnySubdomainOrigin(_OriginRule):
    id = "CD106"
    name = "any-subdomain-origin"
    severity = Severity.WARNING
    description = ("A pattern such as https://*.example.com trusts every subdomain, so an XSS or a "
                   "taken-over DNS name on any one of them gets the same access.")
    fix = "List the subdomains that need access."
    kinds = WILDCARD_KINDS

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if pattern.reach is Reach.SUBDOMAINS:
            message = (f"{_said(origin)} trusts every subdomain of {shown(pattern.fixed_domain)} it "
                       f"matches, such as {shown(pattern.example())}: an XSS or a taken-over DNS name on "
                       "any of them gets this access")
            yield self.finding(resource, message, *origin.path)


class SchemelessOrigin(_OriginRule):
    id = "CD107"
    name = "schemeless-origin"
    severity = Severity.WARNING
    description = ("An origin without 'scheme://' either never matches (example.com) or, with a leading '*' "
                   "(*.example.com), matches http:// origins as well as https:// ones.")
    fix = "Write the scheme: https://example.com, https://*.example.com."

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if origin.value in (WILDCARD, NULL, "") or pattern.reach is Reach.ANY_HOST:
            return  # `*`, 'null', '' and scheme-open catch-alls are other rules' findings
        if pattern.schemeless:
            message = (f"{_said(origin)} has no scheme, so it never matches: browsers send origins as "
                       f"scheme://host, e.g. {shown('https://' + origin.value)}")
            yield self.finding(resource, message, *origin.path)
        elif pattern.open_scheme and resource.kind in WILDCARD_KINDS:
            http = _ANY_SCHEME_EXAMPLE + SEPARATOR + pattern.example().partition(SEPARATOR)[2]
            message = (f"{_said(origin)} does not fix the scheme, so it also matches plain http origins "
                       f"such as {shown(http)}, which a network attacker can answer for")
            yield self.finding(resource, message, *origin.path)


def local_host(host: str) -> str | None:
    """What kind of local or development address `host` is (None: a public name)."""
    host = host.lower()
    if host in LOCAL_NAMES or _under(host, LOCAL_SUFFIXES):
        return "local host name"
    tunnel = _under(host, TUNNEL_DOMAINS)
    if tunnel:
        return f"public tunnel ({tunnel})"
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if address.is_loopback:
        return "loopback address"
    if address.is_link_local:
        return "link-local address"
    if address.is_private or address.is_unspecified:
        return "private or reserved address"
    return None


class InsecureHttpOrigin(_OriginRule):
    id = "CD108"
    name = "insecure-http-origin"
    severity = Severity.WARNING
    description = ("In production, a plain http:// origin can be impersonated by anyone on the network path, "
                   "who then reads the responses as that origin.")
    fix = "Use the https:// origin."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if context.production:
            yield from super().check(resource, context)

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        # Local addresses over http are CD109's: they should not be in production at all.
        if pattern.scheme == "http" and not pattern.open_scheme and local_host(pattern.fixed_suffix) is None:
            yield self.finding(resource, f"{_said(origin)} is plain http: anyone on the network path (public "
                                         "Wi-Fi, a proxy) can run script as this origin and read these "
                                         "responses; use https://", *origin.path)


class LocalOriginInProduction(_OriginRule):
    id = "CD109"
    name = "local-origin-in-production"
    severity = Severity.WARNING
    description = ("In production, localhost, loopback, private-network, .local and tunnel origins trust "
                   "whatever runs on developers' machines and local networks.")
    fix = "Keep development origins in the development environment's file."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if context.production:
            yield from super().check(resource, context)

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if pattern.schemeless or origin.value == WILDCARD:
            return
        what = local_host(pattern.fixed_suffix)
        if what:
            yield self.finding(resource, f"{_said(origin)} is a {what} in production environment "
                                         f"{shown(context.environment)}: anything running on a developer's "
                                         "machine or network can read these responses", *origin.path)


class SharedHostingOrigin(_OriginRule):
    id = "CD110"
    name = "shared-hosting-origin"
    severity = Severity.ERROR
    description = ("Origins on domains where anyone can publish a site (github.io, s3.amazonaws.com, "
                   "herokuapp.com, ...) trust every site there when written with '*', and one site's owner "
                   "(or whoever claims its name later) when written exactly.")
    fix = "Serve the client from a domain you control, or list the one exact site and keep it."

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if pattern.reach in (Reach.NOTHING, Reach.ANY_HOST, Reach.OPEN_END):
            return  # the host's end is open: no fixed domain to judge (CD102, CD105 report these)
        domain = _under(pattern.fixed_suffix, SHARED_HOSTING)
        if domain is None:
            return
        if pattern.reach is not Reach.EXACT:
            yield self.finding(resource, f"{_said(origin)} trusts every site on the shared hosting domain "
                                         f"{shown(domain)}, where anyone can publish one, such as "
                                         f"{shown(pattern.example())}", *origin.path)
        else:
            message = (f"{_said(origin)} is on the shared hosting domain {shown(domain)}: it is as trusted "
                       "as whoever publishes there, and a deleted site's name can be claimed by anyone")
            yield self.finding(resource, message, *origin.path, severity=Severity.WARNING)


def unmatchable_reasons(pattern: OriginPattern) -> list[str]:
    """Why no browser origin can equal this pattern (browsers send `scheme://host[:port]`, lowercase)."""
    text = pattern.text
    reasons = []
    if not text:
        reasons.append("is empty")
    if any(c.isspace() for c in text):
        reasons.append("holds whitespace")
    if pattern.rest == "/":
        reasons.append("ends with '/'")
    elif pattern.rest[:1] == "/":
        reasons.append("has a path")
    for mark, what in (("?", "a query"), ("#", "a fragment")):
        if mark in pattern.rest:
            reasons.append(f"has {what}")
    if text != text.lower():
        reasons.append("has uppercase letters")
    if pattern.port is not None and pattern.port == DEFAULT_PORTS.get(pattern.scheme or ""):
        reasons.append(f"names the default port {pattern.port}")
    elif pattern.port is not None and not _port_like(pattern.port):
        reasons.append("has a port that is not a number")
    return reasons


def canonical(pattern: OriginPattern) -> str | None:
    """The origin as a browser would send it, where that can be told."""
    port = pattern.port
    if pattern.scheme is None or not pattern.host.strip() or (port is not None and not _port_like(port)):
        return None
    scheme = pattern.scheme.strip().lower()
    keep_port = port is not None and port != DEFAULT_PORTS.get(scheme)
    return f"{scheme}{SEPARATOR}{pattern.host.strip().lower()}" + (f":{port}" if keep_port else "")


def _port_like(port: str) -> bool:
    return port.isdigit() or WILDCARD in port


class UnmatchableOrigin(_OriginRule):
    id = "CD111"
    name = "unmatchable-origin"
    severity = Severity.WARNING
    description = ("Browsers send an origin as scheme://host[:port] in lowercase, without the default port, "
                   "so an entry with a path, trailing slash, query, fragment, uppercase letters, the default "
                   "port or whitespace never matches and usually hides a typo.")
    fix = "Write the origin exactly as the browser sends it: https://app.example.com."

    def judge(self, resource: Resource, context: LintContext, origin: Written,
              pattern: OriginPattern) -> Iterator[Finding]:
        if origin.value in (WILDCARD, NULL) or (pattern.schemeless and origin.value):
            return  # no scheme: CD107's finding
        reasons = unmatchable_reasons(pattern)
        if not reasons:
            return
        better = canonical(pattern)
        instead = f"; write {shown(better)}" if better and better != origin.value else ""
        yield self.finding(resource, f"{_said(origin)} never matches the origin a browser sends: it "
                                     f"{', '.join(reasons)}{instead}", *origin.path)


ORIGIN_RULES: tuple[type[Rule], ...] = (
    WildcardOrigin, SchemeWildcardOrigin, NullOrigin, LeadingWildcardLookalike, TrailingWildcardLookalike,
    AnySubdomainOrigin, SchemelessOrigin, InsecureHttpOrigin, LocalOriginInProduction, SharedHostingOrigin,
    UnmatchableOrigin,
)
