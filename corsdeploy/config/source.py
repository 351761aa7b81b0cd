"""Environment files read safely: regular files only (never a FIFO, device or /proc), bounded in size."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from corsdeploy.config import bounds
from corsdeploy.errors import Problem
from corsdeploy.model import Location

_REGULAR_ONLY = "environment files must be regular files"
_KERNEL_FILE_SYSTEMS = ("/proc", "/sys")
_SPECIAL = {stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device",
            stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def path_error(path: str | Path) -> str | None:
    """Why `path` cannot even be looked up (a NUL in it), or None."""
    return "the path holds a NUL character" if "\0" in str(path) else None


def lookup(path: str | Path) -> os.stat_result | None:
    """The file's status (symlinks followed), None when it does not exist; OSError for any other failure."""
    reason = path_error(path)
    if reason:
        raise OSError(0, reason)
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def refusal(status: os.stat_result) -> str | None:
    """Why a file of this status is never read, or None for a regular file on an ordinary file system."""
    kind = stat.S_IFMT(status.st_mode)
    if kind != stat.S_IFREG:
        return f"is not a regular file ({_SPECIAL.get(kind, 'a special file')})"
    # /proc and /sys files say they are regular, but their content is the runner's (its environment).
    if any(_same_device(status, root) for root in _KERNEL_FILE_SYSTEMS):
        return "is on a kernel file system (/proc, /sys)"
    return None


def _same_device(status: os.stat_result, root: str) -> bool:
    try:
        return os.stat(root).st_dev == status.st_dev
    except OSError:
        return False


def read_text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or the one problem saying why it is not read (`shown` is how to name it)."""
    try:
        status = lookup(path)
        if status is None:
            return None, [Problem(f"cannot read {shown}: no such file")]
        refused = refusal(status)
        if refused:
            return None, [Problem(f"cannot read {shown}: it {refused}; {_REGULAR_ONLY}")]
        if status.st_size > bounds.MAX_FILE_BYTES:
            return None, [_too_big(shown, status.st_size)]
        # O_NONBLOCK: if the file was swapped for a FIFO since the check, opening it still cannot hang.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        with os.fdopen(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                return None, [Problem(f"cannot read {shown}: it is not a regular file; {_REGULAR_ONLY}")]
            data = file.read(bounds.MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, [Problem(f"cannot read {shown}: {error.strerror}")]
    if len(data) > bounds.MAX_FILE_BYTES:
        return None, [_too_big(shown, len(data))]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        return None, [Problem(f"cannot read {shown}: not UTF-8 text (byte 0x{data[error.start]:02x})",
                              _byte_location(shown, data, error.start))]


def _too_big(shown: str, size: int) -> Problem:
    most = bounds.MAX_FILE_BYTES
    return Problem(f"{shown} is {size:,} bytes; environment files may be at most {most:,} bytes "
                   f"({most // (1024 * 1024)} MiB)")


def _byte_location(shown: str, data: bytes, offset: int) -> Location:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return Location(shown, data.count(b"\n", 0, offset) + 1, offset - line_start + 1)


def text_location(shown: str, text: str, offset: int) -> Location:
    """Line and column (1-based) of a character offset into the text."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Location(shown, text.count("\n", 0, offset) + 1, offset - line_start + 1)
