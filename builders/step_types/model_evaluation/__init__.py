"""ModelEvaluation: score the trained model on the test split; write evaluation.json."""

from pathlib import Path

from builders.contracts import Contract, Metrics, Needs
from builders.ports import INFERENCE_CODE, METRICS, PROBLEM_TYPE, Need
from builders.step_types import Port, PortKind, StepType
from builders.step_types.model_evaluation.config import ModelEvaluationConfig
from builders.step_types.model_evaluation.job.scoring import PROBLEM_METRICS


def contract(config: ModelEvaluationConfig, received) -> Contract:
    """The metrics of its problem type: its own, or (auto) the one the model's archive
    declares, which the job reads from it."""
    problem, expects = config.problem_type, ()
    if problem == "auto":
        problem = received.get("model_artifacts", {}).get(PROBLEM_TYPE)
        expects = (Needs("model_artifacts", "problem_type", Need(PROBLEM_TYPE, "problem_type")),)
    if problem is None:
        return Contract(expects=expects)
    return Contract({"evaluation": {METRICS: Metrics(problem, PROBLEM_METRICS[problem])}}, expects)


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
    outputs=(
        Port(
            "evaluation",
            PortKind.EVALUATION,
            "evaluation.json with the model's metrics.",
            carries=frozenset({METRICS}),
        ),
    ),
    order=65,
    job=Path(__file__).parent / "job",
    contract=contract,
)
