"""Hostile environment files: each ends in one located, one-line error (never a crash), with work bounded."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from corsdeploy.config import bounds as config_limits
from corsdeploy.config import environment_file, load_environment, load_file, nodes
from corsdeploy.errors import ConfigError, Problem
from tests.test_config_support import problems

BOMB = b"".join(
    b"%c: &%c [%s]\n" % (name, name, b",".join([b"*%c" % (name - 1)] * 9) if name > ord("a") else b"x")
    for name in range(ord("a"), ord("k"))
)
DOUBLING = ("vars:\n  v0: xxxxxxxx\n"
            + "".join(f"  v{i + 1}: '${{v{i}}}${{v{i}}}'\n" for i in range(31))
            + "state: ${v31}\n").encode()


def _cycle(size: int) -> bytes:
    return ("vars:\n" + "".join(f"  v{i}: 'x${{v{(i + 1) % size}}}'\n" for i in range(size))).encode()


def _chain(size: int) -> bytes:
    return ("vars:\n" + "".join(f"  v{i}: 'x${{v{i + 1}}}'\n" for i in range(size))
            + f"  v{size}: end\nstate: ${{v0}}\n").encode()


UNSUPPORTED = "YAML error: could not determine a constructor for the tag "
ONLY_STR = " (only !!str is read); remove it"
REMOVE_TAG = "; remove the tag (quote the value for a string)"
NOT_ALLOWED = " is not allowed in YAML"
# (input, line, column, expected message); line 0: the problem has no position; -1: any position.
HOSTILE: dict[str, tuple[bytes, int, int, str]] = {
    "NUL": (b"state: a\x00b\n", 1, 9, "YAML error: the character '\\x00'" + NOT_ALLOWED),
    "bell": (b"aws:\n  region: a\x07b\n", 2, 12, "YAML error: the character '\\x07'" + NOT_ALLOWED),
    "BOM mid-file": (b"state: a\xef\xbf\xbeb\n", 1, 9, "YAML error: the character '\\ufffe'" + NOT_ALLOWED),
    "!!int abc": (b"state: !!int abc\n", 1, 8,
                  "YAML error: the tag !!int cannot apply to 'abc'" + REMOVE_TAG),
    "!!float ''": (b"state: !!float ''\n", 1, 8,
                   "YAML error: the tag !!float cannot apply to ''" + REMOVE_TAG),
    "!!bool maybe": (b"state: !!bool maybe\n", 1, 8,
                     "YAML error: the tag !!bool cannot apply to 'maybe'" + REMOVE_TAG),
    "!!timestamp foo": (b"state: !!timestamp foo\n", 1, 8,
                        "YAML error: the tag !!timestamp cannot apply to 'foo'" + REMOVE_TAG),
    "!!binary": (b"state: !!binary AAAA\n", 1, 8, UNSUPPORTED + "!!binary" + ONLY_STR),
    "!!set": (b"state: !!set {a, b}\n", 1, 8, UNSUPPORTED + "!!set" + ONLY_STR),
    "local tag": (b"state: !custom x\n", 1, 8, UNSUPPORTED + "!custom" + ONLY_STR),
    "python tag": (b"state: !!python/object/apply:os.system [id]\n", 1, 8,
                   UNSUPPORTED + "!!python/object/apply:os.system" + ONLY_STR),
    "impossible date": (b"state: 2001-13-45\n", 0, 0, ""),
    "underscore hex": (b"aws:\n  region: 0x_\n", 2, 11,
                       "YAML error: '0x_' cannot be read as a number; quote it for a string"),
    "5000 digits": (b"state: " + b"9" * 5000 + b"\n", 1, 8, "YAML error: a number longer than 4300 digits"),
    # libyaml refuses these escapes while scanning, PyYAML's Python scanner later: both name Unicode.
    "lone surrogate": (b'state: "a\\ud800"\n', -1, 0, "Unicode character"),
    "surrogate key": (b'"\\udfff": 1\n', -1, 0, "Unicode character"),
    "beyond Unicode": (b'state: "\\U00110000"\n', -1, 0, "Unicode"),
    "invalid UTF-8": (b"state: ok\naws: \xff\n", 2, 6, "not UTF-8 text"),
    "extends NUL": (b'extends: "a\\0b.yaml"\n', 1, 10, "extends: the path holds a NUL character"),
    "extends too long": (b"extends: " + b"a" * 5000 + b"\n", 1, 10, "extends: cannot follow 'aaaa"),
    "extends /proc": (b"extends: /proc/self/environ\n", 1, 10,
                      "extends: '/proc/self/environ' is outside the project"),
    "cycle of 200 vars": (_cycle(200), 2, 7, "vars.v0: variable cycle: v0 -> v1 -> v2 -> v3 -> v4 -> v5 "
                          "-> v6 -> v7 -> ... -> v199 -> v0 (200 variables)"),
    "cycle of 5000 vars": (_cycle(5000), 2, 7, "(5000 variables)"),
    "chain of 3000 vars": (_chain(3000), 0, 0, ""),
    "doubling vars": (DOUBLING, 16, 8,
                      f"expands to more than {config_limits.MAX_VARIABLE_CHARACTERS:,} characters"),
    "alias bomb": (BOMB, 7, 4, f"YAML error: the file holds more than {config_limits.MAX_EXPANDED_NODES:,} "
                   "values once aliases are expanded"),
    "deep nesting": (b"[" * 3000 + b"]" * 3000, 1, config_limits.MAX_DEPTH + 1,
                     f"YAML error: nested too deeply (more than {config_limits.MAX_DEPTH} levels)"),
    "too many aliases": (b"a: &a x\nb: [" + b", ".join([b"*a"] * (config_limits.MAX_ALIASES + 1)) + b"]\n",
                         2, 5 + 4 * config_limits.MAX_ALIASES,
                         f"YAML error: more than {config_limits.MAX_ALIASES:,} aliases"),
    "duplicate keys": (b"state: a\nstate: b\n", 2, 1, "duplicate key 'state'"),
    # Found by tests/test_config_fuzz.py: a single rule's first key was printed raw.
    "control key in a policy": (b"policies:\n  aws:\n    AllowedOrigins: null\n    \"\\x1f\": null\n", 3, 5,
                                "put '- ' before the rule's first key (AllowedOrigins)"),
    "control first key": (b"policies:\n  aws:\n    \"\\x1f\": null\n    AllowedOrigins: null\n", 3, 5,
                          "put '- ' before the rule's first key (\\x1f)"),
}


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each hostile input through libyaml's scanner and through PyYAML's Python one (its fallback)."""
    if request.param == "python":
        monkeypatch.setattr(nodes, "_LibyamlLoader", nodes._PythonLoader)
        monkeypatch.setattr(nodes, "_LIBYAML", False)
    return str(request.param)


def _one_line(found: Problem) -> None:
    text = str(found)
    assert text.isprintable() and "\n" not in text, repr(text)


@pytest.mark.parametrize(("content", "line", "column", "message"), HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_input_ends_in_one_located_line(
    tmp_path: Path, parser: str, content: bytes, line: int, column: int, message: str
) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    path = folder / "prod.yaml"
    path.write_bytes(content)
    try:
        load_file(path)
        found: list[Problem] = []
    except ConfigError as error:
        found = list(error.problems)
    for each in found:
        _one_line(each)
    if not message:
        return  # a valid model, or any clean error, will do: the point is that it ends
    matching = [p for p in found if message in p.message]
    assert matching, [str(p) for p in found]
    where = matching[0].location
    if line == -1:
        return
    assert ((where.line, where.column) if where else (0, 0)) == (line, column)
    if where:
        assert where.file == str(path) or where.file.endswith("prod.yaml")


class _NestingLimitedLibyaml(nodes._PythonLoader):
    """A libyaml patched against stack overflows (as some distributions build it): it stops deep nesting
    itself, with its own message and at its own level (1,000), before the composer's bound is reached."""

    def peek_event(self) -> yaml.Event:
        # Its scanner reads ahead while a flow collection may still be a key, so the error comes
        # with the first event, pointing 1,000 levels in.
        raise yaml.scanner.ScannerError(None, None, "exceeded maximum nesting depth",
                                        yaml.Mark("<file>", 1000, 0, 1000, None, None))


def test_a_libyaml_with_its_own_nesting_limit_gives_the_same_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nodes, "_LibyamlLoader", _NestingLimitedLibyaml)
    path = tmp_path / "prod.yaml"
    path.write_bytes(b"[" * 3000 + b"]" * 3000)
    (found,) = problems(path)
    assert found.message == f"YAML error: nested too deeply (more than {config_limits.MAX_DEPTH} levels)"
    assert found.location is not None
    assert (found.location.line, found.location.column) == (1, config_limits.MAX_DEPTH + 1)


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "prod.yaml"
    path.write_bytes(b"# " + b"x" * config_limits.MAX_FILE_BYTES + b"\n")
    (found,) = problems(path)
    size, most = config_limits.MAX_FILE_BYTES + 3, config_limits.MAX_FILE_BYTES
    assert found.message == f"{path} is {size:,} bytes; environment files may be at most {most:,} bytes " \
        "(1 MiB)"


def test_a_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "prod.yaml"
    path.write_bytes(b"state: a\n#" + b"x" * (config_limits.MAX_FILE_BYTES - 11) + b"\n")
    assert load_file(path).state == "a"


def test_a_fifo_is_never_opened(tmp_path: Path) -> None:
    # Opening a FIFO for reading waits for a writer: the loader must refuse it from its type alone.
    os.mkfifo(tmp_path / "prod.yaml")
    (found,) = problems(tmp_path / "prod.yaml")
    assert found.message.endswith("is not a regular file (a FIFO); environment files must be regular files")


def test_a_device_is_refused(tmp_path: Path) -> None:
    (found,) = problems(Path("/dev/zero"))
    assert found.message == ("cannot read /dev/zero: it is not a regular file (a device); "
                             "environment files must be regular files")


def test_proc_files_are_refused_even_though_they_look_regular(tmp_path: Path) -> None:
    (found,) = problems(Path("/proc/self/environ"))
    assert found.message == ("cannot read /proc/self/environ: it is on a kernel file system (/proc, /sys); "
                             "environment files must be regular files")


def test_extends_of_a_fifo_inside_the_project(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    os.mkfifo(folder / "_base.yaml")
    (folder / "prod.yaml").write_text("extends: _base.yaml\n")
    (found,) = problems(folder / "prod.yaml")
    assert found.message.startswith("extends: '_base.yaml' is not a regular file (a FIFO)")
    assert found.location is not None and (found.location.line, found.location.column) == (1, 10)


def test_extends_through_a_symlink_loop(tmp_path: Path) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "loop.yaml").symlink_to("loop.yaml")
    (folder / "prod.yaml").write_text("extends: loop.yaml\n")
    (found,) = problems(folder / "prod.yaml")
    assert found.message == "extends: cannot follow 'loop.yaml': Too many levels of symbolic links"


@pytest.mark.parametrize(("name", "message"), [
    ("a\0b", "no environment 'a\\x00b'"),
    ("a" * 5000, "File name too long"),
    ("loop", "loop.yaml: Too many levels of symbolic links"),
])
def test_environment_names_that_cannot_be_paths(tmp_path: Path, name: str, message: str) -> None:
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "dev.yaml").write_text("state: a\n")
    (folder / "loop.yaml").symlink_to("loop.yaml")
    with pytest.raises(ConfigError) as caught:
        load_environment(folder, name)
    (found,) = caught.value.problems
    _one_line(found)
    assert message in found.message


@pytest.mark.parametrize("folder", ["env\0dir", "e" * 5000, "loop"])
def test_environment_folders_that_cannot_be_paths(tmp_path: Path, folder: str) -> None:
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(ConfigError) as caught:
        environment_file(tmp_path / folder, "dev")
    (found,) = caught.value.problems
    _one_line(found)
    assert "does not exist" in found.message or "cannot read" in found.message


def test_the_expanded_size_is_counted_before_building(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # x: a list of 10 values (11 nodes); y: k aliases of it and m plain values; keys x, y and the root.
    monkeypatch.setattr(config_limits, "MAX_EXPANDED_NODES", 1000)
    aliases, plain = divmod(1000 - 11 - 4, 11)
    def text(extra: int) -> str:
        return ("x: &x [" + ",".join(["a"] * 10) + "]\n"
                + "y: [" + ", ".join(["*x"] * aliases + ["b"] * (plain + extra)) + "]\n")
    path = tmp_path / "prod.yaml"
    path.write_text(text(0))
    assert not any("once aliases are expanded" in p.message for p in problems(path))
    path.write_text(text(1))
    assert any("more than 1,000 values once aliases are expanded" in p.message for p in problems(path))


def test_did_you_mean_is_looked_for_a_bounded_number_of_times(tmp_path: Path) -> None:
    # Each misspelt reference is close to a declared variable, but only the first MAX_HINTS get a hint.
    count = config_limits.MAX_HINTS + 50
    text = "vars:\n" + "".join(f"  var{i}: x\n" for i in range(count)) + "s3_buckets:\n"
    text += "".join(f"  bucket-{i}:\n    cors: [{{AllowedOrigins: ['${{vr{i}}}'], AllowedMethods: [GET]}}]\n"
                    for i in range(count))
    path = tmp_path / "prod.yaml"
    path.write_text(text)
    found = problems(path)
    assert len(found) == count and all("unknown variable" in p.message for p in found)
    assert sum("did you mean" in p.message for p in found) == config_limits.MAX_HINTS
