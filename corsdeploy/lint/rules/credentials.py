"""Rules about what trusted origins may do: credentials, methods, and `*` where browsers read it literally.

Rationale and examples: docs/cors-security.md §1, §6 (CDL020, CDL021, CDL030).
"""
from __future__ import annotations

from collections.abc import Iterator

from corsdeploy import limits
from corsdeploy.lint.origin import WILDCARD
from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.lint.rules.fields import CREDENTIAL_KINDS, field_path, rules, shown, values
from corsdeploy.model import CorsRule, Kind, Resource

# Methods that change state (RFC 9110 safe methods are GET, HEAD, OPTIONS, TRACE).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Every method a service accepts in its list, where it has a fixed set (facts §1.2, §4.2).
EVERY_METHOD = {
    Kind.S3_BUCKET: frozenset(limits.S3_METHODS),
    Kind.FUNCTION_URL: frozenset(limits.LAMBDA_METHODS) - {WILDCARD},
}
_WHY_REFUSED = {
    Kind.HTTP_API: "API Gateway rejects it (allow-credentials is not supported if allow-origin is *)",
    Kind.REST_API: "browsers refuse a credentialed response whose Access-Control-Allow-Origin is '*'",
    Kind.FUNCTION_URL: "browsers refuse a credentialed response whose Access-Control-Allow-Origin is '*'",
}


def _credentialed(rule: CorsRule) -> bool:
    return rule.allow_credentials is True


class CredentialsWithWildcardOrigin(Rule):
    id = "CD201"
    name = "credentials-with-wildcard-origin"
    severity = Severity.ERROR
    description = ("AllowCredentials: true with the origin '*' cannot work: API Gateway rejects it on HTTP "
                   "APIs and browsers refuse credentialed responses that allow '*'.")
    fix = "List the origins that need credentials, or drop AllowCredentials."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if resource.kind not in CREDENTIAL_KINDS:
            return
        for rule, origin in values(resource, "allowed_origins"):
            if origin.value == WILDCARD and _credentialed(rule):
                yield self.finding(resource, f"{origin.field} '*' with AllowCredentials: true: "
                                             f"{_WHY_REFUSED[resource.kind]}; list the origins instead",
                                   *origin.path)


class OverbroadMethods(Rule):
    id = "CD202"
    name = "overbroad-methods"
    severity = Severity.WARNING
    description = ("Allowing every method, or state-changing methods (PUT, POST, DELETE, PATCH) to wildcard "
                   "origins, lets other sites write and delete through their visitors' browsers.")
    fix = "Allow the methods the client uses, and state-changing ones only to exact origins."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        for rule, rule_path in rules(resource):
            field, path = field_path(resource, rule_path, "allowed_methods")
            methods = rule.allowed_methods
            every = EVERY_METHOD.get(resource.kind)
            if WILDCARD in methods:
                yield self.finding(resource, f"{field} '*' allows every method, DELETE and PATCH included",
                                   *path, methods.index(WILDCARD))
            elif every is not None and every <= set(methods):
                yield self.finding(resource, f"{field} {', '.join(methods)} lists every method the service "
                                             "allows", *path)
            else:
                yield from self._unsafe_for_wildcards(resource, rule, field, path)

    def _unsafe_for_wildcards(self, resource: Resource, rule: CorsRule, field: str,
                              path: tuple[str | int, ...]) -> Iterator[Finding]:
        broad = next((o for o in rule.allowed_origins if WILDCARD in o), None)
        unsafe = [(i, m) for i, m in enumerate(rule.allowed_methods) if m.upper() not in SAFE_METHODS]
        if broad is None or not unsafe:
            return
        named = ", ".join(shown(m) for _, m in unsafe)
        message = (f"{field} {named} for the wildcard origin {shown(broad)}: every site it matches may "
                   f"send {named} requests with its visitors' browsers")
        yield self.finding(resource, message, *path, unsafe[0][0])


_LITERAL_STAR = {
    "allowed_headers": "so a preflight asking for any header fails (and Authorization must always be named); "
                       "list the headers",
    "allowed_methods": "so only GET, HEAD and POST pass with credentials; list the methods",
    "expose_headers": "so scripts can read none of the response headers; list them",
}


class WildcardWithCredentials(Rule):
    id = "CD203"
    name = "wildcard-with-credentials"
    severity = Severity.WARNING
    description = ("With AllowCredentials: true, browsers read '*' in AllowHeaders, AllowMethods and "
                   "ExposeHeaders as a name, not a wildcard, so credentialed requests silently fail.")
    fix = "Name the headers and methods the client uses."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if resource.kind not in CREDENTIAL_KINDS:
            return
        for attribute, consequence in _LITERAL_STAR.items():
            for rule, written in values(resource, attribute):
                if written.value == WILDCARD and _credentialed(rule):
                    message = (f"{written.field} '*' with AllowCredentials: true is taken literally by "
                               f"browsers on credentialed requests, {consequence}")
                    yield self.finding(resource, message, *written.path)


CREDENTIAL_RULES: tuple[type[Rule], ...] = (CredentialsWithWildcardOrigin, OverbroadMethods,
                                            WildcardWithCredentials)
