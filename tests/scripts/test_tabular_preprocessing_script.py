"""The TabularPreprocessing job script: drop unlabelled rows, split train/val/test."""

from __future__ import annotations

import pandas as pd
import pytest

from builders.scripts import container_paths as paths
from builders.step_types.tabular_preprocessing.job import tabular_preprocessing

SETTINGS = {
    "job_type": "training",
    "label_name": "label",
    "train_ratio": 0.5,
    "test_val_ratio": 0.5,
    "random_seed": 7,
}


def labelled_rows(count: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": range(count),
            "amount": [i * 1.5 for i in range(count)],
            "label": [0, 1] * (count // 2),
        }
    )


def write_data(container, frame: pd.DataFrame, header: bool, name: str = "part-00000.csv"):
    target = paths.processing_input("data") / name
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(target, index=False, header=header)


def read_output(name: str) -> pd.DataFrame:
    target = paths.processing_output("processed_data") / name / f"{name}_processed_data.csv"
    return pd.read_csv(target)


def test_training_splits_headerless_data_named_by_the_signature(container):
    container.write_settings(SETTINGS)
    frame = labelled_rows(40).astype({"label": "float64"})
    frame.loc[[3, 8], "label"] = None  # unlabelled rows are dropped
    write_data(container, frame, header=False)
    container.write_text(paths.processing_input("signature") / "signature", "id,amount,label\n")

    counts = tabular_preprocessing.main()

    splits = {name: read_output(name) for name in ("train", "val", "test")}
    assert counts == {"train": 19, "val": 9, "test": 10}
    for name, split in splits.items():
        assert list(split.columns) == ["id", "amount", "label"]
        assert len(split) == counts[name]
        assert split["label"].dtype == "int64"  # written as 1, not 1.0
        assert set(split["label"]) == {0, 1}  # stratified: every split has both classes
    ids = pd.concat(splits.values())["id"]
    assert sorted(ids) == sorted(set(range(40)) - {3, 8})


def test_the_split_is_repeatable_with_the_seed(container):
    container.write_settings(SETTINGS)
    write_data(container, labelled_rows(20), header=True)

    tabular_preprocessing.main()
    first = read_output("train")
    tabular_preprocessing.main()

    pd.testing.assert_frame_equal(read_output("train"), first)


def test_other_job_types_write_one_cleaned_set(container):
    container.write_settings({**SETTINGS, "job_type": "calibration"})
    frame = labelled_rows(6)
    write_data(container, frame.iloc[:3], header=True, name="a.csv")
    write_data(container, frame.iloc[3:], header=True, name="sub/b.csv")

    assert tabular_preprocessing.main() == {"calibration": 6}

    pd.testing.assert_frame_equal(read_output("calibration"), frame)
    assert not (paths.processing_output("processed_data") / "train").exists()


def test_splits_without_stratification_when_a_class_is_too_small(container):
    container.write_settings(SETTINGS)
    frame = labelled_rows(10)
    frame["label"] = [0] * 9 + [1]
    write_data(container, frame, header=True)

    counts = tabular_preprocessing.main()

    assert sum(counts.values()) == 10


def test_too_few_rows_to_split_is_an_error(container):
    container.write_settings(SETTINGS)
    write_data(container, labelled_rows(2), header=True)
    with pytest.raises(ValueError, match="Cannot split 1 rows"):
        tabular_preprocessing.main()


def test_missing_label_column_lists_the_columns(container):
    container.write_settings({**SETTINGS, "label_name": "target"})
    write_data(container, labelled_rows(4), header=True)
    with pytest.raises(
        ValueError, match=r"'target' is not in the data.*\['id', 'amount', 'label'\]"
    ):
        tabular_preprocessing.main()


def test_no_data_files_is_an_error(container):
    container.write_settings(SETTINGS)
    with pytest.raises(FileNotFoundError, match="No data files under"):
        tabular_preprocessing.main()


def test_data_not_matching_the_signature_is_an_error(container):
    container.write_settings(SETTINGS)
    write_data(container, labelled_rows(4), header=False)
    container.write_text(paths.processing_input("signature") / "signature", "id,label\n")
    with pytest.raises(ValueError, match="has 3 columns but the signature lists 2"):
        tabular_preprocessing.main()


def test_runs_as_a_script_in_the_container(container):
    container.write_settings({**SETTINGS, "job_type": "validation"})
    write_data(container, labelled_rows(4), header=True)

    result = container.run_script("tabular_preprocessing")

    assert result.returncode == 0, result.stderr
    assert len(read_output("validation")) == 4
