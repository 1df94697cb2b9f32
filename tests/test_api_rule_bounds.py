"""A string rule's bounds are inclusive, as botocore's service model states them: a value of
exactly `min` (or `max`) characters fits, one fewer (or more) does not."""

from __future__ import annotations

import botocore.session
import pytest

from builders.configs.api_rules import string_problem

MODEL = botocore.session.get_session().get_service_model("sagemaker")


@pytest.mark.parametrize("shape", ["BucketName", "TaskInput", "PipelineName", "EntityName"])
def test_a_value_of_exactly_the_minimum_or_maximum_length_fits(shape):
    rules = MODEL.shape_for(shape).metadata
    low, high = rules.get("min", 0), rules["max"]
    assert string_problem(shape, "a" * max(low, 1)) is None
    assert string_problem(shape, "a" * high) is None
    assert string_problem(shape, "a" * (high + 1)) == f"must have at most {high} characters"
    if low > 1:
        assert string_problem(shape, "a" * (low - 1)) == (f"must have at least {low} character(s)")


@pytest.mark.parametrize("value", ["bad_name", "-leading", "trailing-", "spa ce"])
def test_a_value_off_the_shapes_pattern_names_the_pattern(value):
    pattern = MODEL.shape_for("PipelineName").metadata["pattern"]
    assert string_problem("PipelineName", value) == (
        f"must match the SageMaker API's pattern {pattern}"
    )
    assert string_problem("PipelineName", "good-name-2") is None
