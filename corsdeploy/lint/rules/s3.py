"""Rules about an S3 bucket's rule list as a whole: rules an earlier one hides, and S3's size limits.

S3 answers with the first rule that matches origin, method and every requested header (facts §1.3);
rationale in docs/cors-security.md §6 (CDL040, CDL041).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence

from corsdeploy import limits
from corsdeploy.config.services import s3_document_bytes
from corsdeploy.lint.origin import WILDCARD
from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.lint.rules.fields import shown
from corsdeploy.model import CorsRule, Kind, Resource
from corsdeploy.shapes import rules_to_s3


def glob_covers(general: str, specific: str) -> bool:
    """Whether every string the pattern `specific` matches also matches `general`, where a pattern holds
    at most one `*` standing for any run of characters, possibly none, anchored at both ends."""
    if general.count(WILDCARD) > 1 or specific.count(WILDCARD) > 1:
        return general == specific  # not S3's language (validate refuses it): only equal ones are sure
    if WILDCARD not in general:
        return general == specific
    prefix, _, suffix = general.partition(WILDCARD)
    if WILDCARD not in specific:
        return (len(specific) >= len(prefix) + len(suffix)
                and specific.startswith(prefix) and specific.endswith(suffix))
    # P2*S2 lies within P*S exactly when P starts P2 and S ends S2: `*` may stand for any run at all.
    head, _, tail = specific.partition(WILDCARD)
    return head.startswith(prefix) and tail.endswith(suffix)


def _each_covered(general: Sequence[str], specific: Sequence[str], fold_case: bool = False) -> bool:
    def fold(text: str) -> str:
        return text.lower() if fold_case else text

    return all(any(glob_covers(fold(g), fold(s)) for g in general) for s in specific)


def matches_all_of(earlier: CorsRule, later: CorsRule) -> bool:
    """Whether `earlier` matches every request `later` matches: each of its origins within one of
    earlier's, its methods among earlier's, each header it allows allowed by earlier (header names
    case-insensitively; a rule without AllowedHeaders allows no requested header, so it covers a later
    rule only when that one has none either)."""
    return (_each_covered(earlier.allowed_origins, later.allowed_origins)
            and set(later.allowed_methods) <= set(earlier.allowed_methods)
            and _each_covered(earlier.allowed_headers, later.allowed_headers, fold_case=True))


def _named(index: int, rule: CorsRule) -> str:
    return f"rule {index}" + (f" ({shown(rule.id)})" if rule.id is not None else "")


class ShadowedS3Rule(Rule):
    id = "CD401"
    name = "shadowed-s3-rule"
    severity = Severity.WARNING
    description = ("S3 answers with the first rule that matches, so a rule whose every request an earlier "
                   "rule already matches is never used (its ExposeHeaders and MaxAgeSeconds never apply).")
    fix = "Remove the later rule, or move the narrower rule first."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        if resource.kind is not Kind.S3_BUCKET or resource.cors is None:
            return
        rules = resource.cors.rules
        for index, rule in enumerate(rules):
            earlier = next((i for i in range(index) if matches_all_of(rules[i], rule)), None)
            if earlier is not None:
                message = (f"{_named(index, rule)} is never used: {_named(earlier, rules[earlier])} comes "
                           "first and matches every request it matches (origins, methods and headers)")
                yield self.finding(resource, message, "cors", index)


class S3Limits(Rule):
    id = "CD402"
    name = "s3-limits"
    severity = Severity.ERROR
    description = (f"S3 refuses a CORS configuration of more than {limits.S3_MAX_RULES} rules or "
                   f"{limits.S3_MAX_DOCUMENT_BYTES // 1024} KB.")
    fix = "Merge rules that differ only in origins or methods, and drop unused ones."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        # validate refuses both before lint sees a resource from a file; the checks stand here for
        # resources built otherwise, and validate's problems carry this rule's id.
        if resource.kind is not Kind.S3_BUCKET or resource.cors is None:
            return
        count = len(resource.cors.rules)
        if count > limits.S3_MAX_RULES:
            yield self.finding(resource, f"{count} rules: S3 allows at most {limits.S3_MAX_RULES}", "cors")
        size = s3_document_bytes(rules_to_s3(resource.cors))
        if size > limits.S3_MAX_DOCUMENT_BYTES:
            yield self.finding(resource, f"the CORS document is {size} bytes as S3 receives it; S3 allows at "
                                         f"most {limits.S3_MAX_DOCUMENT_BYTES} (64 KB)", "cors")


S3_RULES: tuple[type[Rule], ...] = (ShadowedS3Rule, S3Limits)
