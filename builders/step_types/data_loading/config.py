"""DataLoading: read tabular data from S3 and write it with its metadata and signature."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from builders.configs.base import ProcessingStepConfigBase
from builders.configs.types import ADVANCED, PARAMETER, JobType, S3Uri, ScriptName


class DataLoadingConfig(ProcessingStepConfigBase):
    """Reads CSV, Parquet or JSON-lines files from S3 into one headerless CSV dataset."""

    processing_entry_point: Annotated[
        ScriptName, ADVANCED, Field(description="Python script the job runs.")
    ] = "data_loading.py"
    job_type: Annotated[
        JobType, Field(description="What the data is for; names the output folders.")
    ] = "training"
    data_sources: Annotated[
        list[S3Uri],
        PARAMETER,  # as a one-item list: the parameter is the one location
        Field(
            min_length=1,
            max_length=20,
            description="S3 URIs of the input files or folders (up to 20).",
        ),
    ]
    data_format: Annotated[
        Literal["csv", "parquet", "jsonl"], Field(description="Format of the input files.")
    ] = "csv"
    csv_has_header: Annotated[
        bool, Field(description="The CSV input files start with a header row.")
    ] = True
    column_names: Annotated[
        list[str],
        Field(description="Column names, for CSV input without a header row."),
    ] = []
