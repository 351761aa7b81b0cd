"""Environment files -> the canonical model: YAML with locations, extends, vars, policies, validation."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from corsdeploy.config.build import build_environment
from corsdeploy.config.files import environment_file, environment_names, load_tree
from corsdeploy.config.lenient import usable_data
from corsdeploy.config.nodes import Node
from corsdeploy.config.report import Reporter
from corsdeploy.config.schema import environment_schema
from corsdeploy.config.services import check_services, policies_of
from corsdeploy.config.structure import check_structure
from corsdeploy.config.variables import resolve_vars
from corsdeploy.errors import ConfigError, Problem
from corsdeploy.model import Environment, Location

__all__ = ["check_data", "environment_file", "environment_names", "environment_schema", "load_environment",
           "load_file", "load_file_leniently"]


def load_environment(env_dir: str | Path, name: str) -> Environment:
    """Load environments/<name>.yaml (or .yml/.json); every problem found is in the ConfigError."""
    return load_file(environment_file(env_dir, name))


def load_file(path: str | Path) -> Environment:
    """Load one environment file, named after its stem."""
    path = Path(path)
    root, problems = load_tree(path)
    if root is None:
        raise ConfigError(_in_order(problems))
    root, var_problems = resolve_vars(root)
    return _checked(path.stem, str(path), root, [*problems, *var_problems])


def load_file_leniently(path: str | Path) -> tuple[Environment | None, list[Problem]]:
    """Every problem `load_file` would raise, and the environment built from what no problem is about
    (None when the file cannot be read as a whole): lint reports both."""
    path = Path(path)
    root, problems = load_tree(path)
    if root is None:
        return None, _in_order(problems)
    root, var_problems = resolve_vars(root)
    data, found = _problems_in(root)
    problems = _in_order([*problems, *var_problems, *found])
    usable = usable_data(data, root, problems) if problems else data
    return build_environment(path.stem, str(path), usable, root), problems


def check_data(name: str, source: str, data: Mapping[str, Any]) -> Environment:
    """An environment from plain data with no `extends` and every variable resolved (what `import`
    builds), checked exactly as a file's would be; problems carry no position (there is no file)."""
    try:
        return _checked(name, source, _located(data, Location(source, 1, 1)), [])
    except ConfigError as error:
        raise ConfigError([Problem(p.message, None, p.address) for p in error.problems]) from None


def _checked(name: str, source: str, root: Node, problems: list[Problem]) -> Environment:
    data, checked = _problems_in(root)
    found = [*problems, *checked]
    if found:
        raise ConfigError(_in_order(found))
    return build_environment(name, source, data, root)


def _problems_in(root: Node) -> tuple[dict[str, Any], list[Problem]]:
    """The tree as plain data, and what the schema and the services' own checks find in it."""
    report = Reporter.of(root)
    data = root.plain()
    check_structure(data, report, list(policies_of(data)))
    check_services(data, report)
    return data, report.problems


def _located(value: Any, where: Location) -> Node:
    """Plain data as a tree of Nodes, all at `where`."""
    if isinstance(value, Mapping):
        return Node({key: _located(child, where) for key, child in value.items()}, where, where)
    if isinstance(value, list):
        return Node([_located(child, where) for child in value], where)
    return Node(value, where)


def _in_order(problems: list[Problem]) -> list[Problem]:
    """Problems by file and position (those without a position first), each once."""
    return sorted(dict.fromkeys(problems), key=_position)


def _position(problem: Problem) -> tuple[bool, str, int, int]:
    where = problem.location
    return (False, "", 0, 0) if where is None else (True, where.file, where.line, where.column)
