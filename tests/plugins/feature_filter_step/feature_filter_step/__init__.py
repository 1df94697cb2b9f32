"""FeatureFilter: keeps the columns a user lists, a step type that lives outside the project."""

from pathlib import Path

from builders.step_types import Port, PortKind, StepType
from feature_filter_step.config import FeatureFilterConfig

STEP_TYPE = StepType(
    name="FeatureFilter",
    display_name="Feature filter",
    category="Data",
    description="Keeps only the columns you list from a tabular dataset.",
    config_class=FeatureFilterConfig,
    builder="feature_filter_step.builder:FeatureFilterStepBuilder",
    inputs=(Port("data", PortKind.TABULAR_DATA, "The data to filter."),),
    outputs=(Port("data", PortKind.TABULAR_DATA, "The kept columns."),),
    job=Path(__file__).parent / "job",
)
