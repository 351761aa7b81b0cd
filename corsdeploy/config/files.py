"""Environment files on disk: finding them, and following `extends` chains into one merged tree."""
from __future__ import annotations

import os
from pathlib import Path

from corsdeploy.config.hints import Suggester
from corsdeploy.config.nodes import Node, display_path, read_yaml
from corsdeploy.config.shown import escaped, quoted
from corsdeploy.config.source import lookup, path_error, refusal
from corsdeploy.errors import ConfigError, Problem

SUFFIXES = (".yaml", ".yml", ".json")


def environment_names(env_dir: str | Path) -> list[str]:
    """Every environment in the folder, sorted; `_`-prefixed files are shared fragments."""
    folder = Path(env_dir)
    if _status(folder, "environment folder") is None or not folder.is_dir():
        raise ConfigError(f"environment folder {display_path(folder)} does not exist")
    return sorted({
        path.stem for path in folder.iterdir()
        if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith(("_", "."))
    })


def environment_file(env_dir: str | Path, name: str) -> Path:
    """The one file holding environment `name`, or a ConfigError listing the ones that exist."""
    folder = Path(env_dir)
    if name.startswith("_"):
        raise ConfigError(f"{quoted(name)} is a shared fragment (its name starts with '_'), "
                          "not an environment")
    plain = name and not any(sep in name for sep in "/\\\0")
    candidates = [folder / f"{name}{suffix}" for suffix in SUFFIXES] if plain else []
    found = [path for path in candidates if _status(path, "environment") is not None]
    if len(found) > 1:
        raise ConfigError(f"environment {quoted(name)} is ambiguous: "
                          + " and ".join(display_path(path) for path in found) + " both exist")
    if found:
        return found[0]
    names = environment_names(folder)
    if not names:
        raise ConfigError(f"no environment {quoted(name)}: {display_path(folder)} holds no environment files")
    close = Suggester().suggest(name, names)
    hint = f" (did you mean {quoted(close)}?)" if close else ""
    raise ConfigError(f"no environment {quoted(name)} in {display_path(folder)}{hint}; "
                      f"available: {', '.join(escaped(n) for n in names)}")


def _status(path: Path, what: str) -> os.stat_result | None:
    """The path's status, None when it does not exist; a ConfigError when it cannot even be looked up."""
    try:
        return lookup(path)
    except OSError as error:  # a name too long for the file system, a symlink loop
        raise ConfigError(f"cannot read {what} {display_path(path)}: {error.strerror}") from None


def load_tree(path: Path) -> tuple[Node | None, list[Problem]]:
    """The file merged over everything it extends (maps merge, lists replace, the file wins).

    Every file extended must lie inside the project, the folder holding the environments folder
    (symlinks resolved). None when any file of the chain cannot be read or followed: what is left
    would be misleading."""
    return _load(path, (), path.resolve().parent.parent)


def _load(path: Path, chain: tuple[Path, ...], project: Path) -> tuple[Node | None, list[Problem]]:
    node, problems = read_yaml(path)
    if node is None:
        return None, problems
    if not isinstance(node.value, dict):
        problems.append(Problem("the top level must be a mapping of settings (extends, aws, s3_buckets, ...)",
                                node.loc))
        return None, problems
    extends = node.value.get("extends")
    rest = Node({k: v for k, v in node.value.items() if k != "extends"}, node.loc)
    if extends is None:
        return rest, problems
    if not isinstance(extends.value, str) or not extends.value:
        problems.append(Problem("extends: expected a file path (a string)", extends.loc))
        return None, problems
    base_path = path.parent / extends.value
    refused = _unfollowable(extends.value, base_path, (*chain, path.resolve()), project)
    if refused:
        problems.append(Problem(f"extends: {refused}", extends.loc))
        return None, problems
    base, base_problems = _load(base_path, (*chain, path.resolve()), project)
    problems.extend(base_problems)
    return (merge(base, rest) if base is not None else None), problems


def _unfollowable(written: str, base_path: Path, chain: tuple[Path, ...], project: Path) -> str | None:
    """Why an `extends` target is not read: a cycle, outside the project, missing, or not a regular file."""
    if path_error(written):
        return "the path holds a NUL character"
    try:
        status = lookup(base_path)
        resolved = base_path.resolve()
    except (OSError, RuntimeError) as error:  # a name too long, a symlink loop
        reason = error.strerror if isinstance(error, OSError) else "a symlink loop"
        return f"cannot follow {quoted(written)}: {reason}"
    if resolved in chain:
        cycle = [display_path(p) for p in (*chain, resolved)]
        return f"cycle {' -> '.join(cycle[cycle.index(display_path(resolved)):])}"
    if not resolved.is_relative_to(project):
        return (f"{quoted(written)} is outside the project ({escaped(display_path(project))}); environment "
                "files may extend only files inside it")
    if status is None:
        return f"{quoted(written)} does not exist (looked for {escaped(display_path(base_path))})"
    refused = refusal(status)
    return f"{quoted(written)} {refused}; environment files may extend only regular files" if refused \
        else None


def merge(base: Node, over: Node) -> Node:
    """Deep merge: mappings merge key by key, anything else in `over` replaces what `base` had."""
    if not (isinstance(base.value, dict) and isinstance(over.value, dict)):
        return over
    merged = dict(base.value)
    for key, child in over.value.items():
        merged[key] = merge(merged[key], child) if key in merged else child
    return Node(merged, over.loc, over.key_loc)
