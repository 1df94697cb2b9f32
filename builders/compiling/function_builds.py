"""A function step's build folder, and the one part of its definition made anew per compile.

SDK 3 (3.2 and later) signs a function step's payloads, the pickled function and arguments,
with an ECDSA key pair it makes for each compile (a new private key in every
`Pipeline.definition()`, kept in memory only) and writes the public key into the step's
environment, `REMOTE_FUNCTION_SECRET_KEY`; the job refuses payloads that key did not sign.
No session, config or environment setting hands the SDK a key (and a key kept across
compiles would be one anybody who read it could sign payloads with), so an unchanged
function step's definition differs on every compile. SDK 2 (2.257 and later) checks a plain
SHA-256 of the payloads: its definition is the same every time.

The build folder (where the payloads go, the workspace channel's name) is
`<digest of what the step ships>-<fingerprint of the public key>` (SDK 2: the digest
alone): a deploy never overwrites the payloads that an earlier definition's executions
verify with their own key, and a diff can tell the content from the key. `without_own_key`
sets aside exactly the key and its fingerprint where the build folder names that very key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

KEY_VARIABLE = "REMOTE_FUNCTION_SECRET_KEY"
BUILD_ARGUMENT = "--func_step_s3_dir"
_OWN_KEY = "<the public key of the compile that wrote it>"


def build_folder(content_digest: str, public_key: str = "") -> str:
    """The build folder of payloads with this digest, signed for `public_key` (PEM)."""
    return f"{content_digest}-{_fingerprint(public_key)}" if public_key else content_digest


def _fingerprint(public_key: str) -> str:
    return hashlib.sha256(public_key.encode()).hexdigest()[:8]


def without_own_key(arguments: dict[str, Any]) -> dict[str, Any]:
    """A step's arguments without what its compile made anew: in a function step whose build
    folder names the key in its environment, that key and the fingerprint. Any other step,
    or a key the build folder does not name, is returned as it is."""
    words = (arguments.get("AlgorithmSpecification") or {}).get("ContainerArguments") or []
    key = (arguments.get("Environment") or {}).get(KEY_VARIABLE)
    if BUILD_ARGUMENT not in words[:-1] or not isinstance(key, str):
        return arguments
    build = words[words.index(BUILD_ARGUMENT) + 1]
    content, _, _ = build.rpartition("-") if isinstance(build, str) else ("", "", "")
    if not content or build != build_folder(content, key):
        return arguments
    text = json.dumps(arguments).replace(build, content)  # 25 characters of hex: unique
    result = json.loads(text)
    result["Environment"][KEY_VARIABLE] = _OWN_KEY
    return result
