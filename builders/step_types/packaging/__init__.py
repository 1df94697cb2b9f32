"""Packaging: model artifacts and inference code in one model.tar.gz.

`PackageStepConfig` and `MIMSPackagingStepBuilder` are the seed's names of its classes.
"""

from pathlib import Path

from builders.contracts import Contract
from builders.ports import INFERENCE_CODE
from builders.step_types import Port, PortKind, StepType
from builders.step_types.packaging.config import PackageStepConfig, PackagingConfig


def contract(config: PackagingConfig, received) -> Contract:
    """Both outputs carry the model with the inference code of source_dir."""
    code = {INFERENCE_CODE: config.source_dir}
    return Contract(carries={"packaged_model": code, "model_artifacts": code})


STEP_TYPE = StepType(
    name="Packaging",
    display_name="Packaging",
    category="Registration",
    description="Puts model artifacts and inference code (under code/) into one model.tar.gz.",
    config_class=PackagingConfig,
    builder="builders.step_types.packaging.builder:PackagingStepBuilder",
    inputs=(Port("model_artifacts", PortKind.MODEL_ARTIFACTS, "The model.tar.gz to package."),),
    outputs=(
        Port(
            "packaged_model",
            PortKind.PACKAGED_MODEL,
            "S3 URI of the packaged model.",
            carries=frozenset({INFERENCE_CODE}),
            passes="model_artifacts",
        ),
        Port(
            "model_artifacts",
            PortKind.MODEL_ARTIFACTS,
            "The same archive, for a model step that serves it with its inference "
            "code: batch transform then scores as the registered model does.",
            carries=frozenset({INFERENCE_CODE}),
            passes="model_artifacts",
        ),
    ),
    order=80,
    job=Path(__file__).parent / "job",
    former_config_names=("PackageStepConfig",),
    contract=contract,
)

__all__ = ["STEP_TYPE", "PackageStepConfig", "PackagingConfig"]
