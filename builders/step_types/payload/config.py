"""Payload: sample requests built from the model's input schema, archived in S3."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, computed_field, model_validator

from builders.configs.base import ProcessingStepConfigBase
from builders.configs.types import (
    ADVANCED,
    CodeLocation,
    ContentType,
    FieldName,
    FieldRuleError,
    ScriptName,
    VariableType,
    matching,
)

OneContentType = Annotated[list[ContentType], Field(min_length=1, max_length=1)]


class PayloadConfig(ProcessingStepConfigBase):
    """Builds sample payloads for every input variable and uploads them as a tar.gz."""

    processing_entry_point: Annotated[
        ScriptName, ADVANCED, Field(description="Python script the job runs.")
    ] = "payload.py"
    model_registration_objective: Annotated[
        str,
        Field(min_length=1, description="What the model is for, such as FraudDetection."),
    ]
    expected_tps: Annotated[
        int, Field(ge=1, description="Expected requests per second in production.")
    ] = 2
    max_latency_in_millisecond: Annotated[
        int, Field(ge=100, le=10000, description="Largest acceptable latency, in milliseconds.")
    ] = 800
    max_acceptable_error_rate: Annotated[
        float, Field(ge=0.0, le=1.0, description="Largest acceptable error rate, from 0 to 1.")
    ] = 0.2
    sample_payload_s3_key: Annotated[
        Annotated[str, matching(r"[^/].*\.tar\.gz", "must be an S3 key ending in .tar.gz")] | None,
        Field(
            description="S3 key (in the bucket) of the payload archive, ending in .tar.gz; each "
            "run writes it in a folder named after its execution id, before the file name. "
            "Leave empty for a key derived from the pipeline name and version.",
        ),
    ] = None
    default_numeric_value: Annotated[
        float, Field(description="Value used for every NUMERIC input variable.")
    ] = 0.0
    default_text_value: Annotated[
        str, Field(description="Value used for every TEXT input variable.")
    ] = "DEFAULT_TEXT"
    special_field_values: Annotated[
        dict[FieldName, str] | None,
        Field(
            description="Values for particular TEXT variables; {timestamp} in a value is "
            "replaced by the time the payload is made."
        ),
    ] = None
    payload_script_path: Annotated[
        CodeLocation | None,
        Field(
            description="Your own payload generator script (local file or s3:// URI), run "
            "instead of the built-in one."
        ),
    ] = None
    payload_script_arguments: Annotated[
        list[str] | None, Field(description="Arguments for your payload generator script.")
    ] = None
    source_model_inference_content_types: Annotated[
        OneContentType, Field(description="Format of the model's requests.")
    ] = ["text/csv"]
    source_model_inference_response_types: Annotated[
        OneContentType, Field(description="Format of the model's responses.")
    ] = ["application/json"]
    source_model_inference_output_variable_list: Annotated[
        dict[FieldName, VariableType],
        Field(min_length=1, description="The model's output variables and their types."),
    ]
    source_model_inference_input_variable_list: Annotated[
        dict[FieldName, VariableType],
        Field(
            min_length=1,
            description="The model's input variables and their types, in request order.",
        ),
    ]

    @model_validator(mode="after")
    def _check_special_fields(self) -> PayloadConfig:
        inputs = self.source_model_inference_input_variable_list
        for name in self.special_field_values or {}:
            if name not in inputs:
                raise FieldRuleError("special_field_values", f"'{name}' is not an input variable")
            if inputs[name] is not VariableType.TEXT:
                raise FieldRuleError(
                    "special_field_values",
                    f"'{name}' is a {inputs[name].value} variable; only "
                    "TEXT variables take special values",
                )
        return self

    @computed_field(
        description="S3 key of the payload archive, less the execution id each run adds."
    )
    @property
    def payload_s3_key(self) -> str:
        if self.sample_payload_s3_key:
            return self.sample_payload_s3_key
        objective = re.sub(r"[^A-Za-z0-9_\-]+", "_", self.model_registration_objective)
        return f"pipelines/{self.pipeline_name}/{self.pipeline_version}/payload/{objective}.tar.gz"

    @computed_field(
        description="S3 URI of the payload archive, less the execution id each run adds."
    )
    @property
    def payload_s3_uri(self) -> str:
        return f"s3://{self.bucket}/{self.payload_s3_key}"
