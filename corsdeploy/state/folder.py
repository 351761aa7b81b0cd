"""A Store in a local folder (default `.corsdeploy/` in the working directory).

Durable: a write goes to a temporary file, is fsynced, renamed into place, and the folder fsynced.
Private: folders are created 0700 and files 0600 (umask can only narrow those). No symbolic link
inside the state folder is followed, the state folder itself included: a pull request that commits
`.corsdeploy/backups -> ~/.ssh` cannot make an apply write there.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from corsdeploy.state.names import Key
from corsdeploy.state.store import Stored, StoreError

STATE_DIR = PurePosixPath(".corsdeploy")
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_FOLLOW_NOTHING = os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
_IN_THE_WAY = ("a symbolic link or a file is where a state folder should be; "
               "state is written only into real folders")
_NOT_A_FILE = "a symbolic link or something other than a file is where a state file should be"


class _NotAFile(OSError):
    """A symbolic link, a FIFO or a folder where a state file should be."""


def _why(error: OSError) -> str:
    if isinstance(error, _NotAFile):
        return _NOT_A_FILE
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        return _IN_THE_WAY
    return error.strerror or str(error)


def _open_private_folder(name: str, parent: int, create: bool) -> int:
    """A descriptor of folder `name` (created 0700 when missing and `create`); a symbolic link is refused."""
    created = False
    if create:
        try:
            os.mkdir(name, PRIVATE_FOLDER_MODE, dir_fd=parent)
            created = True
        except FileExistsError:
            pass
    folder = os.open(name, os.O_RDONLY | os.O_DIRECTORY | _FOLLOW_NOTHING, dir_fd=parent)
    if created:
        os.fchmod(folder, PRIVATE_FOLDER_MODE)  # only ever narrower before: a umask cannot widen it
    return folder


def _open_state_folder(base: Path, folders: Sequence[str], create: bool) -> int:
    """A descriptor of `base/folders...`, each created private (when `create`) and none a symbolic link.

    `base` is trusted (the working directory); everything below it is not.
    """
    if create:
        base.mkdir(parents=True, exist_ok=True)
    parent = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in folders:
            child = _open_private_folder(name, parent, create)
            os.close(parent)
            parent = child
    except BaseException:
        os.close(parent)
        raise
    return parent


@contextlib.contextmanager
def _folder(base: Path, folders: Sequence[str], create: bool) -> Iterator[int]:
    descriptor = _open_state_folder(base, folders, create)
    try:
        yield descriptor
    finally:
        os.close(descriptor)


def write_durably(base: Path, folders: Sequence[str], name: str, data: bytes) -> Path:
    """Write `data` to `base/folders.../name`, private and on disk before this returns
    (temporary file, fsync, rename, fsync folder). `folders` and `name` must be single safe names."""
    with _folder(base, folders, create=True) as folder:
        temporary = f".{name}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary, dir_fd=folder)  # left by a crash; its mode must not be reused
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FOLLOW_NOTHING,
                             PRIVATE_FILE_MODE, dir_fd=folder)
        _write_all(descriptor, data)
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
        os.fsync(folder)
    return base.joinpath(*folders, name)


def _write_all(descriptor: int, data: bytes) -> None:
    """Write, fsync and close a new file, made private whatever the umask."""
    try:
        os.fchmod(descriptor, PRIVATE_FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _read_file(folder: int, name: str) -> bytes | None:
    """A regular file's bytes, or None when there is none; a symbolic link (or a FIFO) is refused."""
    try:
        descriptor = os.open(name, os.O_RDONLY | os.O_NONBLOCK | _FOLLOW_NOTHING, dir_fd=folder)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise _NotAFile(error.errno, _NOT_A_FILE) from error
        raise
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _NotAFile(errno.EINVAL, _NOT_A_FILE)
        return handle.read()


def _version(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FolderStore:
    """A Store in `base/folder` (base is trusted: the working directory; `folder` is relative)."""

    def __init__(self, folder: PurePosixPath = STATE_DIR, base: Path = Path(".")) -> None:
        if folder.is_absolute() or ".." in folder.parts or not folder.parts:
            raise ValueError(f"a state folder is a relative path below its base: {folder}")  # a bug
        self.folder, self.base = folder, base

    @property
    def location(self) -> str:
        return str(self.base / self.folder)

    def where(self, key: Key) -> str:
        return str(self.base.joinpath(self.folder, *key.parts))

    def _inside(self, key: Key) -> tuple[str, ...]:
        return (*self.folder.parts, *key.parts[:-1])

    def put(self, key: Key, data: bytes) -> str:
        try:
            return str(write_durably(self.base, self._inside(key), key.parts[-1], data))
        except OSError as error:
            raise StoreError("write", self.where(key), _why(error)) from error

    def create(self, key: Key, data: bytes) -> Stored | None:
        name = key.parts[-1]
        try:
            with _folder(self.base, self._inside(key), create=True) as folder:
                try:
                    descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _FOLLOW_NOTHING,
                                         PRIVATE_FILE_MODE, dir_fd=folder)
                except FileExistsError:
                    return None
                try:
                    _write_all(descriptor, data)
                except BaseException:
                    os.unlink(name, dir_fd=folder)  # a half-written lock must not stay behind
                    raise
                os.fsync(folder)
        except OSError as error:
            raise StoreError("create", self.where(key), _why(error)) from error
        return Stored(data, _version(data))

    def get(self, key: Key) -> Stored | None:
        try:
            with _folder(self.base, self._inside(key), create=False) as folder:
                data = _read_file(folder, key.parts[-1])
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StoreError("read", self.where(key), _why(error)) from error
        return None if data is None else Stored(data, _version(data))

    def delete(self, key: Key, version: str) -> bool:
        name = key.parts[-1]
        try:
            with _folder(self.base, self._inside(key), create=False) as folder:
                data = _read_file(folder, name)
                if data is None or _version(data) != version:
                    return False
                os.unlink(name, dir_fd=folder)
                os.fsync(folder)
        except FileNotFoundError:
            return False
        except OSError as error:
            raise StoreError("remove", self.where(key), _why(error)) from error
        return True

    def names(self, folder: Key) -> tuple[str, ...]:
        try:
            with _folder(self.base, (*self.folder.parts, *folder.parts), create=False) as descriptor:
                listed = os.listdir(descriptor)
        except FileNotFoundError:
            return ()
        except OSError as error:
            raise StoreError("list", self.where(folder), _why(error)) from error
        return tuple(sorted(name for name in listed if not name.startswith(".")))  # temporary files
