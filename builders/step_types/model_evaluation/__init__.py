"""ModelEvaluation: score the trained model on the test split; write evaluation.json."""

from pathlib import Path

from builders.graph.ports import INFERENCE_CODE, Need
from builders.step_types import Port, PortKind, StepType
from builders.step_types.model_evaluation.config import ModelEvaluationConfig

STEP_TYPE = StepType(
    name="ModelEvaluation",
    display_name="Model evaluation",
    category="Model",
    description="Scores the trained model on the test split with its inference code and "
    "writes evaluation.json (AUC, accuracy, F1; or RMSE, MAE, R2) for a quality gate.",
    config_class=ModelEvaluationConfig,
    builder="builders.step_types.model_evaluation.builder:ModelEvaluationStepBuilder",
    inputs=(
        Port(
            "model_artifacts",
            PortKind.MODEL_ARTIFACTS,
            "The model.tar.gz to score; its inference code comes from the archive's code/ "
            "folder (a packaged model) or from inference_source_dir.",
            needs=Need(INFERENCE_CODE, "inference_source_dir"),
        ),
        Port("data", PortKind.PROCESSED_DATA, "Folder with the test/ split."),
    ),
    outputs=(Port("evaluation", PortKind.EVALUATION, "evaluation.json with the model's metrics."),),
    order=65,
    job=Path(__file__).parent / "job",
)
