"""The smallest change to an environment file that lets a browser request through, proven by the
simulator and judged by lint.

Candidates are built from what the request needs (its origin, method, headers, credentials) added to
one rule (S3: each rule in turn, or a new rule), then shrunk: each edit is dropped if the simulator
still allows the request without it, so what is left is needed. The winner is the cheapest (adding
an origin grants it all a rule allows, so it costs more than a method or a header), checked once
more against the whole configuration (S3's first match), validated as `validate` would, and linted:
the findings the change would add are part of the answer.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from corsdeploy.config import check_data
from corsdeploy.errors import ConfigError
from corsdeploy.lint.rule import Finding
from corsdeploy.model import CorsConfig, CorsRule, Environment, Kind, Location, Resource
from corsdeploy.shapes import rule_to_cors, rules_to_s3
from corsdeploy.simulate.request import Answer, BrowserRequest

Evaluate = Callable[[Resource, BrowserRequest], Answer]
Lint = Callable[[Environment], Sequence[Finding]]

WILDCARD = "*"
# A field of the model, as S3 and as the `Cors` object name it.
_S3_NAMES = {"allowed_origins": "AllowedOrigins", "allowed_methods": "AllowedMethods",
             "allowed_headers": "AllowedHeaders"}
_CORS_NAMES = {"allowed_origins": "AllowOrigins", "allowed_methods": "AllowMethods",
               "allowed_headers": "AllowHeaders", "allow_credentials": "AllowCredentials"}
# What a new rule costs beside edits to an existing one (at the top: it reorders S3's first match).
_NEW_RULE_COST, _TOP_RULE_COST = 5, 6


class Change(Enum):
    ADD = "add"
    REPLACE_WILDCARD = "replace"
    ALLOW_CREDENTIALS = "credentials"


@dataclass(frozen=True)
class Edit:
    """One change to one rule: add a value to a list, put the origin in place of `*`, or set
    AllowCredentials: true."""

    change: Change
    field: str
    value: str = ""

    @property
    def cost(self) -> int:
        if self.change is Change.REPLACE_WILDCARD:
            return 3
        return 2 if self.field == "allowed_origins" else 1

    def apply(self, rule: CorsRule) -> CorsRule:
        if self.change is Change.ALLOW_CREDENTIALS:
            return replace(rule, allow_credentials=True)
        values: tuple[str, ...] = getattr(rule, self.field)
        if self.change is Change.REPLACE_WILDCARD:
            changed: dict[str, Any] = {self.field: tuple(self.value if v == WILDCARD else v for v in values)}
        else:
            changed = {self.field: (*values, self.value)}
        return replace(rule, **changed)


@dataclass(frozen=True)
class _Option:
    """Edits to rule `index` (or, `new`, a rule inserted at `index`): the unit candidates are made of."""

    index: int
    rule: CorsRule
    edits: tuple[Edit, ...] = ()
    new: bool = False

    def edited(self, edits: Sequence[Edit]) -> CorsRule:
        rule = self.rule
        for edit in edits:
            rule = edit.apply(rule)
        return rule

    def config(self, current: CorsConfig | None, edits: Sequence[Edit]) -> CorsConfig:
        rules = list(current.rules if current else ())
        if self.new:
            rules.insert(self.index, self.edited(edits))
        else:
            rules[self.index] = self.edited(edits)
        return CorsConfig(tuple(rules))

    def cost(self, edits: Sequence[Edit]) -> int:
        base = 0 if not self.new else _TOP_RULE_COST if self.index == 0 and self.rule else _NEW_RULE_COST
        return base + sum(edit.cost for edit in edits)


@dataclass(frozen=True)
class Located:
    """One change as the user makes it: where in the file, and what to write."""

    location: Location
    text: str

    def __str__(self) -> str:
        return f"{self.location}: {self.text}"


@dataclass(frozen=True)
class Suggestion:
    """The smallest change found, the simulator's answer with it (`allowed`), and the lint findings
    it would add. No `changes`: no change to the resource's `cors` lets the request through
    (`why_not` says what the closest one still lacks)."""

    address: str
    changes: tuple[Located, ...]
    cors: CorsConfig | None = None
    answer: Answer | None = None
    findings: tuple[Finding, ...] = ()
    why_not: str | None = None

    @property
    def text(self) -> str:
        """The suggestion in one line: each change at its file:line, then lint's verdict."""
        if not self.changes:
            return f"no change to the cors of {self.address} lets this request through: {self.why_not}"
        changes = "; ".join(str(change) for change in self.changes)
        if not self.findings:
            return f"{changes} (lint: nothing new)"
        found = "; ".join(f"{f.rule} {f.severity.value}: {f.message}" for f in self.findings)
        return f"{changes} (lint would report {found})"


def suggest(environment: Environment, resource: Resource, request: BrowserRequest, evaluate: Evaluate,
            lint: Lint) -> Suggestion | None:
    """The smallest change to `resource`'s cors in the file that lets `request` through; None when
    the file's configuration already does."""
    if evaluate(resource, request).allowed:
        return None
    trials = _Trials(environment, resource, request, evaluate)
    ranked = []
    for order, option in enumerate(_options(resource, request)):
        edits = trials.shrunk(option)
        if edits is not None:
            ranked.append((option.cost(edits), order, option, edits))
    for _, _, option, edits in sorted(ranked, key=lambda item: item[:2]):
        config = option.config(resource.cors, edits)
        answer, problems = trials.whole(config)
        if answer.allowed and not problems:
            edited = replace(resource, cors=config)
            return Suggestion(resource.address, tuple(_located(resource, option, edits)), config, answer,
                              _new_findings(environment, edited, lint))
    return Suggestion(resource.address, (), why_not=trials.closest or "the simulator refuses every candidate")


class _Trials:
    """Runs candidate configurations through the simulator and validation; remembers the last refusal."""

    def __init__(self, environment: Environment, resource: Resource, request: BrowserRequest,
                 evaluate: Evaluate) -> None:
        self._environment, self._resource = environment, resource
        self._request, self._evaluate = request, evaluate
        self.closest: str | None = None

    def shrunk(self, option: _Option) -> tuple[Edit, ...] | None:
        """The option's edits without those the request does not need; None when even all of them
        fail. Judged on the rule alone (S3's first match is checked on the whole configuration later)."""
        def works(edits: Sequence[Edit]) -> bool:
            answer, problems = self.whole(CorsConfig((option.edited(edits),)))
            return answer.allowed and not problems

        edits = list(option.edits)
        if not works(edits):
            return None
        for edit in sorted(option.edits, key=_drop_order):
            if edit.change is Change.REPLACE_WILDCARD:
                # Keeping `*` beside the origin keeps every other origin's access, where that works.
                added = Edit(Change.ADD, edit.field, edit.value)
                kept = [added if e == edit else e for e in edits]
                if works(kept):
                    edits = kept
                    continue
            fewer = [e for e in edits if e != edit]
            if works(fewer):
                edits = fewer
        return tuple(edits)

    def whole(self, config: CorsConfig) -> tuple[Answer, tuple[str, ...]]:
        """The simulator's answer for the resource with `config`, and what `validate` would refuse."""
        edited = replace(self._resource, cors=config)
        answer = self._evaluate(edited, self._request)
        problems = _problems(self._environment, edited)
        if problems:
            self.closest = f"the change would not validate: {'; '.join(problems)}"
        elif not answer.allowed:
            self.closest = f"with every change tried, {answer.reason}"
        return answer, problems


def _drop_order(edit: Edit) -> int:
    """Which edits to try leaving out first: the ones that widen access most."""
    if edit.change is Change.REPLACE_WILDCARD:
        return 0
    if edit.change is Change.ALLOW_CREDENTIALS:
        return 1
    return {"allowed_origins": 2, "allowed_methods": 3}.get(edit.field, 4)


def _options(resource: Resource, request: BrowserRequest) -> Iterator[_Option]:
    """Every candidate: each existing rule with all the request could need added, then a new rule
    (S3: after the others, then before them, so it is the first match)."""
    rules = resource.cors.rules if resource.cors else ()
    for index, rule in enumerate(rules):
        yield _Option(index, rule, tuple(_needs(rule, request, resource.kind)))
    fresh = _new_rule(request, resource.kind)
    if resource.kind is Kind.S3_BUCKET or not rules:
        yield _Option(len(rules), fresh, new=True)
    if resource.kind is Kind.S3_BUCKET and rules:
        yield _Option(0, fresh, new=True)


def _needs(rule: CorsRule, request: BrowserRequest, kind: Kind) -> Iterator[Edit]:
    """Everything the rule does not list literally that the request could need."""
    assert request.origin is not None
    if request.origin not in rule.allowed_origins:
        star = request.credentials and WILDCARD in rule.allowed_origins
        yield Edit(Change.REPLACE_WILDCARD if star else Change.ADD, "allowed_origins", request.origin)
    if request.method not in rule.allowed_methods:
        yield Edit(Change.ADD, "allowed_methods", request.method)
    listed = {header.lower() for header in rule.allowed_headers}
    for header in request.headers:
        if header.lower() not in listed:
            yield Edit(Change.ADD, "allowed_headers", header)
    if request.credentials and kind is not Kind.S3_BUCKET and rule.allow_credentials is not True:
        yield Edit(Change.ALLOW_CREDENTIALS, "allow_credentials")


def _new_rule(request: BrowserRequest, kind: Kind) -> CorsRule:
    """A rule that allows exactly this request (S3 has no credentials field: it always allows them)."""
    assert request.origin is not None
    credentials = True if request.credentials and kind is not Kind.S3_BUCKET else None
    return CorsRule((request.origin,), (request.method,), request.headers, allow_credentials=credentials)


# --- what the user reads -------------------------------------------------------------------------

def _located(resource: Resource, option: _Option, edits: Sequence[Edit]) -> Iterator[Located]:
    s3 = resource.kind is Kind.S3_BUCKET
    if option.new:
        yield _new_rule_located(resource, option, edits)
        return
    names = _S3_NAMES if s3 else _CORS_NAMES
    rule_path: tuple[str | int, ...] = ("cors", option.index) if s3 else ("cors",)
    of_rule = f" of rule {option.index}" if s3 else ""
    for edit in edits:
        name = names[edit.field]
        if edit.change is Change.ALLOW_CREDENTIALS:
            yield Located(resource.location_of(*rule_path, name), f"set {name}: true")
        elif edit.change is Change.REPLACE_WILDCARD:
            position = option.rule.allowed_origins.index(WILDCARD)
            yield Located(resource.location_of(*rule_path, name, position),
                          f"replace '*' in {name}{of_rule} with {edit.value!r} (a request with credentials "
                          "cannot use '*'; other origins lose access)")
        else:
            yield Located(resource.location_of(*rule_path, name), f"add {edit.value!r} to {name}{of_rule}")


def _new_rule_located(resource: Resource, option: _Option, edits: Sequence[Edit]) -> Located:
    rule = option.edited(edits)
    s3 = resource.kind is Kind.S3_BUCKET
    written = _flow(rules_to_s3(CorsConfig((rule,)))[0] if s3 else rule_to_cors(CorsConfig((rule,))))
    count = len(resource.cors.rules) if resource.cors else 0
    if resource.cors is None:
        shown = f"[{written}]" if s3 else written
        return Located(resource.location_of("cors"), f"replace `cors: absent` with {shown}")
    if option.index == 0:
        return Located(resource.location_of("cors", 0), f"insert the rule {written} before rule 0 (S3 uses "
                                                         "the first rule that matches)")
    return Located(resource.location_of("cors", count - 1), f"add the rule {written} after rule {count - 1}")


def _flow(value: object) -> str:
    """A value as one line of YAML (JSON is YAML)."""
    return json.dumps(value, separators=(", ", ": "))


def _problems(environment: Environment, resource: Resource) -> tuple[str, ...]:
    """What `validate` would refuse in the resource's entry as it would be written."""
    config = resource.cors
    if config is None:
        written: object = "absent"
    else:
        written = rules_to_s3(config) if resource.kind is Kind.S3_BUCKET else rule_to_cors(config)
    settings = {key: value for key, value in resource.settings.items() if value is not None}
    entry = {"cors": written, **settings}
    try:
        check_data(environment.name, environment.path, {resource.kind.section: {resource.name: entry}})
    except ConfigError as error:
        return tuple(problem.message for problem in error.problems)
    return ()


def _new_findings(environment: Environment, edited: Resource, lint: Lint) -> tuple[Finding, ...]:
    """The lint findings about the resource that the change adds."""
    after = replace(environment, resources=tuple(edited if r.address == edited.address else r
                                                 for r in environment.resources))
    before = {(f.rule, f.message) for f in lint(environment) if f.address == edited.address}
    return tuple(f for f in lint(after) if f.address == edited.address and (f.rule, f.message) not in before)
