"""DataLoading: read tabular data from S3 and write it with its metadata and signature."""

from pathlib import Path

from builders.step_types import Port, PortKind, StepType
from builders.step_types.data_loading.config import DataLoadingConfig

STEP_TYPE = StepType(
    name="DataLoading",
    display_name="Data loading",
    category="Data",
    description="Reads CSV, Parquet or JSON-lines files from S3 and writes one "
    "dataset with its column metadata and signature (header).",
    config_class=DataLoadingConfig,
    builder="builders.step_types.data_loading.builder:DataLoadingStepBuilder",
    outputs=(
        Port("data", PortKind.TABULAR_DATA, "The data as headerless CSV."),
        Port("metadata", PortKind.DATA_METADATA, "Column names and types (metadata.json)."),
        Port("signature", PortKind.DATA_SIGNATURE, "The header row (signature file)."),
    ),
    order=10,
    job=Path(__file__).parent / "job",
)
