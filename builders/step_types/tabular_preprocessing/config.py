"""TabularPreprocessing: clean the data and split it into train, validation and test sets."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from builders.configs.base import ProcessingStepConfigBase
from builders.configs.types import ADVANCED, FieldName, JobType, ScriptName


class TabularPreprocessingConfig(ProcessingStepConfigBase):
    """Splits labelled tabular data into train/val/test (training) or cleans one set."""

    processing_entry_point: Annotated[
        ScriptName, ADVANCED, Field(description="Python script the job runs.")
    ] = "tabular_preprocessing.py"
    job_type: Annotated[
        JobType,
        Field(description="training splits the data into train/val/test; the others clean it."),
    ] = "training"
    label_name: Annotated[FieldName, Field(description="Column holding the label.")]
    train_ratio: Annotated[
        float, Field(gt=0, lt=1, description="Fraction of the rows used for training.")
    ] = 0.7
    test_val_ratio: Annotated[
        float,
        Field(gt=0, lt=1, description="Of the rows not used for training, the test fraction."),
    ] = 0.5
    random_seed: Annotated[
        int,
        Field(
            ge=0,
            le=2**32 - 1,  # numpy's seeds, which the job uses, stop there
            description="Seed of the random split, for repeatable results.",
        ),
    ] = 42
