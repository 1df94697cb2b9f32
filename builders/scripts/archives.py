"""Unpacking an archive someone else made: every member stays inside the folder it goes to.

A model.tar.gz or a sourcedir.tar.gz may come from anywhere (a third-party `model_data`, an
imported config). An archive member is refused, with the archive's name and the member's in
the message, when it has an absolute path, a path that leads outside the folder (`../x`, or
through a link the archive made earlier), a link that points outside the folder (symbolic or
hard: a later member would write through it), or is a device, a FIFO or another special file.

Two checks, so that neither an old Python nor a bug in one check lets a member out:
- `MemberCheck` follows the archive's own links by name, member by member, without touching
  the disk (the Packaging job uses it alone: it copies members, it does not unpack them);
- on disk, the standard library's "data" filter where this Python has it (3.12, and 3.8.17+
  backports), else the same rules against the folder's real paths, member by member.
Runs inside SageMaker containers too: Python 3.8 and the standard library only.
"""

from __future__ import annotations

import os
import tarfile
from pathlib import Path

MAX_LINK_HOPS = 40  # as the kernel's own limit on symbolic links in one path
ABSOLUTE = "with an absolute path"
OUTSIDE = "whose path leads outside the folder it is unpacked to"
SPECIAL = "that is a device, a FIFO or another special file"


class UnsafeArchiveError(ValueError):
    """An archive member that would land outside its folder, or that is not plain data."""


class MemberCheck:
    """Checks an archive's members in order; call it with each member before using it."""

    def __init__(self, label: str):
        self.label = label
        self._links: dict = {}  # resolved path of each symbolic link -> its target

    def __call__(self, member: tarfile.TarInfo) -> str:
        """The member's path inside the folder (normalised); raises UnsafeArchiveError."""
        name = member.name.replace("\\", "/")
        if name.startswith("/") or os.path.isabs(member.name):
            raise self.refuse(member, ABSOLUTE)
        resolved = self._resolve(name.split("/"))
        if resolved is None:
            raise self.refuse(member, OUTSIDE)
        if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
            raise self.refuse(member, SPECIAL)
        if member.issym() or member.islnk():
            self._check_link(member, resolved)
        return "/".join(resolved)

    def refuse(self, member: tarfile.TarInfo, what: str) -> UnsafeArchiveError:
        return UnsafeArchiveError(
            f"The archive {self.label} has a member '{member.name}' {what}: refused, as an "
            "archive is unpacked only inside its own folder. Rebuild the archive without it."
        )

    def _check_link(self, member: tarfile.TarInfo, resolved: list) -> None:
        target = member.linkname.replace("\\", "/")
        outside = self.refuse(member, _link_outside(member))
        if target.startswith("/") or os.path.isabs(member.linkname):
            raise outside
        parent = list(resolved[:-1]) if member.issym() else []  # hard links: from the root
        if self._resolve(parent + target.split("/")) is None:
            raise outside
        if member.issym():
            self._links["/".join(resolved)] = target

    def _resolve(self, parts: list) -> list | None:
        """The path as the folder's file system would resolve it (through the archive's
        symbolic links so far), or None when it leads outside the folder."""
        resolved: list = []
        pending = list(parts)
        hops = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                if not resolved:
                    return None
                resolved.pop()
                continue
            resolved.append(part)
            target = self._links.get("/".join(resolved))
            if target is not None:
                hops += 1
                if hops > MAX_LINK_HOPS:
                    return None
                resolved.pop()
                pending = target.split("/") + pending
        return resolved


def extract_all(archive, folder, label: str | None = None, use_filter: bool | None = None) -> int:
    """Unpack `archive` (a tar file, compressed or not) into `folder`; returns the number of
    members. Raises UnsafeArchiveError naming the archive (`label`, else its file name) and
    the member. `use_filter`: the standard library's data filter (default: when this Python
    has it)."""
    label = label or Path(archive).name
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    check = MemberCheck(label)
    if use_filter is None:
        use_filter = hasattr(tarfile, "data_filter")
    with tarfile.open(str(archive), "r:*") as tar:
        if use_filter:
            return _extract_filtered(tar, folder, check)
        return _extract_checked(tar, folder, check)


def _extract_filtered(tar: tarfile.TarFile, folder: Path, check: MemberCheck) -> int:
    count = 0

    def checked(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo:
        nonlocal count
        check(member)
        try:
            filtered = tarfile.data_filter(member, destination)
        except tarfile.FilterError as error:
            raise check.refuse(member, _filter_reason(error, member)) from None
        count += 1
        return filtered

    tar.extractall(str(folder), filter=checked)
    return count


def _filter_reason(error: Exception, member: tarfile.TarInfo) -> str:
    if isinstance(error, tarfile.AbsolutePathError):
        return ABSOLUTE
    if isinstance(error, tarfile.OutsideDestinationError):
        return OUTSIDE
    if isinstance(error, tarfile.SpecialFileError):
        return SPECIAL
    if isinstance(error, (tarfile.AbsoluteLinkError, tarfile.LinkOutsideDestinationError)):
        return _link_outside(member)
    return f"that the standard library's data filter refuses ({error})"


def _extract_checked(tar: tarfile.TarFile, folder: Path, check: MemberCheck) -> int:
    """The data filter's rules by hand, for a Python without it: each member's real path
    (and its link's) inside the folder, no special files, no owners, no setuid bits."""
    root = os.path.realpath(str(folder))
    # Checked already: a Python that has filters must not apply (or warn about) its default.
    trusted = {"filter": "fully_trusted"} if hasattr(tarfile, "data_filter") else {}
    count = 0
    for member in tar:
        check(member)
        where = os.path.join(root, member.name)
        _inside(root, where, check.refuse(member, OUTSIDE))
        if member.issym() or member.islnk():
            base = os.path.dirname(where) if member.issym() else root
            link = os.path.join(base, member.linkname)
            _inside(root, link, check.refuse(member, _link_outside(member)))
        tar.extract(member, root, set_attrs=False, **trusted)
        if member.isreg():
            os.chmod(where, _data_mode(member.mode))
        count += 1
    return count


def _inside(root: str, path: str, refusal: UnsafeArchiveError) -> None:
    if os.path.commonpath([os.path.realpath(path), root]) != root:
        raise refusal


def _link_outside(member: tarfile.TarInfo) -> str:
    return f"that links to '{member.linkname}', outside the folder it is unpacked to"


def _data_mode(mode: int) -> int:
    """A file's mode as the data filter leaves it: no setuid/setgid/sticky bits, no write for
    group and others, readable and writable by its owner, executable only if it was."""
    mode &= 0o755
    if not mode & 0o100:
        mode &= ~0o111
    return mode | 0o600
