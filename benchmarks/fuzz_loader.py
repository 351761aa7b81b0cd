"""Fuzz what corsdeploy reads from files and pastes: environment files, saved plans (`apply FILE`),
history records and backups (`history`, `rollback`) and `check --from-browser-error` text. Every
input must end in a valid result or clean one-line errors, and read no file outside its project
and write none outside the state folder.

Fixed seed, so a run is repeatable; `--seconds` bounds it (`make test` runs it briefly, a person can
run it for hours). Each input is loaded in a forked child under an address-space limit and a
timeout, so a hang or a blow-up is caught and counted, never fatal. Prints inputs tried by class,
outcomes (valid / clean error / internal error / timeout), the worst time and the worst peak memory;
exits 1 when any input crashed, hung, broke a bound or printed an unclean message, and saves those
inputs (`--save DIR`) to become regression tests.

    python benchmarks/fuzz_loader.py --seconds 60 [--seed 7] [--jobs 2] [--save fuzz-failures]
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import random
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from rich.console import Console

from corsdeploy.cli import cli
from corsdeploy.config import bounds, load_file
from corsdeploy.engine import open_store
from corsdeploy.errors import ConfigError, CorsdeployError
from corsdeploy.planfile import content_digest, read_plan
from corsdeploy.render.text import render_plan
from corsdeploy.state.backups import Backups
from corsdeploy.state.history import History

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "environments").glob("*.yaml"))
MEMORY_LIMIT = 1024**3  # address space per input: "well under 1 GiB"
TIMEOUT = 10.0  # seconds per input by default: "within seconds"
OUTCOMES = ("valid", "clean error", "internal error", "timeout")
# Real seeds: a plan saved by `plan --out`, the history record and a backup of its apply (against moto's
# server), the environment they came from, and the browser messages the tests hold, as captured.
SEEDS = Path(__file__).resolve().parent / "fuzz_seeds"
BROWSER_MESSAGES = sorted((ROOT / "tests" / "data" / "browser_errors").glob("*/*.txt"))
# URLs the seed environment serves, put into browser messages so they reach the simulator.
SERVED_URLS = ["https://uploads.s3.eu-west-1.amazonaws.com/photo.jpg", "https://assets.s3.amazonaws.com/a.css",
               "https://uploads.s3.amazonaws.com/", "http://127.0.0.1:47613/uploads/x"]
_URL = re.compile(r"https?://[^\s'\"()<>]+")
# Values put anywhere in a JSON document: wrong types, extremes, paths, escapes, names of other things.
HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, 2**70, 1e308, math.nan, "", "x" * 5000, "\x1b[31mred\x07", "\u202e", "\0",
    "../../../etc/passwd", "/etc/passwd", "/proc/self/environ", "s3_bucket.../../x", "s3_bucket.uploads",
    "http_api.orders", "rest_api.x", "function_url.f", "nope.x", "20261124T162022Z-3369", "../history",
    "20261124T162022Z-3369/../../x", "prod", "../prod", "applied", "failed", "incomplete", "create", "delete",
    "update", "noop", "import", [], {}, [None], [[]], {"": None}, {"CORSRules": "x"}, {"CORSRules": [{}]},
    {"AllowOrigins": ["*"], "AllowCredentials": True}, ["GET"] * 200, "sha256:" + "0" * 64,
]

# Pieces that have broken YAML loaders, corsdeploy's among them.
TOKENS = [
    "\0", "\x07", "\x1b[2J", "\ufffe", "\u202e", "\r", "\n", "\t", "'", '"', "\\", ":", "- ", "? ", "{",
    "}",
    "[", "]", ",", "&a ", "*a", "<<: *a", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ",
    "!!set ", "!!python/object/apply:os.system ", "!custom ", "!!str ", '"\\ud800"', '"\\udfff"',
    '"\\U00110000"', '"\\0"', '"\\x00"', "${", "$${", "${a}", "${nope}", "0x_", "._", "1e999", ".nan",
    "9" * 4400, "2001-13-45", "~", "null", "yes", "---", "...", "%YAML 1.1\n", "#", "|", ">", "absent",
    "extends: /proc/self/environ", "extends: ../../etc/passwd", "extends: _base.yaml", 'extends: "a\\0b"',
    "extends: " + "x" * 300, "cors: {}", "cors: []", "AllowCredentials: true", "AllowOrigins: ['*']",
]
KEYS = ["aws", "state", "vars", "extends", "policies", "s3_buckets", "http_apis", "rest_apis",
        "function_urls",
        "cors", "AllowedOrigins", "AllowedMethods", "AllowOrigins", "AllowMethods", "MaxAge", "stage", "id",
        "region", "account_id", "endpoint_url", "lint_ignore", "gateway_responses", "resources"]
SCALARS = ["GET", "PUT", "*", "https://app.example.com", "eu-west-1", "123456789012", "absent", "${v0}", 3000,
           -1, 2**40, 0.5, True, None, "", "a" * 300, "x\ny", "\x1b[31m"]


def random_value(rng: random.Random, depth: int = 0) -> object:
    """A random structure shaped loosely like an environment file."""
    roll = rng.random()
    if depth > 4 or roll < 0.4:
        return rng.choice(SCALARS)
    if roll < 0.7:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {(rng.choice(KEYS) if rng.random() < 0.8 else f"k{rng.randint(0, 9)}"):
            random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 5))}


def random_yaml(rng: random.Random) -> bytes:
    data = {rng.choice(KEYS[:9]): random_value(rng, 1) for _ in range(rng.randint(1, 6))}
    return yaml.safe_dump(data, default_flow_style=rng.random() < 0.5, allow_unicode=True).encode()


def mutate(rng: random.Random, data: bytes) -> bytes:
    """A few byte-level and token-level edits: flips, insertions, deletions, duplications, truncation."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        where = rng.randint(0, len(out))
        kind = rng.random()
        if kind < 0.35:
            out[where:where] = rng.choice(TOKENS).encode("utf-8", "surrogatepass")
        elif kind < 0.5 and out:
            out[min(where, len(out) - 1)] = rng.randrange(256)
        elif kind < 0.65:
            del out[where:where + rng.randint(1, 20)]
        elif kind < 0.8:
            out[where:where] = out[max(0, where - rng.randint(1, 80)):where]
        else:
            del out[where:]
    return bytes(out)


def mutated_example(rng: random.Random) -> bytes:
    return mutate(rng, rng.choice(EXAMPLES).read_bytes()) if EXAMPLES else random_yaml(rng)


def alias_bomb(rng: random.Random) -> bytes:
    width, levels = rng.randint(2, 12), rng.randint(5, 12)
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return ("\n".join(lines) + "\n").encode()


def doubling_vars(rng: random.Random) -> bytes:
    count = rng.randint(10, 40)
    body = "".join(f"  v{i + 1}: '${{v{i}}}${{v{i}}}'\n" for i in range(count))
    return f"vars:\n  v0: {'x' * rng.randint(1, 16)}\n{body}state: ${{v{count}}}\n".encode()


def vars_cycle(rng: random.Random) -> bytes:
    size = rng.choice([2, 50, 200, 1000, 5000])
    return ("vars:\n" + "".join(f"  v{i}: 'x${{v{(i + 1) % size}}}'\n" for i in range(size))).encode()


def deep_nesting(rng: random.Random) -> bytes:
    depth = rng.randint(bounds.MAX_DEPTH - 2, 5000)
    return (b"[" * depth + b"]" * depth) if rng.random() < 0.5 else b"".join(
        b"  " * i + b"k:\n" for i in range(depth)) + b"  " * depth + b"x\n"


def big_file(rng: random.Random) -> bytes:
    most = bounds.MAX_FILE_BYTES
    size = rng.choice([most - 100, most + 1, 10 * most])
    return b"[" + b",".join([b"a"] * (size // 2)) + b"]\n"


def many_resources(rng: random.Random) -> bytes:
    count = rng.choice([1000, 10_000])
    bad = rng.random() < 0.5  # every name misspelt: thousands of problems, each with a did-you-mean
    origin, method = ("orign", "GTE") if bad else ("origin", "GET")
    rule = f"[{{AllowedOrigins: ['${{{origin}}}'], AllowedMethods: [{method}]}}]"
    rows = "".join(f"  bucket-{i}:\n    cors: {rule}\n" for i in range(count))
    return f"vars:\n  origin: https://app.example.com\ns3_buckets:\n{rows}".encode()


def hostile_scalar(rng: random.Random) -> bytes:
    token = rng.choice(TOKENS)
    return mutate(rng, f"aws:\n  region: {token}x\nstate: {token}\n".encode("utf-8", "surrogatepass"))


# --- saved plans, history records and backups, browser messages -------------------------------------


def _places(node: Any, places: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Every (container, key or index) in a JSON document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        places.append((node, key))
        _places(value, places)
    return places


def _hostile_value(rng: random.Random) -> Any:
    # A copy: the same list placed twice and then edited inside could come to hold itself.
    return copy.deepcopy(rng.choice(HOSTILE_VALUES))


def mutate_json(rng: random.Random, document: Any) -> Any:
    """A few structural edits: a value replaced by a hostile one, removed, duplicated or deepened."""
    for _ in range(rng.randint(1, 4)):
        places = _places(document, [])
        if not places:
            return _hostile_value(rng)
        container, key = rng.choice(places)
        kind = rng.random()
        if kind < 0.55:
            container[key] = _hostile_value(rng)
        elif kind < 0.7:
            del container[key]
        elif kind < 0.85 and isinstance(container, list):
            container.insert(key, json.loads(json.dumps(container[key])))
        elif kind < 0.85:
            container[f"{key}{rng.choice(['', '_', ' '])}"] = _hostile_value(rng)
        else:
            container[key] = [container[key]] if rng.random() < 0.5 else {"x": container[key]}
    return document


def _json_bytes(document: Any) -> bytes:
    return json.dumps(document, indent=2, sort_keys=True).encode()


def saved_plan(rng: random.Random) -> bytes:
    """The seed plan edited: as bytes (the digest refuses it), or as JSON with the digest made to match,
    as someone who means harm would, so the reader behind the digest is reached."""
    seed = (SEEDS / "plan.json").read_bytes()
    if rng.random() < 0.25:
        return mutate(rng, seed)
    document = mutate_json(rng, json.loads(seed))
    if isinstance(document, dict) and rng.random() < 0.95:
        document["digest"] = content_digest(document)
    return _json_bytes(document)


def history_record(rng: random.Random) -> bytes:
    """The seed history record edited; starts with `H`, or `B` when it is the backup that is edited."""
    which = "history.json" if rng.random() < 0.6 else "backup.json"
    seed = (SEEDS / which).read_bytes()
    data = mutate(rng, seed) if rng.random() < 0.3 else _json_bytes(mutate_json(rng, json.loads(seed)))
    return which[:1].upper().encode() + data


def browser_message(rng: random.Random) -> bytes:
    """A captured Chrome, Firefox or Safari message, mostly about a URL the seed environment serves."""
    text = rng.choice(BROWSER_MESSAGES).read_text()
    if rng.random() < 0.8:
        text = _URL.sub(lambda _: rng.choice(SERVED_URLS), text)
    data = text.encode()
    if rng.random() < 0.85:
        return mutate(rng, data)
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 400)))


CLASSES: dict[str, Callable[[random.Random], bytes]] = {
    "random YAML": lambda rng: mutate(rng, random_yaml(rng)) if rng.random() < 0.5 else random_yaml(rng),
    "mutated example": mutated_example,
    "hostile scalar": hostile_scalar,
    "alias bomb": alias_bomb,
    "doubling vars": doubling_vars,
    "vars cycle": vars_cycle,
    "deep nesting": deep_nesting,
    "big file": big_file,
    "many resources": many_resources,
    "saved plan": saved_plan,
    "history record": history_record,
    "browser message": browser_message,
}
# How often each class is drawn: the cheap, varied ones most.
WEIGHTS = {"random YAML": 30, "mutated example": 40, "hostile scalar": 20, "alias bomb": 2,
           "doubling vars": 2, "vars cycle": 2, "deep nesting": 2, "big file": 1, "many resources": 1,
           "saved plan": 40, "history record": 40, "browser message": 40}


def clean(line: str) -> bool:
    """One printable line, no escape sequences, bounded."""
    return line.isprintable() and len(line) < 2000


def load_in_child(path: Path) -> tuple[str, str]:
    """The outcome of loading one file, and a detail (the traceback of an internal error)."""
    try:
        load_file(path)
    except ConfigError as error:
        if not all(clean(str(problem)) for problem in error.problems):
            return "internal error", "unclean message: " + repr(str(error))[:500]
        return "clean error", ""
    except BaseException:  # everything else is a crash: that is what is being looked for
        return "internal error", traceback.format_exc(limit=6)[-1500:]
    return "valid", ""


@dataclass
class Running:
    pid: int
    read_end: int
    started: float
    kind: str
    data: bytes
    project: Path


@dataclass
class Result:
    kind: str
    outcome: str
    seconds: float
    peak_bytes: int
    detail: str
    data: bytes


def _project(folder: Path, number: int) -> Path:
    """A project of its own for one input: the seed environment, and a state folder to be written."""
    project = folder / f"project{number}"
    (project / "environments").mkdir(parents=True)
    shutil.copy(SEEDS / "prod.yaml", project / "environments" / "prod.yaml")
    return project


def _clean_output(text: str) -> bool:
    """Output a terminal can show as it is: printable lines, no escape sequences."""
    return all(line.isprintable() for line in text.splitlines())


def _cli(args: list[str], stdin: bytes | None = None) -> tuple[str, str]:
    """Run the command as a user would (the CLI's own error handling included) and judge its end."""
    done = CliRunner().invoke(cli, args, input=stdin)
    if "internal error:" in done.stderr or done.exit_code not in (0, 1):
        debug = CliRunner().invoke(cli, [*args, "--debug"], input=stdin)
        return "internal error", f"{args[:4]} exit {done.exit_code}: {debug.stderr[-1500:]}"
    if not (_clean_output(done.stdout) and _clean_output(done.stderr)):
        return "internal error", f"{args[:4]} unclean output: {(done.stdout + done.stderr)[-500:]!r}"
    lines = done.stderr.splitlines()
    if done.exit_code == 1 and not (lines and all(line.startswith("Error: ") for line in lines[-1:])):
        return "internal error", f"{args[:4]} failed without a clean error: {done.stderr[-500:]!r}"
    return ("valid" if done.exit_code == 0 else "clean error"), ""


def apply_saved_plan_offline(project: Path) -> tuple[str, str]:
    """What `apply FILE` does before it opens a session: read the plan and show it."""
    try:
        saved = read_plan(project / "plan.json")
    except CorsdeployError as error:
        return ("clean error" if all(clean(str(p)) for p in error.problems)
                else "internal error"), repr(str(error))[:500]
    shown = StringIO()
    render_plan(saved.plan, Console(file=shown, width=100, color_system=None))
    return ("valid", "") if _clean_output(shown.getvalue()) else ("internal error", shown.getvalue()[-500:])


def _put_history(project: Path, data: bytes) -> None:
    """The seed apply's record and backup in the project's state folder, one of them the input."""
    which, data = data[:1], data[1:]
    apply_id = json.loads((SEEDS / "history.json").read_bytes())["apply_id"]
    history = project / ".corsdeploy" / "history" / "prod"
    backups = project / ".corsdeploy" / "backups" / apply_id
    history.mkdir(parents=True)
    backups.mkdir(parents=True)
    seed_record, seed_backup = (SEEDS / "history.json").read_bytes(), (SEEDS / "backup.json").read_bytes()
    (history / f"{apply_id}.json").write_bytes(data if which == b"H" else seed_record)
    (backups / "s3_bucket.uploads.json").write_bytes(data if which == b"B" else seed_backup)


def read_history(project: Path) -> tuple[str, str]:
    """`history` (text and JSON) and what `rollback` reads before planning: every record's backups."""
    outcome = _cli(["history", "--env", "prod"])
    if outcome[0] == "internal error":
        return outcome
    outcome = _cli(["history", "--env", "prod", "--format", "json"])
    if outcome[0] == "internal error":
        return outcome
    try:
        store = open_store(load_file(project / "environments" / "prod.yaml"))
        for record in History(store).list("prod"):
            Backups(store).load(record.apply_id, "prod")
    except CorsdeployError as error:
        return ("clean error" if all(clean(str(p)) for p in error.problems)
                else "internal error"), repr(str(error))[:500]
    return outcome


def check_browser_message(rng: random.Random, data: bytes) -> tuple[str, str]:
    """`check --from-browser-error -` with the message on stdin, sometimes with --method and --origin."""
    args = ["check", "--env", "prod", "--from-browser-error", "-"]
    if rng.random() < 0.6:
        args += ["--method", rng.choice(["GET", "PUT", "POST", "DELETE"])]
    if rng.random() < 0.3:
        args += ["--origin", "https://app.example.com"]
    if rng.random() < 0.3:
        args += ["--format", "json"]
    return _cli(args, stdin=data)


# Where the interpreter itself reads from (its modules, the character tables), not the input's doing.
_INTERPRETER = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix, str(ROOT / "corsdeploy"), "/dev/null",
                      *(p for p in sys.path if p and p.startswith("/usr"))})


def _watch_files(project: Path, strays: list[str]) -> None:
    """Record each file opened outside the project (for reading) or outside its state folder (for
    writing): the input must not be able to send corsdeploy anywhere else. A name relative to a
    folder descriptor is opened inside the state folder (the only code that opens that way)."""
    state = str(project / ".corsdeploy")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event != "open" or not isinstance(args[0], str):
            return
        path, mode, flags = args
        writes = (mode is not None and any(c in mode for c in "wax+")) or (
            mode is None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if not os.path.isabs(path) and "/" not in path and path != "..":
            return
        where = os.path.normpath(os.path.join(os.getcwd(), path))
        if writes and not where.startswith(state + os.sep):
            strays.append(f"wrote {where}")
        elif not writes and not where.startswith((str(project) + os.sep, *_INTERPRETER)):
            strays.append(f"read {where}")

    sys.addaudithook(hook)


def consume_in_child(kind: str, data: bytes, folder: Path, number: int) -> tuple[str, str]:
    """The outcome of one input, read as the command that takes it reads it, from its own project."""
    if kind not in PROJECT_CLASSES:
        path = folder / "environments" / f"in{number}.yaml"
        return load_in_child(path)
    project = _project(folder, number)
    os.chdir(project)
    if kind == "saved plan":
        (project / "plan.json").write_bytes(data)
    elif kind == "history record":
        _put_history(project, data)
    strays: list[str] = []
    _watch_files(project, strays)
    try:
        outcome = (apply_saved_plan_offline(project) if kind == "saved plan" else
                   read_history(project) if kind == "history record" else
                   check_browser_message(random.Random(number), data))
        if strays:
            return "internal error", "files outside the project: " + "; ".join(strays[:5])
        return outcome
    except BaseException:  # everything else is a crash: that is what is being looked for
        return "internal error", traceback.format_exc(limit=8)[-1500:]


PROJECT_CLASSES = ("saved plan", "history record", "browser message")


def _address_space() -> int:
    """Bytes of address space this process holds already: the CLI's imports reserve about 1 GiB they
    never touch, so the limit is what an input may add on top of that."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmSize:")[1].split()[0]) * 1024


def start(kind: str, data: bytes, folder: Path, number: int) -> Running:
    if kind not in PROJECT_CLASSES:
        (folder / "environments" / f"in{number}.yaml").write_bytes(data)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: limited, loads, reports, exits without cleanup
        os.close(read_end)
        limit = _address_space() + MEMORY_LIMIT
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        outcome, detail = consume_in_child(kind, data, folder, number)
        os.write(write_end, f"{outcome}\n{detail}".encode(errors="replace")[:60_000])
        os._exit(0)
    os.close(write_end)
    return Running(pid, read_end, time.monotonic(), kind, data, folder / f"project{number}")


def finish(job: Running, timed_out: bool) -> Result:
    if timed_out:
        os.kill(job.pid, signal.SIGKILL)
    report = b""
    while not timed_out:
        chunk = os.read(job.read_end, 65536)
        if not chunk:
            break
        report += chunk
    os.close(job.read_end)
    _, status, usage = os.wait4(job.pid, 0)
    shutil.rmtree(job.project, ignore_errors=True)
    seconds = time.monotonic() - job.started
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    if timed_out:
        return Result(job.kind, "timeout", seconds, peak, "", job.data)
    if not report:
        return Result(job.kind, "internal error", seconds, peak, f"child died (status {status})", job.data)
    outcome, _, detail = report.decode(errors="replace").partition("\n")
    return Result(job.kind, outcome, seconds, peak, detail, job.data)


def run(seconds: float, seed: int, jobs: int, save: Path | None, timeout: float = TIMEOUT) -> int:
    rng = random.Random(seed)
    names, weights = list(WEIGHTS), list(WEIGHTS.values())
    tried: Counter[str] = Counter()
    outcomes: dict[str, Counter[str]] = {}
    worst_time: tuple[float, str] = (0.0, "")
    worst_memory: tuple[int, str] = (0, "")
    failures: list[Result] = []
    deadline = time.monotonic() + seconds
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        (folder / "environments").mkdir()
        for example in EXAMPLES:  # so `extends: _base.yaml` in a mutated example finds its base
            (folder / "environments" / example.name).write_bytes(example.read_bytes())
        running: list[Running] = []
        number = 0
        while running or time.monotonic() < deadline:
            while len(running) < jobs and time.monotonic() < deadline:
                kind = rng.choices(names, weights)[0]
                running.append(start(kind, CLASSES[kind](rng), folder, number))
                number += 1
            ready, _, _ = select.select([job.read_end for job in running], [], [], 0.05)
            now = time.monotonic()
            for job in list(running):
                late = now - job.started > timeout
                if job.read_end in ready or late:
                    running.remove(job)
                    result = finish(job, timed_out=late and job.read_end not in ready)
                    tried[result.kind] += 1
                    outcomes.setdefault(result.kind, Counter())[result.outcome] += 1
                    worst_time = max(worst_time, (result.seconds, result.kind))
                    worst_memory = max(worst_memory, (result.peak_bytes, result.kind))
                    if result.outcome in ("internal error", "timeout"):
                        failures.append(result)
    _print_figures(seconds, seed, timeout, tried, outcomes, worst_time, worst_memory, failures)
    if save and failures:
        save.mkdir(parents=True, exist_ok=True)
        for index, failure in enumerate(failures):
            (save / f"failure{index}.yaml").write_bytes(failure.data)
    return 1 if failures else 0


def _print_figures(seconds: float, seed: int, timeout: float, tried: Counter[str],
                   outcomes: dict[str, Counter[str]], worst_time: tuple[float, str],
                   worst_memory: tuple[int, str], failures: list[Result]) -> None:
    total = sum(tried.values())
    print(f"fuzz_loader: {total} inputs in {seconds:.0f} s (seed {seed}); "
          f"limits per input: {timeout:.0f} s, {MEMORY_LIMIT // 1024**2} MiB")
    print(f"{'class':<18}{'tried':>8}" + "".join(f"{name:>16}" for name in OUTCOMES))
    for kind in CLASSES:
        counts = outcomes.get(kind, Counter())
        print(f"{kind:<18}{tried[kind]:>8}" + "".join(f"{counts[name]:>16}" for name in OUTCOMES))
    sums = Counter[str]()
    for counts in outcomes.values():
        sums.update(counts)
    print(f"{'all':<18}{total:>8}" + "".join(f"{sums[name]:>16}" for name in OUTCOMES))
    print(f"worst time: {worst_time[0]:.2f} s ({worst_time[1]}); "
          f"worst peak memory: {worst_memory[0] / 1024**2:.0f} MiB ({worst_memory[1]})")
    for failure in failures[:5]:
        print(f"\n{failure.outcome} ({failure.kind}) on {failure.data[:300]!r}:\n{failure.detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="time budget (default 20)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--jobs", type=int, default=2, help="inputs loaded at once (default 2)")
    parser.add_argument("--save", type=Path, help="folder to write failing inputs to")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help=f"seconds per input before it counts as a hang (default {TIMEOUT:.0f})")
    args = parser.parse_args()
    sys.exit(run(args.seconds, args.seed, args.jobs, args.save, args.timeout))


if __name__ == "__main__":
    main()
