"""Expected problems. Each prints itself as one clean line; only --debug shows a traceback."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from corsdeploy.model import Location


@dataclass(frozen=True)
class Problem:
    """One diagnostic: `file:line:col: address: message`, each prefix only when known."""

    message: str
    location: Location | None = None
    address: str | None = None
    # The lint rule this problem is an instance of (`CD201`), where it is one: lint reports it so.
    rule: str | None = None

    def __str__(self) -> str:
        prefix = "".join(f"{part}: " for part in (self.location, self.address) if part)
        return f"{prefix}{self.message}"


class CorsdeployError(Exception):
    """Base of every error that is the user's or the environment's, not a bug."""

    def __init__(self, problems: Iterable[Problem] | Problem | str, code: str | None = None) -> None:
        # The AWS error code behind the problem, where there is one (reported in apply results).
        self.code = code
        if isinstance(problems, str):
            problems = Problem(problems)
        self.problems: tuple[Problem, ...] = (
            (problems,) if isinstance(problems, Problem) else tuple(problems)
        )
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(CorsdeployError):
    """An environment file is invalid (nothing was sent to AWS)."""


class PlanError(CorsdeployError):
    """A resource cannot be planned: missing, ambiguous, not ours, or AWS refused the read."""


# A line break and the indentation around it, as in an HTML error page a proxy answers with.
_LINE_BREAK = re.compile(r"\s*[\r\n\v\f\x85\u2028\u2029]+\s*")


def one_line(message: str) -> str:
    """`message` with each line break (and the spaces around it) made one space."""
    return _LINE_BREAK.sub(" ", message).strip()


class AwsError(CorsdeployError):
    """AWS refused a call; `code` is AWS's error code (e.g. AccessDenied).

    The message is made one line: endpoints and proxies answer with HTML pages and wrapped text.
    """

    def __init__(self, code: str, message: str, address: str | None = None) -> None:
        code, message = one_line(code), one_line(message)
        self.aws_message = message
        super().__init__(Problem(f"{code}: {message}", address=address), code=code)


class LockError(CorsdeployError):
    """Another writer holds the environment's lock."""


class BackupError(CorsdeployError):
    """The configuration a write would replace could not be saved, so nothing was written."""


class StalePlanError(CorsdeployError):
    """A target's live state changed since the plan was made, so nothing of the plan was written."""
