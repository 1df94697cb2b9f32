"""The job runtime's archive unpacker refuses every crafted archive, with and without the
standard library's data filter (old container Pythons have none), and unpacks honest ones."""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest
from crafted_archives import crafted_archives, escaped, prepare_outside

from builders.scripts.archives import UnsafeArchiveError, extract_all

KINDS = [case.kind for case in crafted_archives(Path("/placeholder"))]
MODES = {"data filter": True, "own checks (no data filter)": False}


@pytest.mark.parametrize("use_filter", MODES.values(), ids=MODES.keys())
@pytest.mark.parametrize("kind", KINDS)
def test_a_crafted_archive_is_refused_naming_the_archive_and_the_member(tmp_path, kind, use_filter):
    outside = prepare_outside(tmp_path / "outside")
    case = next(c for c in crafted_archives(outside) if c.kind == kind)
    archive = tmp_path / "model.tar.gz"
    archive.write_bytes(case.content)
    folder = tmp_path / "unpacked"
    with pytest.raises(UnsafeArchiveError) as refused:
        extract_all(archive, folder, label="s3://bucket/model.tar.gz", use_filter=use_filter)
    message = str(refused.value)
    assert message.startswith("The archive s3://bucket/model.tar.gz has a member ")
    assert f"'{case.member}'" in message
    assert escaped(outside, tmp_path, folder) == []


def honest_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text, mode in [
            ("code/run.sh", "echo hi\n", 0o4755),
            ("weights/a.bin", "w", 0o666),
        ]:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(text), mode, 4242, 4242
            tar.addfile(info, io.BytesIO(text.encode()))
        for name, target in [("latest", "weights/a.bin"), ("code/weights", "../weights")]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


@pytest.mark.parametrize("use_filter", MODES.values(), ids=MODES.keys())
def test_an_honest_archive_with_links_inside_unpacks_as_plain_data(tmp_path, use_filter):
    archive = tmp_path / "sourcedir.tar.gz"
    archive.write_bytes(honest_archive())
    folder = tmp_path / "code"
    assert extract_all(archive, folder, use_filter=use_filter) == 4
    assert (folder / "latest").read_text() == "w"
    assert (folder / "code" / "weights" / "a.bin").read_text() == "w"
    script = (folder / "code" / "run.sh").stat()
    assert stat.S_IMODE(script.st_mode) == 0o755  # no setuid bit; still executable
    assert stat.S_IMODE((folder / "weights" / "a.bin").stat().st_mode) == 0o644
    assert script.st_uid == os.getuid()  # not the archive's owner, even as root
