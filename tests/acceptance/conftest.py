"""The acceptance suite's guard and fixtures: it runs only when asked to (else its tests are
skipped with one message saying how to enable it), with the caller's real credentials, on one set
of throwaway resources per run that is deleted in a `finally`, also on failure, Ctrl-C or SIGTERM."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.acceptance.cleanup import Failure, cleaned_up
from tests.acceptance.findings import Findings
from tests.acceptance.guard import boto3_session_facts, refusal
from tests.acceptance.naming import new_names
from tests.acceptance.runner import Corsdeploy
from tests.acceptance.throwaway import Aws, Throwaway, create_all

HERE = Path(__file__).resolve().parent
FINDINGS = pytest.StashKey[Findings]()
CLEANUP_FAILURES = pytest.StashKey[list[Failure]]()
PREFIX = pytest.StashKey[str]()


def _is_acceptance(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Nothing here reaches AWS unless asked to: skip (not asked) or stop the run (asked, but unable)."""
    ours = [item for item in items if _is_acceptance(item)]
    if not ours:
        return
    refused = refusal(os.environ, boto3_session_facts)
    if refused is None:
        return
    if refused.fatal:
        pytest.exit(refused.message, returncode=1)
    skip = pytest.mark.skip(reason=refused.message)
    for item in ours:
        item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(FINDINGS, Findings()).report()
    failures = config.stash.get(CLEANUP_FAILURES, [])
    if PREFIX in config.stash:
        verdict = ("NOT everything was deleted:" if failures
                   else "every resource was deleted.")
        lines.append(f"Throwaway resources {config.stash[PREFIX]}-*: {verdict}")
        lines += [f"  - {failure}" for failure in failures]
    for line in lines:
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def aws_credentials() -> None:
    """Replaces tests/conftest.py's fake credentials: this suite runs with the caller's real ones."""


@pytest.fixture(scope="session")
def findings(pytestconfig: pytest.Config) -> Findings:
    return pytestconfig.stash.setdefault(FINDINGS, Findings())


@pytest.fixture
def record(request: pytest.FixtureRequest, findings: Findings) -> Callable[[str], str]:
    """Records what AWS did under the running test's name; returns the text for assertion messages."""
    return lambda observation: findings.record(request.node.name, observation)


@pytest.fixture(scope="session")
def aws() -> Aws:
    return Aws.connect()


@pytest.fixture(scope="session")
def throwaway(aws: Aws, pytestconfig: pytest.Config) -> Iterator[Throwaway]:
    """Every resource of the run; all deleted at the end, whatever happened."""
    names = new_names()
    pytestconfig.stash[PREFIX] = names.prefix
    with cleaned_up(log=_terminal_printer(pytestconfig)) as registry:
        pytestconfig.stash[CLEANUP_FAILURES] = registry.failures
        yield create_all(aws, names, registry)


def _terminal_printer(config: pytest.Config) -> Callable[[str], None]:
    """Print past pytest's output capture (clean-up runs in a fixture's teardown)."""
    capture = config.pluginmanager.getplugin("capturemanager")

    def emit(line: str) -> None:
        if capture is None:
            print(line)
            return
        with capture.global_and_fixture_disabled():
            print(line)

    return emit


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory, aws: Aws) -> Corsdeploy:
    """The real command in a throwaway project folder."""
    return Corsdeploy(tmp_path_factory.mktemp("acceptance-project"), aws.secrets())
