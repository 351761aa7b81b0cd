"""Thin click commands: parse, call one core function, render, return an exit status."""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, cast

import click
from rich.console import Console

from corsdeploy import __version__
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.render.edge import EdgeStream, printable

if TYPE_CHECKING:
    from corsdeploy.engine import PlanRun
    from corsdeploy.model import Environment


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2


DEFAULT_ENV_DIR = "environments"
ENV_DIR_VARIABLE = "CORSDEPLOY_ENV_DIR"
SANDBOX_URL_VARIABLE = "CORSDEPLOY_SANDBOX_URL"
# Words people type for a command by another name; difflib only sees spelling.
_SYNONYMS = {"start": "up", "run": "up", "stop": "down", "kill": "down", "deploy": "apply", "diff": "plan",
             "check": "validate", "lint": "validate"}


def suggest(typed: str, known: Sequence[str]) -> str | None:
    """What the user meant: a synonym, a name `typed` extends or abbreviates, or a near spelling."""
    if typed in _SYNONYMS and _SYNONYMS[typed] in known:
        return _SYNONYMS[typed]
    extended = sorted((k for k in known if typed.startswith(k) and k.strip("-")), key=len, reverse=True)
    abbreviated = [k for k in known if k.startswith(typed) and typed.strip("-")]
    if extended or len(abbreviated) == 1:
        return (extended or abbreviated)[0]
    close = difflib.get_close_matches(typed, known, n=1, cutoff=0.75)
    return close[0] if close else None


def _did_you_mean(message: str, typed: str, known: Sequence[str], ctx: click.Context) -> click.UsageError:
    meant = suggest(typed, known)
    return click.UsageError(f"{message} Did you mean {meant!r}?" if meant else message, ctx)


class _Parsing(click.Command):
    """Unknown options get a suggestion that understands prefixes (`--environment` -> `--env`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            known = [name for param in self.get_params(ctx) if isinstance(param, click.Option)
                     for name in (*param.opts, *param.secondary_opts)]
            raise _did_you_mean(error.message, error.option_name, known, ctx) from None
        except click.UsageError as error:
            if error.ctx is not None:
                raise
            # The parser raises some without a context, which would lose the Usage line and hint.
            raise click.UsageError(error.message, ctx) from None


class Command(_Parsing):
    """A corsdeploy command."""


class Group(_Parsing, click.Group):
    """A corsdeploy command group; the root one also owns the output edge and the exit codes."""

    command_class = Command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as error:
            raise _did_you_mean(error.message, error.command_name, list(self.commands), ctx) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,  # type: ignore[override]
             **extra: Any) -> NoReturn:
        """Every outcome becomes one of the exit codes pipelines script against."""
        arguments = list(sys.argv[1:] if args is None else args)
        with _output_edge():
            status = _run(self, arguments, prog_name or "corsdeploy", extra)
        sys.exit(status)


@contextlib.contextmanager
def _output_edge() -> Iterator[None]:
    """Everything printed, by us, click or a traceback, leaves through EdgeStream."""
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, EdgeStream(sys.stdout)), cast(TextIO, EdgeStream(sys.stderr))
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = streams


def _run(group: Group, args: list[str], prog_name: str, extra: dict[str, Any]) -> int:
    debug = "--debug" in args
    extra.pop("standalone_mode", None)
    try:
        status = click.Group.main(group, args=args, prog_name=prog_name, standalone_mode=False, **extra)
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help())
        return ExitCode.OK
    except click.exceptions.Abort:
        _report(["aborted"])
        return ExitCode.ERROR
    except click.UsageError as error:
        error.show()
        # click exits 2 on usage errors; 2 means "changes pending" here (design note 3).
        return ExitCode.ERROR
    except click.ClickException as error:
        _report([error.format_message()])
        return ExitCode.ERROR
    except CorsdeployError as error:
        if debug:
            traceback.print_exc()
        _report([str(p) for p in error.problems])
        return ExitCode.ERROR
    except Exception as error:  # a bug: say so plainly, traceback only on request
        if debug:
            traceback.print_exc()
        _report([f"internal error: {type(error).__name__}: {error} (run with --debug for a traceback)"])
        return ExitCode.ERROR
    return int(status or 0)


def _report(lines: Sequence[str]) -> None:
    for line in lines:
        click.echo(f"Error: {printable(line)}", err=True)


def _remember(name: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    """Store an option in the root context, so it works before and after the command name."""
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        if value not in (None, False):
            ctx.find_root().meta[f"corsdeploy.{name}"] = value
    return callback


def _common_options(root: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--env-dir and --debug, before or after the command name. Only the root reads the environment
    variable: a subcommand's --env-dir is either typed or absent, so what is typed always wins."""
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option(
            "--env-dir", type=click.Path(file_okay=False), metavar="DIR", expose_value=False, is_eager=True,
            envvar=ENV_DIR_VARIABLE if root else None, callback=_remember("env_dir"),
            help=f"Folder of environment files (default: ${ENV_DIR_VARIABLE}, else {DEFAULT_ENV_DIR}).",
        )(command)
        return click.option("--debug", is_flag=True, expose_value=False, callback=_remember("debug"),
                            is_eager=True, help="Show a traceback with errors.")(command)
    return decorate


common_options = _common_options(root=False)


def _env_dir() -> Path:
    return Path(click.get_current_context().find_root().meta.get("corsdeploy.env_dir", DEFAULT_ENV_DIR))


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _load(name: str, *, for_aws: bool = True) -> Environment:
    from corsdeploy.config import load_environment

    environment = load_environment(_env_dir(), name)
    return _on_sandbox_url(environment) if for_aws else environment


def _on_sandbox_url(environment: Environment) -> Environment:
    """With CORSDEPLOY_SANDBOX_URL set (outside any file, so trusted), an environment whose endpoint
    is a loopback emulator uses that URL instead: the sandbox moves off 4566 in one place."""
    if not os.environ.get(SANDBOX_URL_VARIABLE):
        return environment
    from corsdeploy.sandbox.server import is_sandbox_url, url_from_environment

    url, endpoint = url_from_environment(), environment.aws.endpoint_url
    if url is None or endpoint is None or not is_sandbox_url(endpoint):
        return environment
    return replace(environment, aws=replace(environment.aws, endpoint_url=url))


def _example(*lines: str) -> str:
    """A command's help epilog: examples shown verbatim (click's \\b keeps the lines as written)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


@click.group(cls=Group, context_settings={"help_option_names": ["--help", "-h"]})
@click.version_option(__version__, prog_name="corsdeploy", help="Show the version and exit.")
@_common_options(root=True)
def cli() -> None:
    """CORS as code for AWS: S3 buckets, API Gateway HTTP and REST APIs, Lambda function URLs."""


@cli.command(short_help="Check environment files (schema, AWS limits); no AWS call.",
             epilog=_example("corsdeploy validate --all", "corsdeploy validate --env prod"))
@click.option("--env", "env_name", metavar="NAME", help="Environment to validate (environments/NAME.yaml).")
@click.option("--all", "all_envs", is_flag=True, help="Validate every environment in the folder.")
@common_options
def validate(env_name: str | None, all_envs: bool) -> int:
    """Check environment files: schema, AWS limits, references. No AWS call."""
    names = _chosen_environments(env_name, all_envs)
    problems: list[Problem] = []
    for name in names:
        try:
            environment = _load(name, for_aws=False)
        except CorsdeployError as error:
            problems.extend(error.problems)
            continue
        _stdout().print(f"{printable(environment.path)}: valid ({len(environment.resources)} resources)",
                        markup=False)
    if problems:
        raise CorsdeployError(problems)
    return ExitCode.OK


def _chosen_environments(env_name: str | None, all_envs: bool) -> list[str]:
    from corsdeploy.config import environment_names

    if bool(env_name) == all_envs:
        raise click.UsageError("give exactly one of --env NAME or --all", click.get_current_context())
    if env_name:
        return [env_name]
    names = environment_names(_env_dir())
    if not names:
        raise CorsdeployError(f"no environments in {_env_dir()}")
    return names


@cli.command(short_help="Print the JSON Schema of an environment file.",
             epilog=_example("corsdeploy schema > environment.schema.json"))
@common_options
def schema() -> int:
    """Print the JSON Schema of an environment file (for editors)."""
    from corsdeploy.config import environment_schema

    click.echo(json.dumps(environment_schema(), indent=2))
    return ExitCode.OK


_TARGET = click.option("--target", "targets", multiple=True, metavar="ADDR",
                       help="Limit to this resource address, e.g. s3_bucket.assets (repeatable).")
_ENV = click.option("--env", "env_name", required=True, metavar="NAME",
                    help="Environment name (environments/NAME.yaml).")


def _format_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                        show_default=True, help=f"text for people; json for scripts ({what} on stdout).")


@cli.command(short_help="Read live CORS and show what apply would change.",
             epilog=_example("corsdeploy plan --env prod",
                             "corsdeploy plan --env prod --detailed-exitcode --format json"))
@_ENV
@_format_option("the plan document")
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

        click.echo(dumps(plan_document(run.plan)))
    else:
        from corsdeploy.render.text import render_plan

        render_plan(run.plan, console)


@cli.command(short_help="Plan, ask, then make live CORS match the environment.",
             epilog=_example("corsdeploy apply --env prod",
                             "corsdeploy apply --env prod --auto-approve --target s3_bucket.assets"))
@_ENV
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed when there is no terminal).")
@_format_option("the apply result; the plan goes to stderr")
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
        click.echo(dumps(apply_document(result)))
    else:
        render_apply(result, human)
    if result.backup_folder is not None:
        human.print(f"Backups of what was replaced: {printable(str(result.backup_folder))}/", markup=False)
    return ExitCode.OK if result.ok else ExitCode.ERROR


def _confirm(console: Console) -> bool:
    console.print("\nDo you want to apply these changes? Only 'yes' will be accepted.")
    return click.prompt("Enter a value", default="", show_default=False, err=True) == "yes"


@cli.group(cls=Group, short_help="A local AWS emulator (moto) for trying corsdeploy without an account.")
@common_options
def sandbox() -> None:
    """A local AWS emulator (moto) on loopback, for trying corsdeploy without an account.

    The sandbox listens on the port of the environment's aws.endpoint_url (with --env), else on
    $CORSDEPLOY_SANDBOX_URL, else on http://127.0.0.1:4566. Its pid and log are kept per user,
    by port, so up, status and down find it from any directory.
    """


def _sandbox_env(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--env", "env_name", metavar="NAME",
                        help=f"{what}; the port of its aws.endpoint_url selects the sandbox.")


@sandbox.command("up", short_help="Start the sandbox (and create an environment's resources in it).",
                 epilog=_example("corsdeploy sandbox up --env sandbox"))
@_sandbox_env("Also create the resources this environment names, in the sandbox only")
@common_options
def sandbox_up(env_name: str | None) -> int:
    """Start the sandbox (and create an environment's resources in it)."""
    from corsdeploy.sandbox import server

    environment = _load(env_name) if env_name else None
    url = _sandbox_url(environment)
    with server.up(url) as (running, already):
        state = "already running" if already else "running"
        _stderr().print(f"sandbox {state} at {running.url} (pid {running.pid}, log {running.log})",
                        markup=False)
        if environment:
            _seed_sandbox(environment, url)
    return ExitCode.OK


def _seed_sandbox(environment: Environment, url: str) -> None:
    from corsdeploy.aws import Clients
    from corsdeploy.model import AwsSettings
    from corsdeploy.sandbox.seed import seed_environment

    clients = Clients(AwsSettings(region=environment.aws.region, endpoint_url=url),
                      credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"})
    for address in seed_environment(clients, environment):
        _stderr().print(f"  ready: {printable(address)}", markup=False)


def _sandbox_url(environment: Environment | None) -> str:
    """The sandbox an environment's endpoint names; without one, $CORSDEPLOY_SANDBOX_URL or the default."""
    from corsdeploy.sandbox import server

    if environment is None:
        return server.url_from_environment() or server.DEFAULT_URL
    url = environment.aws.endpoint_url
    if not url or not server.is_sandbox_url(url):
        raise CorsdeployError(
            f"{environment.path}: the sandbox only runs behind a loopback endpoint (http://127.0.0.1, "
            f"http://[::1] or http://localhost); aws.endpoint_url is {url or 'unset (real AWS)'}")
    return url.rstrip("/")


def _not_running(url: str) -> str:
    """Where a sandbox the user did not select is running, so they can select it."""
    from corsdeploy.sandbox import server

    others = [s.url for s in server.running() if s.url != url]
    return f" (running: {', '.join(others)}; select one with --env NAME)" if others else ""


@sandbox.command("down", short_help="Stop the sandbox.",
                 epilog=_example("corsdeploy sandbox down --env sandbox", "corsdeploy sandbox down"))
@_sandbox_env("The environment the sandbox was started for")
@common_options
def sandbox_down(env_name: str | None) -> int:
    """Stop the sandbox."""
    from corsdeploy.sandbox import server

    url = _sandbox_url(_load(env_name) if env_name else None)
    stopped = server.down(server.port_of(url))
    if stopped:
        _stderr().print(f"sandbox at {stopped.url} stopped", markup=False)
    else:
        _stderr().print(f"no sandbox was running on {url}{_not_running(url)}", markup=False)
    return ExitCode.OK


@sandbox.command("status", short_help="Print the sandbox's URL if it is running (exit 1 if not).",
                 epilog=_example("corsdeploy sandbox status --env sandbox"))
@_sandbox_env("The environment the sandbox was started for")
@common_options
def sandbox_status(env_name: str | None) -> int:
    """Print the sandbox's URL if it is running (exit 1 if not)."""
    from corsdeploy.sandbox import server

    url = _sandbox_url(_load(env_name) if env_name else None)
    running = server.status(server.port_of(url))
    if not running:
        _stderr().print(f"no sandbox is running on {url}{_not_running(url)}", markup=False)
        return ExitCode.ERROR
    click.echo(running.url)
    return ExitCode.OK


@cli.command("import", short_help="Print an environment file holding the live CORS of existing resources.",
             epilog=_example("corsdeploy import s3_bucket.assets http_api.orders > environments/prod.yaml",
                             "corsdeploy import --env prod rest_api.legacy@prod function_url.thumbnailer"))
@click.argument("addresses", nargs=-1, required=True, metavar="ADDR...")
@click.option("--env", "env_name", metavar="NAME",
              help="Read with this environment's aws settings, and print them (default: boto3's).")
@common_options
def import_(addresses: tuple[str, ...], env_name: str | None) -> int:
    """Print an environment file (YAML) holding the live CORS of the resources ADDR names.

    ADDR is KIND.NAME (s3_bucket, http_api, rest_api, function_url). A REST API with several stages
    is named rest_api.NAME@STAGE (the stage corsdeploy redeploys after a change). A plan of the
    printed file shows no changes; what a file cannot hold exactly is an error, and nothing is printed.
    """
    from corsdeploy.importer import import_resources
    from corsdeploy.render.yaml_view import render_import

    imported = import_resources(addresses, _load(env_name) if env_name else None)
    click.echo(render_import(imported), nl=False)
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point (`corsdeploy`)."""
    cli.main(args=argv, prog_name="corsdeploy")
