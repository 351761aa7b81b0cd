"""Whether the suite may run: only when asked to (CORSDEPLOY_ACCEPTANCE=1), with real credentials
and a region, against AWS itself, and never in parallel workers."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

OPT_IN_VARIABLE = "CORSDEPLOY_ACCEPTANCE"
HOW_TO_RUN = "CORSDEPLOY_ACCEPTANCE=1 AWS_PROFILE=... AWS_REGION=... make acceptance"
NOT_ENABLED = (f"the acceptance suite creates resources in a real AWS account and runs only when "
               f"asked to: {HOW_TO_RUN} (see 'Acceptance tests' in README.md)")


@dataclass(frozen=True)
class SessionFacts:
    """What boto3's credential chain resolved, read without any call to AWS."""

    region: str | None
    has_credentials: bool


@dataclass(frozen=True)
class Refusal:
    """Why the suite does not run; `fatal` when it was asked to run (exit 1) rather than not asked (skip)."""

    message: str
    fatal: bool


def refusal(environ: Mapping[str, str], session_facts: Callable[[], SessionFacts]) -> Refusal | None:
    """None when the suite may run; `session_facts` is consulted only once the suite is asked for."""
    if environ.get(OPT_IN_VARIABLE) != "1":
        return Refusal(NOT_ENABLED, fatal=False)
    problems = []
    if environ.get("PYTEST_XDIST_WORKER"):
        problems.append("run it without -n: its tests share one set of resources and run in order")
    endpoints = sorted(name for name in environ
                       if name.startswith("AWS_ENDPOINT_URL") and environ[name])
    if endpoints:
        problems.append(f"unset {', '.join(endpoints)}: the suite is for AWS itself, not an emulator")
    facts = session_facts()
    if not facts.has_credentials:
        problems.append("no AWS credentials found (set AWS_PROFILE, or the AWS_ACCESS_KEY_ID family)")
    if not facts.region:
        problems.append("no AWS region (set AWS_REGION)")
    if problems:
        return Refusal(f"{OPT_IN_VARIABLE}=1 but the acceptance suite cannot run: " + "; ".join(problems),
                       fatal=True)
    return None


def boto3_session_facts() -> SessionFacts:
    """Region and whether credentials resolve, from boto3's usual chain (no AWS call is made)."""
    import boto3

    session = boto3.Session()
    return SessionFacts(region=session.region_name, has_credentials=session.get_credentials() is not None)
