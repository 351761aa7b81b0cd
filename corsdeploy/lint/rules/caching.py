"""How long browsers keep a preflight answer (docs/cors-security.md §1 and §6 CDL042, from MDN [B20])."""
from __future__ import annotations

from collections.abc import Iterator

from corsdeploy.lint.rule import Finding, LintContext, Rule, Severity
from corsdeploy.lint.rules.fields import field_path, rules
from corsdeploy.model import Resource

# Browsers cap Access-Control-Max-Age: Chromium (since 76) at 7200 s, Firefox at 86400 s.
CHROMIUM_MAX_AGE_SECONDS = 7200
FIREFOX_MAX_AGE_SECONDS = 86400


class MaxAgeBeyondBrowserCap(Rule):
    id = "CD403"
    name = "max-age-beyond-browser-cap"
    severity = Severity.INFO
    description = (f"Browsers keep a preflight answer at most {CHROMIUM_MAX_AGE_SECONDS} s (Chromium) or "
                   f"{FIREFOX_MAX_AGE_SECONDS} s (Firefox), so a longer max age saves no more preflights.")
    fix = f"Use {CHROMIUM_MAX_AGE_SECONDS} seconds or less."

    def check(self, resource: Resource, context: LintContext) -> Iterator[Finding]:
        for rule, rule_path in rules(resource):
            if rule.max_age is None or rule.max_age <= CHROMIUM_MAX_AGE_SECONDS:
                continue
            field, path = field_path(resource, rule_path, "max_age")
            yield self.finding(resource, f"{field} {rule.max_age} is longer than browsers keep a preflight "
                                         f"answer: Chromium at most {CHROMIUM_MAX_AGE_SECONDS} s, Firefox at "
                                         f"most {FIREFOX_MAX_AGE_SECONDS} s", *path)


CACHING_RULES: tuple[type[Rule], ...] = (MaxAgeBeyondBrowserCap,)
