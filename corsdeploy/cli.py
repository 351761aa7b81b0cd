"""Thin click commands: parse, call one core function, render, return an exit status."""
from __future__ import annotations

import contextlib
import difflib
import json
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NoReturn, TextIO, cast

import click
from rich.console import Console
from rich.markup import escape

from corsdeploy import __version__
from corsdeploy.errors import CorsdeployError, Problem
from corsdeploy.interruption import Interruption
from corsdeploy.model import DEFAULT_PARALLELISM, MAX_PARALLELISM
from corsdeploy.render.edge import EdgeStream, printable

if TYPE_CHECKING:
    from corsdeploy.engine import PlanRun, WriteWatch
    from corsdeploy.model import Environment
    from corsdeploy.plan import Plan
    from corsdeploy.results import ApplyResult, Result
    from corsdeploy.simulate.browser_error import Given
    from corsdeploy.state import LockInfo


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2
    # Stopped by a signal: 128 + its number, as shells report it.
    INTERRUPTED = 130
    TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every `with` block (the environment's lock) is left cleanly."""


def _on_sigterm(_signal: int, _frame: Any) -> None:
    raise Terminated


DEFAULT_ENV_DIR = "environments"
ENV_DIR_VARIABLE = "CORSDEPLOY_ENV_DIR"
SANDBOX_URL_VARIABLE = "CORSDEPLOY_SANDBOX_URL"
# Words people type for a command by another name; difflib only sees spelling.
_SYNONYMS = {"start": "up", "run": "up", "stop": "down", "kill": "down", "deploy": "apply", "diff": "plan",
             "lint": "validate"}


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
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_sigterm)
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
    except click.exceptions.Abort as error:
        if isinstance(error.__cause__, KeyboardInterrupt):  # click turns Ctrl-C (and our SIGTERM) into Abort
            terminated = isinstance(error.__cause__, Terminated)
            _report([f"interrupted by {'SIGTERM' if terminated else 'Ctrl-C'}; the environment's lock was "
                     "released (see `corsdeploy history` for what an apply had changed)"])
            return ExitCode.TERMINATED if terminated else ExitCode.INTERRUPTED
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


# Names and messages are escaped for markup, not for emoji codes: `:smile:` in an API's name stays text.
def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True, emoji=False)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def _load(name: str, *, for_aws: bool = True) -> Environment:
    from corsdeploy.config import load_environment

    environment = load_environment(_env_dir(), name)
    return _with_parallelism(_on_sandbox_url(environment), _parallelism()) if for_aws else environment


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


def _parallelism() -> int | None:
    """`--parallelism`, when given (read on the command's thread: the click context is thread-local)."""
    value: int | None = click.get_current_context().find_root().meta.get("corsdeploy.parallelism")
    return value


def _with_parallelism(environment: Environment, parallelism: int | None) -> Environment:
    if parallelism is None:
        return environment
    return replace(environment, aws=replace(environment.aws, parallelism=parallelism))


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


_PARALLELISM = click.option(
    "--parallelism", type=click.IntRange(min=1, max=MAX_PARALLELISM), metavar="N", expose_value=False,
    callback=_remember("parallelism"),
    help=f"Concurrent AWS calls for S3 and Lambda (default {DEFAULT_PARALLELISM}; per environment with "
         "--all); API Gateway calls are paced to its quotas whatever N is.")
_LOCK_TIMEOUT = click.option(
    "--lock-timeout", type=click.FloatRange(min=0), default=0, metavar="SECONDS",
    help="Wait up to SECONDS for another writer's lock on the environment (default: fail at once).")


def _format_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                        show_default=True, help=f"text for people; json for scripts ({what} on stdout).")


@cli.command(short_help="Read live CORS and show what apply would change.",
             epilog=_example("corsdeploy plan --env prod",
                             "corsdeploy plan --env prod --detailed-exitcode --format json",
                             "corsdeploy plan --env prod --out prod.plan.json",
                             "corsdeploy plan --all --detailed-exitcode"))
@click.option("--env", "env_name", metavar="NAME", help="Environment name (environments/NAME.yaml).")
@click.option("--all", "all_envs", is_flag=True, help="Plan every environment; one summary line each.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="text for people; json for scripts (the plan document on stdout); "
              "markdown for a pull-request comment.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes, 0 when none.")
@_TARGET
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also save the plan to FILE, for `corsdeploy apply FILE`.")
@_PARALLELISM
@common_options
def plan(env_name: str | None, all_envs: bool, output_format: str, detailed_exitcode: bool,
         targets: tuple[str, ...], out_file: Path | None) -> int:
    """Read live CORS and show what apply would change."""
    from corsdeploy.engine import plan_environment

    names = _chosen_environments(env_name, all_envs)
    if all_envs:
        return _plan_all(names, output_format, detailed_exitcode, targets, out_file)
    environment = _load(names[0])
    with _reading(environment, targets) as on_read:
        run = plan_environment(environment, targets, on_read=on_read)
    if out_file is not None:
        _save_plan(run, out_file)
    _show_plan(run, output_format, _stdout())
    if detailed_exitcode and run.plan.has_changes:
        return ExitCode.CHANGES
    return ExitCode.OK


def _show_plan(run: PlanRun, output_format: str, console: Console) -> None:
    if output_format == "json":
        from corsdeploy.render.json_view import dumps, plan_document

        click.echo(dumps(plan_document(run.plan)))
    elif output_format == "markdown":
        from corsdeploy.render.markdown import plan_markdown

        click.echo(plan_markdown(run.plan), nl=False)
    else:
        from corsdeploy.render.text import render_plan

        render_plan(run.plan, console)


@cli.command(short_help="Plan, ask, then make live CORS match the environment (or apply a saved plan).",
             epilog=_example("corsdeploy apply --env prod",
                             "corsdeploy apply --env prod --auto-approve --target s3_bucket.assets",
                             "corsdeploy apply prod.plan.json"))
@click.argument("plan_file", metavar="[FILE]", required=False,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--env", "env_name", metavar="NAME",
              help="Environment name (environments/NAME.yaml); with FILE, the plan's environment must be it.")
@click.option("--auto-approve", is_flag=True,
              help="Apply without asking (needed when there is no terminal; a saved plan never asks).")
@_format_option("the apply result; the plan goes to stderr")
@_TARGET
@_LOCK_TIMEOUT
@_PARALLELISM
@common_options
def apply(plan_file: Path | None, env_name: str | None, auto_approve: bool, output_format: str,
          targets: tuple[str, ...], lock_timeout: float) -> int:
    """Plan, ask, then make live CORS match the environment (holding the environment's lock, backing up
    what it replaces, and recording the apply in its history).

    With FILE, apply a plan saved by `corsdeploy plan --out FILE` exactly, without asking: the
    reviewed plan is the approval. It is refused, and nothing written, when any target's live
    state changed since the plan was made (stale), or the file was edited.
    """
    if plan_file is not None:
        return _apply_saved(plan_file, env_name, output_format, targets, lock_timeout)
    if not env_name:
        raise click.UsageError("give --env NAME, or a saved plan FILE", click.get_current_context())
    _require_terminal(auto_approve, "apply", "review `corsdeploy plan` and pass --auto-approve")
    from corsdeploy.engine import apply_run, plan_environment, write_session
    from corsdeploy.render.text import render_plan

    environment = _load(env_name)
    # With --format json, stdout carries only the result document.
    human = _stderr() if output_format == "json" else _stdout()
    interruption = Interruption()
    with write_session(environment, lock_timeout=lock_timeout, waiting=_waiting(lock_timeout)) as session:
        with _reading(environment, targets) as on_read:
            run = plan_environment(environment, targets, session.clients, on_read)
        render_plan(run.plan, human)
        if run.plan.has_changes and not auto_approve and not _confirm(human):
            raise CorsdeployError("apply cancelled; nothing was changed")
        result = _writing(run.plan, output_format, human, interruption,
                          lambda watch: apply_run(run, session, watch))
    return _show_apply(result, output_format, human, interruption)


def _show_apply(result: ApplyResult, output_format: str, human: Console, interruption: Interruption) -> int:
    """The end of a write: the JSON result, or the summary under the lines printed as each resource
    finished; after a signal, what was changed and where its backup is, and the signal's exit status."""
    from corsdeploy.render.json_view import apply_document, dumps
    from corsdeploy.render.text import apply_summary, interrupted_lines

    if output_format == "json":
        click.echo(dumps(apply_document(result)))
    elif not result.interrupted:
        human.print(apply_summary(result))
    if result.backup_location is not None:
        human.print(f"Backups of what was replaced: {printable(result.backup_location)}/", markup=False)
    if not result.interrupted:
        return ExitCode.OK if result.ok else ExitCode.ERROR
    for line in interrupted_lines(result):
        human.print(line, markup=False)
    status = ExitCode.TERMINATED if interruption.signal == signal.SIGTERM else ExitCode.INTERRUPTED
    if interruption.abandon.is_set():
        # Told to stop at once: the record is written and the lock released, but the writes still
        # verifying would hold the interpreter's exit until they end.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


@contextlib.contextmanager
def _reading(environment: Environment, targets: Sequence[str]) -> Iterator[Callable[[str], None]]:
    """A bar (on a terminal) while the targets' live state is read; yields what each read reports to."""
    from corsdeploy.render.progress import progress_bar

    with progress_bar("reading", len(targets) or len(environment.resources)) as bar:
        yield lambda _address: bar.advance()


def _writing(plan: Plan, output_format: str, human: Console, interruption: Interruption,
             write: Callable[[WriteWatch], ApplyResult]) -> ApplyResult:
    """Run a write path with a bar (on a terminal), each resource's line printed as it finishes (text
    format), and SIGINT and SIGTERM routed to `interruption` while it writes."""
    from corsdeploy.engine import WriteWatch
    from corsdeploy.plan import Action
    from corsdeploy.render.progress import progress_bar
    from corsdeploy.render.text import result_line

    changes = sum(c.action is not Action.NOOP for c in plan.changes)
    with progress_bar("applying", changes) as bar:
        def done(result: Result) -> None:
            if result.action is not Action.NOOP:
                bar.advance()
            line = result_line(result)
            if output_format == "text" and line is not None:
                bar.print_above(human, line)

        return write(WriteWatch(interruption, done))


def _waiting(lock_timeout: float) -> Callable[[LockInfo], None]:
    """Says once, on stderr, whose lock a writer is waiting for."""
    def say(holder: LockInfo) -> None:
        _stderr().print(f"waiting up to {lock_timeout:g}s: {printable(holder.holder())}", markup=False)
    return say


def _require_terminal(auto_approve: bool, command: str, hint: str) -> None:
    """Without --auto-approve a write asks; with no terminal to ask on it stops at once, never waiting."""
    if not auto_approve and not sys.stdin.isatty():
        raise CorsdeployError(f"{command} needs confirmation but there is no terminal to ask on; {hint}")


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
    from corsdeploy.render.progress import progress_bar
    from corsdeploy.sandbox.seed import seed_environment

    clients = Clients(AwsSettings(region=environment.aws.region, endpoint_url=url),
                      credentials={"aws_access_key_id": "testing", "aws_secret_access_key": "testing"})
    console = _stderr()
    with progress_bar("creating", len(environment.resources)) as bar:
        def ready(address: str) -> None:
            bar.advance()
            bar.print_above(console, f"  ready: {escape(printable(address))}")

        seed_environment(clients, environment, ready)


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


def _save_plan(run: PlanRun, out_file: Path) -> None:
    from corsdeploy.planfile import plan_document, write_plan

    write_plan(out_file, plan_document(run.environment, run.planned, run.plan.target))
    _stderr().print(f"Plan saved to {printable(str(out_file))}; apply it with "
                    f"`corsdeploy apply {printable(str(out_file))}`", markup=False)


def _plan_all(names: list[str], output_format: str, detailed_exitcode: bool, targets: tuple[str, ...],
              out_file: Path | None) -> int:
    """`plan --all`: every environment planned at once, one summary line each."""
    if targets or out_file is not None:
        raise click.UsageError("--all plans whole environments: --target and --out need --env NAME",
                               click.get_current_context())
    if output_format == "markdown":
        raise click.UsageError("--all prints one summary line per environment: use text or json, or "
                               "--format markdown with --env NAME", click.get_current_context())
    from corsdeploy.config import load_environment
    from corsdeploy.engine import plan_all
    from corsdeploy.render.all_plans import all_plans_document, render_all_plans

    env_dir, parallelism = _env_dir(), _parallelism()  # the planning threads cannot see the context
    plans = plan_all(names, lambda name: _with_parallelism(_on_sandbox_url(load_environment(env_dir, name)),
                                                           parallelism))
    if output_format == "json":
        from corsdeploy.render.json_view import dumps

        click.echo(dumps(all_plans_document(plans)))
    else:
        render_all_plans(plans, _stdout())
    failed = [p.name for p in plans if p.plan is None]
    if failed:
        _report([f"could not plan {', '.join(failed)}"])
        return ExitCode.ERROR
    if detailed_exitcode and any(p.plan is not None and p.plan.has_changes for p in plans):
        return ExitCode.CHANGES
    return ExitCode.OK


def _apply_saved(plan_file: Path, env_name: str | None, output_format: str, targets: tuple[str, ...],
                 lock_timeout: float) -> int:
    """`apply FILE`: the saved plan exactly, never asking (--auto-approve is accepted and ignored)."""
    if targets:
        raise click.UsageError("a saved plan is applied whole; plan again with --target to apply less",
                               click.get_current_context())
    from corsdeploy.engine import apply_saved_plan, write_session
    from corsdeploy.planfile import read_plan
    from corsdeploy.render.text import render_plan

    if not plan_file.exists():
        raise CorsdeployError(f"no saved plan at {plan_file}; to plan and apply an environment, "
                              "give --env NAME")
    saved = read_plan(plan_file)
    if env_name is not None and env_name != saved.environment.name:
        raise CorsdeployError(f"{plan_file} is a plan for environment {saved.environment.name!r}, "
                              f"not {env_name!r}; nothing was changed")
    saved = replace(saved, environment=_with_parallelism(_on_sandbox_url(saved.environment), _parallelism()))
    human = _stderr() if output_format == "json" else _stdout()
    human.print(f"Applying the plan saved in {printable(str(plan_file))} at {printable(saved.created_at)}",
                markup=False)
    render_plan(saved.plan, human)
    waiting = _waiting(lock_timeout)
    interruption = Interruption()
    with write_session(saved.environment, lock_timeout=lock_timeout, waiting=waiting) as session:
        result = _writing(saved.plan, output_format, human, interruption,
                          lambda watch: apply_saved_plan(saved, session, watch))
    return _show_apply(result, output_format, human, interruption)


@cli.command(short_help="Put back what the last (or a named) apply overwrote, from its backups.",
             epilog=_example("corsdeploy rollback --env prod",
                             "corsdeploy rollback --env prod --to 20261123T140501Z-3f2a --auto-approve"))
@_ENV
@click.option("--to", "apply_id", metavar="APPLY_ID",
              help="The apply to undo (default: the last one that replaced anything; see `history`).")
@click.option("--auto-approve", is_flag=True,
              help="Roll back without asking (needed when there is no terminal).")
@_format_option("the rollback result; the plan goes to stderr")
@_LOCK_TIMEOUT
@_PARALLELISM
@common_options
def rollback(env_name: str, apply_id: str | None, auto_approve: bool, output_format: str,
             lock_timeout: float) -> int:
    """Put back the configurations an apply overwrote (CORS or no CORS, every kind), through the same
    plan, confirm and apply path as apply: under the environment's lock, backed up, recorded in the
    history, and refused if a target changed while the prompt waited. A rollback can be rolled back."""
    _require_terminal(auto_approve, "rollback", "pass --auto-approve")
    from corsdeploy.engine import apply_rollback, rollback_plan, write_session
    from corsdeploy.render.text import render_plan

    environment = _load(env_name)
    human = _stderr() if output_format == "json" else _stdout()
    interruption = Interruption()
    with write_session(environment, operation="rollback", lock_timeout=lock_timeout,
                       waiting=_waiting(lock_timeout)) as session:
        run = rollback_plan(session, apply_id)
        human.print(f"Rolling back apply {run.apply_id}: putting back what it replaced", markup=False)
        render_plan(run.plan, human)
        if run.plan.has_changes and not auto_approve and not _confirm(human):
            raise CorsdeployError("rollback cancelled; nothing was changed")
        result = _writing(run.plan, output_format, human, interruption,
                          lambda watch: apply_rollback(session, run, watch))
    return _show_apply(result, output_format, human, interruption)


@cli.command(short_help="List past applies of an environment, newest first.",
             epilog=_example("corsdeploy history --env prod", "corsdeploy history --env prod --format json"))
@_ENV
@_format_option("the history document")
@common_options
def history(env_name: str, output_format: str) -> int:
    """List past applies (id, time, caller, addresses changed, outcome), from the environment's state."""
    from corsdeploy.engine import environment_history

    listing = environment_history(_load(env_name))
    if output_format == "json":
        from corsdeploy.render.history import history_document
        from corsdeploy.render.json_view import dumps

        click.echo(dumps(history_document(listing)))
    else:
        from corsdeploy.render.history import render_history

        render_history(listing, _stdout())
    return ExitCode.OK


@cli.command(short_help="Release an environment's lock left by a crashed run.",
             epilog=_example("corsdeploy unlock --env prod 3f2a9c1d0b7e4a55"))
@_ENV
@click.argument("lock_id", metavar="LOCK_ID")
@common_options
def unlock(env_name: str, lock_id: str) -> int:
    """Release the lock LOCK_ID on an environment, left by a run that crashed (the message that
    refused the next apply names it). Refuses any other lock."""
    from corsdeploy.engine import unlock_environment

    released = unlock_environment(_load(env_name), lock_id)
    _stderr().print(f"released {printable(released.holder())}", markup=False)
    return ExitCode.OK


@cli.command(short_help="Print the least-privilege IAM policy an environment needs.",
             epilog=_example("corsdeploy permissions --env prod > corsdeploy-apply.json",
                             "corsdeploy permissions --env prod --read-only > corsdeploy-plan.json"))
@_ENV
@click.option("--read-only", is_flag=True, help="Only what plan needs (apply and rollback also write).")
@common_options
def permissions(env_name: str, read_only: bool) -> int:
    """Print the least-privilege IAM policy (JSON) that plan, or apply and rollback, need for exactly
    this environment's resources: resource ARNs, never "*". Reads AWS only for ids the file does not
    give (APIs named by name, a REST API's resources for its writes, the account for Lambda ARNs)."""
    from corsdeploy.engine import environment_permissions

    result = environment_permissions(_load(env_name), read_only)
    click.echo(json.dumps(result.document, indent=2))
    for note in result.notes:
        _stderr().print(f"Note: {printable(note)}", markup=False)
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


@cli.command(short_help="Simulate a browser request: the AWS service's answer and the browser's verdict.",
             epilog=_example(
                 "corsdeploy check --env prod --resource s3_bucket.assets --origin https://app.example.com "
                 "--method PUT --header content-type",
                 "corsdeploy check --env prod --resource http_api.orders --origin https://app.example.com "
                 "--method GET --actual --credentials --live --format json",
                 "corsdeploy check --env prod --from-browser-error \"$(pbpaste)\"",
                 "pbpaste | corsdeploy check --env prod --from-browser-error - --origin https://app.example.com"))
@_ENV
@click.option("--resource", "address", metavar="ADDR",
              help="The resource the request goes to, e.g. s3_bucket.assets (with --from-browser-error: "
              "instead of the one serving the message's URL).")
@click.option("--origin", metavar="ORIGIN",
              help="The page's origin, e.g. https://app.example.com.")
@click.option("--method", metavar="METHOD",
              help="The request's method (a preflight's Access-Control-Request-Method).")
@click.option("--header", "headers", multiple=True, metavar="NAME",
              help="A header the page sets (repeatable, or comma-separated names).")
@click.option("--actual", is_flag=True, help="Evaluate the request itself, not its preflight.")
@click.option("--credentials", is_flag=True,
              help="The page sends credentials (cookies, HTTP authentication).")
@click.option("--path", metavar="PATH",
              help="The URL path, for services that answer per path (REST API resources).")
@click.option("--live", is_flag=True,
              help="Evaluate the live configuration (reads AWS) instead of the file's.")
@click.option("--from-browser-error", "browser_error", metavar="TEXT",
              help="A browser console's CORS error (Chrome, Firefox, Safari), pasted as it is (`-`: read it "
              "from stdin): the request is read from it, and the smallest change to the file that allows it "
              "is suggested. --origin, --method and --header fill in what the message leaves out.")
@_format_option("the check document")
@common_options
def check(env_name: str, address: str | None, origin: str | None, method: str | None,
          headers: tuple[str, ...], actual: bool, credentials: bool, path: str | None, live: bool,
          browser_error: str | None, output_format: str) -> int:
    """Evaluate one browser request against a resource's CORS the way the AWS service does (preflight
    unless --actual), against the file's configuration or with --live the live one, and say whether
    the browser lets it through, and why. Exit 0 whatever the verdict."""
    from corsdeploy.simulate.browser import normalize_method
    from corsdeploy.simulate.request import BrowserRequest

    if browser_error is not None:
        from corsdeploy.simulate.browser_error import Given

        if path is not None:
            raise click.UsageError("--path is read from the message's URL", click.get_current_context())
        given = Given(origin, method, _header_names(headers), credentials, actual)
        return _check_browser_error(env_name, _message(browser_error), given, address, live, output_format)
    if address is None or origin is None or method is None:
        raise click.UsageError("give --resource, --origin and --method (or --from-browser-error TEXT)",
                               click.get_current_context())

    request = BrowserRequest(origin, normalize_method(method), _header_names(headers),
                             preflight=not actual, credentials=credentials, path=path)
    environment = _load(env_name, for_aws=live)
    if live:
        from corsdeploy.engine import check_request

        answer = check_request(environment, address, request, live=True)
    else:  # the engine would import boto3: a check of the file works offline, and starts fast
        from corsdeploy.simulate import check as simulate
        from corsdeploy.simulate import resource_at

        answer = simulate(resource_at(environment, address), request)
    if output_format == "json":
        from corsdeploy.render.check import check_document
        from corsdeploy.render.json_view import dumps

        click.echo(dumps(check_document(answer)))
    else:
        from corsdeploy.render.check import render_check

        render_check(answer, request, _stdout())
    return ExitCode.OK


def _message(value: str) -> str:
    """--from-browser-error's text; `-` reads it from stdin (no more than the parser accepts, plus one
    character so that a longer text is refused rather than cut)."""
    from corsdeploy.simulate.browser_error import MAX_MESSAGE_CHARS

    if value != "-":
        return value
    # Bytes, decoded leniently: a console copied in another encoding is still a message to read.
    stdin: BinaryIO | None = getattr(sys.stdin, "buffer", None)
    if stdin is None:
        return sys.stdin.read(MAX_MESSAGE_CHARS + 1)
    return stdin.read(4 * (MAX_MESSAGE_CHARS + 1)).decode("utf-8", "replace")[:MAX_MESSAGE_CHARS + 1]


def _check_browser_error(env_name: str, text: str, given: Given, address: str | None, live: bool,
                         output_format: str) -> int:
    """`check --from-browser-error`: offline without --live (the engine would import boto3). The
    sandbox's URL applies either way: the browser names the URL it really used."""
    environment = _load(env_name)
    if live:
        from corsdeploy.engine import check_browser_error

        result = check_browser_error(environment, text, given, address)
    else:
        from corsdeploy.lint.engine import lint_environment
        from corsdeploy.simulate.from_browser_error import check_from_browser_error
        from corsdeploy.simulate.urls import endpoint_overrides

        result = check_from_browser_error(environment, text, given, lint_environment,
                                          endpoint_overrides(environment.aws, os.environ), address=address)
    if output_format == "json":
        from corsdeploy.render.browser_error import browser_error_document
        from corsdeploy.render.json_view import dumps

        click.echo(dumps(browser_error_document(result)))
    else:
        from corsdeploy.render.browser_error import render_browser_error

        render_browser_error(result, environment.name, _stdout())
    return ExitCode.OK


def _header_names(values: Sequence[str]) -> tuple[str, ...]:
    """`--header` values as header names: each may list several, comma-separated (as
    Access-Control-Request-Headers does)."""
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


@cli.command(short_help="Send real CORS requests to the deployed endpoints and compare with check.",
             epilog=_example("corsdeploy probe --env prod", "corsdeploy probe --env sandbox --format json",
                             "corsdeploy probe --env prod --target s3_bucket.assets --timeout 5"))
@_ENV
@_format_option("every request, prediction and answer")
@_TARGET
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None, metavar="SECONDS",
              help="Give up on a request after SECONDS (default: 10).")
@common_options
def probe(env_name: str, output_format: str, targets: tuple[str, ...], timeout: float | None) -> int:
    """Send real preflight and actual requests to each resource's deployed endpoint (the S3 bucket
    URL, the API's stage URL, the function URL; only the endpoint override under one) from the
    origins the configuration allows and from attack origins (an unrelated site, null, look-alikes,
    the http:// downgrade), and compare every answer with what `check` predicts for the live
    configuration. Exit 1 if any answer disagrees or a request fails."""
    from corsdeploy.engine import probe_environment

    report = probe_environment(_load(env_name), targets, timeout)
    if output_format == "json":
        from corsdeploy.render.json_view import dumps
        from corsdeploy.render.probe import probe_document

        click.echo(dumps(probe_document(report)))
    else:
        from corsdeploy.render.probe import render_probe

        render_probe(report, _stdout())
    return ExitCode.OK if report.ok else ExitCode.ERROR


@cli.command("lint", short_help="Security and correctness findings in environment files; no AWS call.",
             epilog=_example("corsdeploy lint --all", "corsdeploy lint --env prod --fail-on warning",
                             "corsdeploy lint --all --format sarif > corsdeploy.sarif"))
@click.option("--env", "env_name", metavar="NAME", help="Environment to lint (environments/NAME.yaml).")
@click.option("--all", "all_envs", is_flag=True, help="Lint every environment in the folder.")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="text for people; json for scripts; sarif for code scanning "
              "(GitHub's upload-sarif).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="error",
              show_default=True, help="Exit 1 when any finding is this severe or more.")
@common_options
def lint_command(env_name: str | None, all_envs: bool, output_format: str, fail_on: str) -> int:
    """Security and correctness findings for the CORS in environment files, each with its rule id,
    file and line. Reads files only, never AWS. A file validate refuses is reported too: each problem
    is a finding, beside the findings on the resources that still load. A resource silences a rule
    with `lint_ignore: {RULE: "reason"}`."""
    from corsdeploy.lint.engine import lint_environments
    from corsdeploy.lint.rule import Severity

    findings = lint_environments(_env_dir(), _chosen_environments(env_name, all_envs))
    if output_format == "json":
        from corsdeploy.render.json_view import dumps
        from corsdeploy.render.lint_json import lint_document

        click.echo(dumps(lint_document(findings)))
    elif output_format == "sarif":
        from corsdeploy.render.json_view import dumps
        from corsdeploy.render.sarif import sarif_document

        click.echo(dumps(sarif_document(findings)))
    else:
        from corsdeploy.render.lint_text import render_findings

        click.echo(render_findings(findings), nl=False)
    threshold = Severity(fail_on).rank
    return ExitCode.ERROR if any(f.severity.rank >= threshold for f in findings) else ExitCode.OK


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point (`corsdeploy`)."""
    cli.main(args=argv, prog_name="corsdeploy")
