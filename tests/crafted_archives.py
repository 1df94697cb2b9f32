"""One set of crafted archives that every unpacker of the project must refuse.

Each archive starts with a harmless member, then tries to write outside the folder it is
unpacked to (or to make a device): into `outside`, a folder of the test's own, where
`victim.txt` holds "intact". After an unpacker refused an archive, `escaped(outside, root)`
lists what got out: files named `escaped*` anywhere under `root` but inside the unpacking
folder, a victim that changed, a device made.
"""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

VICTIM = "victim.txt"
INTACT = "intact"
UP = "../" * 40  # more than any folder's depth: leads to / from anywhere


@dataclass(frozen=True)
class Crafted:
    kind: str
    content: bytes  # a .tar.gz
    member: str  # the member an unpacker must name when it refuses the archive


def _file(name: str, text: str) -> tuple[tarfile.TarInfo, io.BytesIO]:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, io.BytesIO(data)


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def _folder(name: str) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    return info, None


def _special(name: str, kind: bytes) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.devmajor, info.devminor = 1, 3  # /dev/null's numbers
    return info, None


def _archive(members: list) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.addfile(*_file("model.json", "{}"))  # a harmless first member
        for info, data in members:
            tar.addfile(info, data)
    return buffer.getvalue()


def crafted_archives(outside: Path) -> list[Crafted]:
    """The archives, aimed at `outside` (an absolute folder holding victim.txt)."""
    out = str(outside).rstrip("/")
    victim = f"{out}/{VICTIM}"
    cases = [
        ("absolute path", [_file(f"{out}/escaped-absolute", "x")], f"{out}/escaped-absolute"),
        ("parent path", [_file(f"{UP}{out[1:]}/escaped-parent", "x")], None),
        (
            "parent path below a folder",
            [_folder("a/b"), _file(f"a/b/{UP}{out[1:]}/escaped-nested", "x")],
            f"a/b/{UP}{out[1:]}/escaped-nested",
        ),
        (
            "symlinked folder, then a file through it",
            [_link("up", out), _file("up/escaped-through-link", "x")],
            "up",
        ),
        (
            "relative link chain, then a file through it",
            [
                _link("here", "."),
                _link("here/up", UP + out[1:]),
                _file("here/up/escaped-chain", "x"),
            ],
            "here/up",
        ),
        (
            "hard link overwrite",
            [_link("weights.bin", victim, tarfile.LNKTYPE), _file("weights.bin", "pwned")],
            "weights.bin",
        ),
        (
            "symlink overwrite",
            [_link("config.json", victim), _file("config.json", "pwned")],
            "config.json",
        ),
        ("character device", [_special("null", tarfile.CHRTYPE)], "null"),
        ("block device", [_special("disk", tarfile.BLKTYPE)], "disk"),
        ("fifo", [_special("pipe", tarfile.FIFOTYPE)], "pipe"),
    ]
    crafted = []
    for kind, members, member in cases:
        crafted.append(Crafted(kind, _archive(members), member or members[0][0].name))
    return crafted


def prepare_outside(outside: Path) -> Path:
    outside.mkdir(parents=True, exist_ok=True)
    (outside / VICTIM).write_text(INTACT)
    return outside


def escaped(outside: Path, root: Path, folder: Path) -> list[str]:
    """What the archive left outside `folder`: under `root` (the test's folder), or the
    victim changed, or a special file anywhere under `root`."""
    found = []
    if (outside / VICTIM).read_text() != INTACT:
        found.append(f"{outside / VICTIM} was overwritten")
    for path in root.rglob("*"):
        if folder in path.parents:
            continue
        if path.name.startswith("escaped"):
            found.append(str(path))
        if path.is_char_device() or path.is_block_device() or path.is_fifo():
            found.append(f"special file {path}")
    for path in folder.rglob("*") if folder.is_dir() else []:
        if path.is_char_device() or path.is_block_device() or path.is_fifo():
            found.append(f"special file {path}")
    return found
