"""The Bedrock stand-in answers in the shape of a real Converse response: botocore's
bedrock-runtime service model (the one boto3's client parses Bedrock's answers with)."""

from __future__ import annotations

import botocore.session
import pytest
from bedrock_standin import ANSWERS, converse_response, written_answer
from request_shapes import shape_problems


@pytest.fixture(scope="module")
def converse():
    model = botocore.session.get_session().get_service_model("bedrock-runtime")
    return model.operation_model("Converse").output_shape


@pytest.mark.parametrize("name", sorted(p.stem for p in ANSWERS.glob("*.txt")))
def test_each_written_answer_goes_out_as_a_converse_response(converse, name):
    response = converse_response(written_answer(name))
    assert shape_problems(response, converse, "ConverseResponse") == []


def test_the_shape_check_sees_what_bedrock_would_not_send(converse):
    """The check is not blind: a response missing what Converse always returns, or with a
    member or role it does not have, is named."""
    broken = converse_response("hi")
    del broken["usage"]["outputTokens"]
    broken["output"]["message"]["role"] = "model"
    broken["output"]["message"]["content"][0] = {"txt": "hi"}
    assert shape_problems(broken, converse, "ConverseResponse") == [
        "ConverseResponse.output.message.role: 'model' not in the enum",
        "ConverseResponse.output.message.content[0].txt: unknown member",
        "ConverseResponse.usage.outputTokens: required",
    ]
