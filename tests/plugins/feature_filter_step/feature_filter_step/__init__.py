"""FeatureFilter: keeps the columns a user lists, a step type that lives outside the project."""

from pathlib import Path

from builders.contracts import Contract, ReadsColumns
from builders.ports import COLUMNS
from builders.step_types import Port, PortKind, StepType
from feature_filter_step.config import FeatureFilterConfig


def contract(config: FeatureFilterConfig, received) -> Contract:
    """It reads the columns it keeps; its data has those columns only, in that order: the
    checks hold a training after it to them."""
    kept = tuple(config.keep_columns)
    return Contract(
        carries={"data": {COLUMNS: kept}},
        expects=(ReadsColumns("data", "keep_columns", kept),),
    )


STEP_TYPE = StepType(
    name="FeatureFilter",
    display_name="Feature filter",
    category="Data",
    description="Keeps only the columns you list from a tabular dataset.",
    config_class=FeatureFilterConfig,
    builder="feature_filter_step.builder:FeatureFilterStepBuilder",
    inputs=(Port("data", PortKind.TABULAR_DATA, "The data to filter."),),
    outputs=(
        Port("data", PortKind.TABULAR_DATA, "The kept columns.", carries=frozenset({COLUMNS})),
    ),
    job=Path(__file__).parent / "job",
    contract=contract,
)
