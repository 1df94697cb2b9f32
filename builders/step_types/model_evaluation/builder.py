"""ModelEvaluationStepBuilder: a processing job in the model's framework container, with
evaluation.json declared as a property file for a Condition step to read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from builders.compiling.port_values import Located
from builders.compiling.steps.processing import ProcessingStepBuilder, processing_input
from builders.step_types.model_evaluation.config import ModelEvaluationConfig
from builders.step_types.model_evaluation.job.scoring import REPORT_FILE

PROPERTY_FILE = "EvaluationReport"


@dataclass(frozen=True)
class EvaluationOutput(Located):
    """What the `evaluation` port carries: the step and property file a condition reads
    (JsonGet), the report's S3 URI a registration records as model metrics, and the folder
    holding the report, which a script reading the port gets."""

    step_name: str
    property_file: Any  # the SDK's PropertyFile
    report_uri: Any  # a pipeline expression
    folder: Any  # a pipeline expression

    @property
    def s3_location(self) -> Any:
        return self.folder


class ModelEvaluationStepBuilder(ProcessingStepBuilder):
    config: ModelEvaluationConfig
    OUTPUTS = {"evaluation": "evaluation"}

    def settings(self) -> dict[str, Any]:
        return self.config.model_dump(
            include={
                "label_name",
                "problem_type",
                "split",
                "inference_entry_point",
                "content_type",
            }
        )

    def image(self) -> str:
        config = self.config
        if config.framework == "sklearn":
            return super().image()
        pytorch = config.framework == "pytorch"
        return self.image_uri(
            config.framework,
            config.framework_version,
            py_version=config.py_version if pytorch else None,
            instance_type=config.effective_instance_type if pytorch else None,
            scope="training" if pytorch else None,
        )

    def processing_inputs(self, inputs: dict[str, Any]):
        given = [
            processing_input("model", inputs["model_artifacts"]),
            processing_input("data", inputs["data"]),
        ]
        if self.config.inference_source_dir:
            code = self.stager.folder(
                self.config.inference_source_dir,
                self.config.pipeline_s3_loc,
                node=self.node_name,
                field="inference_source_dir",
            )
            given.append(processing_input("inference", code))
        return given

    def property_files(self) -> list[Any]:
        return [self.sdk.property_file(PROPERTY_FILE, "evaluation", REPORT_FILE)]

    def output_properties(self, step) -> dict[str, Any]:
        folder = super().output_properties(step)["evaluation"]
        return {
            "evaluation": EvaluationOutput(
                self.node_name, step.property_files[0], self.joined(folder, REPORT_FILE), folder
            )
        }
