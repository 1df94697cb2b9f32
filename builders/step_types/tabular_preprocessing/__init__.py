"""TabularPreprocessing: split labelled data into train, validation and test sets."""

from pathlib import Path

from builders.contracts import Contract, ReadsColumns
from builders.step_types import Port, PortKind, StepType
from builders.step_types.tabular_preprocessing.config import TabularPreprocessingConfig


def contract(config: TabularPreprocessingConfig, received) -> Contract:
    """It reads the label column; its splits keep the data's columns."""
    return Contract(expects=(ReadsColumns("data", "label_name", (config.label_name,)),))


STEP_TYPE = StepType(
    name="TabularPreprocessing",
    display_name="Tabular preprocessing",
    category="Data",
    description="Drops unlabelled rows and splits the data into train, validation "
    "and test sets (or cleans a validation, test or calibration set).",
    config_class=TabularPreprocessingConfig,
    builder="builders.step_types.tabular_preprocessing.builder:TabularPreprocessingStepBuilder",
    inputs=(
        Port("data", PortKind.TABULAR_DATA, "The data to split."),
        Port("signature", PortKind.DATA_SIGNATURE, "Header of headerless data.", required=False),
    ),
    outputs=(
        Port(
            "processed_data",
            PortKind.PROCESSED_DATA,
            "Folder with the split data, with the columns of its data.",
            passes="data",
        ),
    ),
    order=20,
    job=Path(__file__).parent / "job",
    contract=contract,
)
