"""The command line in-process (click's CliRunner): options, usage errors, help. No AWS call."""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from corsdeploy.cli import cli

VALID = "s3_buckets:\n  bucket:\n    cors: absent\n"
INVALID = "s3_buckets:\n  bucket:\n    cors: []\n"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, prog_name="corsdeploy")


@pytest.fixture
def two_folders(tmp_path: Path) -> tuple[Path, Path]:
    """`typed` holds a valid environment, `from_env` an invalid one: the exit code says which was read."""
    typed, from_env = tmp_path / "typed", tmp_path / "from_env"
    for folder, text in ((typed, VALID), (from_env, INVALID)):
        folder.mkdir()
        (folder / "e.yaml").write_text(text)
    return typed, from_env


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_a_typed_env_dir_beats_the_environment_variable(two_folders: tuple[Path, Path], before: bool) -> None:
    typed, from_env = two_folders
    option = ["--env-dir", str(typed)]
    args = [*option, "validate", "--all"] if before else ["validate", "--all", *option]
    result = run(*args, env={"CORSDEPLOY_ENV_DIR": str(from_env)})
    assert result.exit_code == 0, result.output
    assert str(typed / "e.yaml") in result.stdout


def test_the_environment_variable_applies_when_nothing_is_typed(two_folders: tuple[Path, Path]) -> None:
    typed, _ = two_folders
    result = run("validate", "--all", env={"CORSDEPLOY_ENV_DIR": str(typed)})
    assert result.exit_code == 0, result.output
    assert str(typed / "e.yaml") in result.stdout


@pytest.mark.parametrize(("args", "suggestion"), [
    (["plan", "--environment", "prod"], "Did you mean '--env'?"),
    (["plan", "--env", "prod", "--detailed-exitcodes"], "Did you mean '--detailed-exitcode'?"),
    (["sandbox", "start"], "Did you mean 'up'?"),
    (["sandbox", "stop"], "Did you mean 'down'?"),
    (["deploy"], "Did you mean 'apply'?"),
    (["valdate"], "Did you mean 'validate'?"),
])
def test_did_you_mean_suggests_what_was_meant(args: list[str], suggestion: str) -> None:
    result = run(*args)
    assert result.exit_code == 1
    assert suggestion in result.stderr


@pytest.mark.parametrize(("args", "command"), [
    (["plan", "--environment", "prod"], "corsdeploy plan"),
    (["plan", "--env"], "corsdeploy plan"),
    (["sandbox", "start"], "corsdeploy sandbox"),
    (["validate"], "corsdeploy validate"),
])
def test_usage_errors_show_the_usage_line_and_the_help_hint(args: list[str], command: str) -> None:
    result = run(*args)
    assert result.exit_code == 1  # never click's 2: 2 means "changes pending" (design note 3)
    assert f"Usage: {command} " in result.stderr
    assert f"Try '{command} --help' for help." in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["sandbox"], []])
def test_a_group_alone_prints_its_help(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Commands:" in result.stdout and "Usage: corsdeploy" in result.stdout


Named = tuple[tuple[str, ...], click.Command]


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[Named]:
    found: list[Named] = []
    for name, command in group.commands.items():
        found.append(((*path, name), command))
        if isinstance(command, click.Group):
            found.extend(commands(command, (*path, name)))
    return found


@pytest.mark.parametrize(("path", "command"), commands(), ids=[" ".join(path) for path, _ in commands()])
def test_every_option_is_described_and_every_command_has_an_example(
        path: tuple[str, ...], command: click.Command) -> None:
    undescribed = [p.name for p in command.params if isinstance(p, click.Option) and not p.help]
    assert undescribed == []
    shown = run(*path, "--help")
    assert shown.exit_code == 0
    for option in ("--env-dir", "--debug"):
        assert option in shown.stdout
    if not isinstance(command, click.Group):
        assert f"corsdeploy {' '.join(path)}" in (command.epilog or "")
        assert "Example" in shown.stdout


def test_the_command_list_shows_whole_summaries() -> None:
    shown = run("--help").stdout.split("Commands:")[1]
    assert "..." not in shown
    for name, command in cli.commands.items():
        summary = command.get_short_help_str(limit=200)
        assert f"{name} " in shown and summary in " ".join(shown.split())
