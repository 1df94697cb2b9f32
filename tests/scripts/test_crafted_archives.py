"""The job scripts that read archives refuse every crafted archive of the shared set
(tests/crafted_archives.py): ModelEvaluation unpacks the model, Packaging copies its members
into the package. Both name the archive and the member, and leave nothing outside.

ModelEvaluation runs in containers whose Python may have no tarfile data filter: it is also
run as a script on a Python whose tarfile lost the filter, so its own checks must hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from crafted_archives import crafted_archives, escaped, prepare_outside

from builders.scripts import container_paths as paths
from builders.scripts.archives import UnsafeArchiveError
from builders.step_types.model_evaluation.job import model_evaluation
from builders.step_types.packaging.job import packaging

REFUSED = r"^The archive model\.tar\.gz has a member "
KINDS = [case.kind for case in crafted_archives(Path("/placeholder"))]
# Runs a job script as the container does, on a tarfile without the data filter (Python
# before 3.8.17 / 3.9.17 / 3.10.12 / 3.11.4).
WITHOUT_FILTER = """
import functools, runpy, sys, tarfile
del tarfile.data_filter
def no_filter(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if "filter" in kwargs:
            raise TypeError("extract() got an unexpected keyword argument 'filter'")
        return method(self, *args, **kwargs)
    return call
tarfile.TarFile.extract = no_filter(tarfile.TarFile.extract)
tarfile.TarFile.extractall = no_filter(tarfile.TarFile.extractall)
sys.argv = sys.argv[1:]
sys.path.insert(0, sys.argv[0].rsplit("/", 1)[0])
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def crafted(container, kind: str):
    outside = prepare_outside(container.root / "outside")
    case = next(c for c in crafted_archives(outside) if c.kind == kind)
    archive = paths.processing_input("model") / "model.tar.gz"
    archive.parent.mkdir(parents=True, exist_ok=True)
    archive.write_bytes(case.content)
    return case, outside


@pytest.mark.parametrize("kind", KINDS)
def test_model_evaluation_refuses_the_archive(container, tmp_path, kind):
    case, outside = crafted(container, kind)
    target = tmp_path / "model"
    with pytest.raises(UnsafeArchiveError, match=REFUSED) as error:
        model_evaluation.unpack_model(paths.processing_input("model"), target)
    assert f"'{case.member}'" in str(error.value)
    assert escaped(outside, tmp_path, target) == []


@pytest.mark.parametrize("kind", KINDS)
def test_model_evaluation_without_the_data_filter_refuses_the_archive(container, tmp_path, kind):
    case, outside = crafted(container, kind)
    container.write_settings({"label_name": "label"})
    result = container.run_script("model_evaluation", prelude=["-c", WITHOUT_FILTER])
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert "UnsafeArchiveError: The archive model.tar.gz has a member" in last
    assert f"'{case.member}'" in last
    assert escaped(outside, tmp_path, tmp_path / "nothing") == []


@pytest.mark.parametrize("kind", KINDS)
def test_packaging_refuses_the_archive_and_writes_no_package(container, kind):
    case, _ = crafted(container, kind)
    with pytest.raises(UnsafeArchiveError, match=REFUSED) as error:
        packaging.main()
    assert f"'{case.member}'" in str(error.value)
    assert not (paths.processing_output("packaged_model") / "model.tar.gz").exists()
