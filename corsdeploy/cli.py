"""Thin click commands: parse, call one core function, render, return an exit status."""
from __future__ import annotations

import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from corsdeploy import __version__
from corsdeploy.errors import CorsdeployError, Problem

if TYPE_CHECKING:
    from corsdeploy.engine import PlanRun
    from corsdeploy.model import Environment


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2


DEFAULT_ENV_DIR = "environments"


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """Store an option in the root context, so it works before and after the command name."""
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value not in (None, False):
            ctx.find_root().meta[f"corsdeploy.{name}"] = value
    return callback


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--env-dir", type=click.Path(file_okay=False), envvar="CORSDEPLOY_ENV_DIR",
                           expose_value=False, callback=_remember("env_dir"), is_eager=True,
                           help="Folder of environment files (default: environments).")(command)
    return click.option("--debug", is_flag=True, expose_value=False, callback=_remember("debug"),
                        is_eager=True, help="Show tracebacks for errors.")(command)


def _env_dir() -> Path:
    return Path(click.get_current_context().find_root().meta.get("corsdeploy.env_dir", DEFAULT_ENV_DIR))


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _load(name: str) -> Environment:
    from corsdeploy.config import load_environment

    return load_environment(_env_dir(), name)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corsdeploy")
@common_options
def cli() -> None:
    """CORS as code for AWS: S3 buckets, API Gateway HTTP and REST APIs, Lambda function URLs."""


@cli.command()
@click.option("--env", "env_name", help="Environment to validate.")
@click.option("--all", "all_envs", is_flag=True, help="Validate every environment in the folder.")
@common_options
def validate(env_name: str | None, all_envs: bool) -> int:
    """Check environment files: schema, AWS limits, references. No AWS call."""
    names = _chosen_environments(env_name, all_envs)
    problems: list[Problem] = []
    for name in names:
        try:
            environment = _load(name)
        except CorsdeployError as error:
            problems.extend(error.problems)
            continue
        _stdout().print(f"{environment.path}: valid ({len(environment.resources)} resources)")
    if problems:
        raise CorsdeployError(problems)
    return ExitCode.OK


def _chosen_environments(env_name: str | None, all_envs: bool) -> list[str]:
    from corsdeploy.config import environment_names

    if bool(env_name) == all_envs:
        raise click.UsageError("give exactly one of --env NAME or --all")
    if env_name:
        return [env_name]
    names = environment_names(_env_dir())
    if not names:
        raise CorsdeployError(f"no environments in {_env_dir()}")
    return names


@cli.command()
@common_options
def schema() -> int:
    """Print the JSON Schema of an environment file (for editors)."""
    from corsdeploy.config import environment_schema

    click.echo(json.dumps(environment_schema(), indent=2))
    return ExitCode.OK


_FORMAT = click.Choice(["text", "json"])
_TARGET = click.option("--target", "targets", multiple=True, metavar="ADDR",
                       help="Limit to this resource address (repeatable).")
_ENV = click.option("--env", "env_name", required=True, help="Environment name (environments/NAME.yaml).")


@cli.command()
@_ENV
@click.option("--format", "output_format", type=_FORMAT, default="text", show_default=True)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@_TARGET
@common_options
def plan(env_name: str, output_format: str, detailed_exitcode: bool, targets: tuple[str, ...]) -> int:
    """Read live CORS and show what apply would change."""
    from corsdeploy.engine import plan_environment

    run = plan_environment(_load(env_name), targets)
    _show_plan(run, output_format, _stdout())
    if detailed_exitcode and run.plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK


def _show_plan(run: PlanRun, output_format: str, console: Console) -> None:
    if output_format == "json":
        from corsdeploy.render.json_view import dumps, plan_document

        console.file.write(dumps(plan_document(run.plan)) + "\n")
    else:
        from corsdeploy.render.text import render_plan

        render_plan(run.plan, console)


@cli.command()
@_ENV
@click.option("--auto-approve", is_flag=True, help="Apply without asking.")
@click.option("--format", "output_format", type=_FORMAT, default="text", show_default=True)
@_TARGET
@common_options
def apply(env_name: str, auto_approve: bool, output_format: str, targets: tuple[str, ...]) -> int:
    """Plan, ask, then make live CORS match the environment (backing up what it replaces)."""
    if not auto_approve and not sys.stdin.isatty():
        raise CorsdeployError("apply needs confirmation but there is no terminal to ask on; "
                              "review `corsdeploy plan` and pass --auto-approve")
    from corsdeploy.engine import apply_run, plan_environment
    from corsdeploy.render.json_view import apply_document, dumps
    from corsdeploy.render.text import render_apply, render_plan

    run = plan_environment(_load(env_name), targets)
    # With --format json, stdout carries only the result document.
    human = _stderr() if output_format == "json" else _stdout()
    render_plan(run.plan, human)
    if run.plan.has_changes and not auto_approve and not _confirm(human):
        raise CorsdeployError("apply cancelled; nothing was changed")
    result = apply_run(run)
    if output_format == "json":
        _stdout().file.write(dumps(apply_document(result)) + "\n")
    else:
        render_apply(result, human)
        if result.summary["applied"] or result.summary["failed"]:
            human.print(f"Backups of what was replaced: .corsdeploy/backups/{result.apply_id}/")
    return ExitCode.OK if result.ok else ExitCode.ERROR


def _confirm(console: Console) -> bool:
    console.print("\nDo you want to apply these changes? Only 'yes' will be accepted.")
    return click.prompt("Enter a value", default="", show_default=False, err=True) == "yes"


@cli.group()
def sandbox() -> None:
    """A local AWS emulator (moto) on loopback, for trying corsdeploy without an account."""


@sandbox.command("up")
@click.option("--env", "env_name", help="Also create the resources this environment names.")
@common_options
def sandbox_up(env_name: str | None) -> int:
    """Start the sandbox (and create an environment's resources in it)."""
    from corsdeploy.sandbox import server

    environment = _load(env_name) if env_name else None
    url = _sandbox_url(environment)
    running = server.up(url)
    _stderr().print(f"sandbox running at {running.url} (pid {running.pid}, log .corsdeploy/sandbox.log)")
    if environment:
        from corsdeploy.aws import Clients
        from corsdeploy.model import AwsSettings
        from corsdeploy.sandbox.seed import seed_environment

        clients = Clients(AwsSettings(region=environment.aws.region, endpoint_url=url),
                          credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"})
        for address in seed_environment(clients, environment):
            _stderr().print(f"  ready: {address}")
    return ExitCode.OK


def _sandbox_url(environment: Environment | None) -> str:
    from corsdeploy.aws import is_loopback_url
    from corsdeploy.sandbox.server import DEFAULT_URL

    if environment is None:
        return DEFAULT_URL
    url = environment.aws.endpoint_url
    if not url or not is_loopback_url(url):
        raise CorsdeployError(
            f"{environment.path}: the sandbox only creates resources behind a loopback endpoint; "
            f"aws.endpoint_url is {url or 'unset (real AWS)'}")
    return url.rstrip("/")


@sandbox.command("down")
@common_options
def sandbox_down() -> int:
    """Stop the sandbox."""
    from corsdeploy.sandbox import server

    stopped = server.down()
    _stderr().print(f"sandbox at {stopped.url} stopped" if stopped else "no sandbox was running")
    return ExitCode.OK


@sandbox.command("status")
@common_options
def sandbox_status() -> int:
    """Print the sandbox's URL if it is running (exit 1 if not)."""
    from corsdeploy.sandbox import server

    running = server.status()
    if not running:
        _stderr().print("no sandbox is running")
        return ExitCode.ERROR
    click.echo(running.url)
    return ExitCode.OK


_SECRET_PATTERN = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")


def redact(text: str) -> str:
    """Remove credentials from anything printed (they can surface inside AWS error messages)."""
    for name in ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID"):
        value = os.environ.get(name)
        if value and len(value) >= 8:
            text = text.replace(value, "***")
    return _SECRET_PATTERN.sub("***", text)


def _report(lines: Sequence[str]) -> None:
    for line in lines:
        click.echo(redact(f"Error: {line}"), err=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: maps every outcome to the exit codes pipelines script against."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        status = cli.main(args=args, prog_name="corsdeploy", standalone_mode=False)
    except click.exceptions.Exit as done:
        status = done.exit_code
    except click.exceptions.Abort:
        _report(["aborted"])
        status = ExitCode.ERROR
    except click.ClickException as error:
        # click exits 2 on usage errors; 2 means "changes pending" here (design note 3).
        _report([error.format_message()])
        status = ExitCode.ERROR
    except CorsdeployError as error:
        if debug:
            traceback.print_exc()
        _report([str(p) for p in error.problems])
        status = ExitCode.ERROR
    except KeyboardInterrupt:
        _report(["interrupted"])
        status = ExitCode.ERROR
    except Exception as error:  # a bug: say so plainly, traceback only on request
        if debug:
            traceback.print_exc()
        _report([f"internal error: {type(error).__name__}: {error} (run with --debug for a traceback)"])
        status = ExitCode.ERROR
    sys.exit(int(status or 0))
