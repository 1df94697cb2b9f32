"""Language models the assistant can use: Amazon Bedrock's Converse API through boto3.

A model is anything with `ask(system, messages) -> str`, messages in Converse form
(`{"role": "user"|"assistant", "content": [{"text": ...}]}`). Every failure of a call
becomes an AssistantError that says what to do; the assistant then works without the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from builders.errors import PipelineDesignError

DEFAULT_MODEL_ID = "anthropic.claude-3-5-sonnet-20240620-v1:0"


class AssistantError(PipelineDesignError):
    """The language model could not be reached or gave no usable answer."""


class LanguageModel(Protocol):
    label: str

    def ask(self, system: str, messages: list[dict[str, Any]]) -> str: ...


@dataclass(frozen=True)
class BedrockModel:
    """A Bedrock model through `bedrock-runtime` Converse; `endpoint_url` for a stand-in."""

    model_id: str
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    max_tokens: int = 2000

    @property
    def label(self) -> str:
        return f"Bedrock {self.model_id} in {self.region}"

    def ask(self, system: str, messages: list[dict[str, Any]]) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client().converse(
                modelId=self.model_id,
                system=[{"text": system}],
                messages=messages,
                inferenceConfig={"maxTokens": self.max_tokens, "temperature": 0.0},
            )
        except ClientError as error:
            raise AssistantError(self._explain(error)) from None
        except BotoCoreError as error:
            raise AssistantError(
                f"Could not reach {self.label}: {error}. Check the network, the region and "
                "your AWS credentials, or use the assistant offline."
            ) from None
        return _text_of(response)

    def _client(self) -> Any:
        import boto3
        from botocore.config import Config

        session = boto3.Session(region_name=self.region, profile_name=self.profile)
        config = Config(
            retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=120
        )
        return session.client("bedrock-runtime", endpoint_url=self.endpoint_url, config=config)

    def _explain(self, error: Any) -> str:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in ("AccessDeniedException", "UnrecognizedClientException"):
            return (
                f"{self.label} refused the request ({code}: {message}). Enable access to this "
                "model in the Bedrock console and check the credentials' permissions."
            )
        if code in ("ResourceNotFoundException", "ValidationException"):
            return f"{self.label} is not available ({message}). Check the model ID and region."
        if code == "ThrottlingException":
            return f"{self.label} is throttling requests. Wait a minute and try again."
        return f"{self.label} failed ({code}: {message})."


def _text_of(response: Any) -> str:
    try:
        parts = response["output"]["message"]["content"]
        return "".join(part.get("text", "") for part in parts)
    except (KeyError, TypeError):
        raise AssistantError("The model's response had no text message.") from None


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"text": text}]}


def assistant(text: str) -> dict[str, Any]:
    return {"role": "assistant", "content": [{"text": text}]}


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def json_in(text: str) -> Any:
    """The JSON object in a model's answer (bare, or in a ```json fence, or amid prose)."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except ValueError:
            continue
    raise AssistantError("The answer was not a JSON object.")
