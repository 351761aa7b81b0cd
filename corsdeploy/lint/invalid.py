"""CD001: a file validate refuses is still linted; each validation problem becomes a finding."""
from __future__ import annotations

from corsdeploy.errors import Problem
from corsdeploy.lint.rule import Finding, Rule, Severity


class InvalidConfiguration(Rule):
    id = "CD001"
    name = "invalid-configuration"
    severity = Severity.ERROR
    description = ("The environment file breaks the schema or an AWS limit, or refers to something that "
                   "does not exist: validate, plan and apply refuse it.")
    fix = "Correct the field the message names (`corsdeploy validate` says the same)."


def invalid_finding(problem: Problem) -> Finding:
    """A validation problem as a finding: under its own rule when it is an instance of one (CD201,
    CD402), else CD001; always an error, since validate refuses the file."""
    return Finding(problem.rule or InvalidConfiguration.id, Severity.ERROR, problem.message,
                   problem.address, problem.location)
