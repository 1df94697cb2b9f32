"""Unpacking a zip someone else made (a function step's workspace, a Lambda's code) into
its folder: every member stays inside it, and the whole stays within a size.

zipfile itself drops `..` and leading slashes from member names; a member that needs that is
refused here instead, naming it, so a crafted archive is reported rather than quietly
rewritten. zipfile writes links as plain files, so no member can point outside either.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

MAX_MEMBERS = 10_000
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024


class UnsafeZipError(ValueError):
    """A member that would land outside the folder, or an archive too large to unpack."""


def extract_zip(archive: Path, folder: Path, label: str) -> list[str]:
    """Unpack `archive` into `folder`; the names unpacked. `label` names it in messages."""
    try:
        with zipfile.ZipFile(archive) as packed:
            members = packed.infolist()
            _check(members, label)
            folder.mkdir(parents=True, exist_ok=True)
            for member in members:
                packed.extract(member, folder)
    except zipfile.BadZipFile as error:
        raise UnsafeZipError(f"The archive {label} is not a zip file: {error}.") from None
    return [member.filename for member in members]


def _check(members: list[zipfile.ZipInfo], label: str) -> None:
    if len(members) > MAX_MEMBERS:
        raise UnsafeZipError(f"The archive {label} has over {MAX_MEMBERS} members.")
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise UnsafeZipError(
            f"The archive {label} unpacks to over {MAX_UNPACKED_BYTES // 2**20} MB."
        )
    for member in members:
        name = member.filename.replace("\\", "/")
        parts = PurePosixPath(name).parts
        if name.startswith("/") or ".." in parts or (parts and parts[0].endswith(":")):
            raise UnsafeZipError(
                f"The archive {label} has a member '{member.filename}' whose path leads "
                "outside the folder it is unpacked to: refused. Rebuild the archive without it."
            )
