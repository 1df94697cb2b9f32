"""What must never be uploaded with a code folder: credentials, keys, and folders not meant.

A Packaging node with `"source_dir": "~/.aws"` once uploaded the user's credentials file to
S3. Staging asks these rules about every folder and file before reading it, and about the
bytes it read; each answer is the reason shown to the user, or None.

- Folders: the root, a folder that is or holds a home folder, system folders (/etc, /var/log,
  /home, ...) and credential folders (~/.aws, ~/.ssh, gcloud's, ...) are never code folders.
- Names: files named like credentials or keys (.env, .envrc, .npmrc, id_rsa, *.pem, gcloud's
  application_default_credentials.json, a kubeconfig, ...).
- Content: detect-secrets (Yelp's maintained scanner: AWS keys, private keys, cloud and
  service tokens, passwords assigned in settings files), never a list of our own patterns.
  Its rules want a setting's value quoted, as its own INI reader quotes them: so in files
  that are not code, an unquoted `NAME=value` line is scanned quoted too (a shell file's
  `export AWS_SECRET_ACCESS_KEY=...`). Only a kube config, which keeps its keys
  base64-encoded, is recognised by its shape.
"""

from __future__ import annotations

import bisect
import fnmatch
import functools
import hashlib
import itertools
import re
import string
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

# Folders that hold credentials or keys, wherever they are.
SECRET_FOLDERS = {".aws", ".ssh", ".gnupg", ".azure", ".kube", ".docker"}
SECRET_SUBFOLDERS = {(".config", "gcloud")}  # gcloud keeps its credentials in ~/.config/gcloud
# File names (shell patterns, case-insensitive) of credentials and private keys.
SECRET_FILES = (
    ".env", ".env.*", ".envrc", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "*.ppk", ".netrc", ".pgpass", ".npmrc",
    ".yarnrc", ".yarnrc.yml", ".git-credentials", ".pypirc", "credentials", "credentials.json",
    "application_default_credentials.json", "kubeconfig", "*.kubeconfig",
)  # fmt: skip
# Examples and templates of such files hold no secret: .env.example, .env.sample, ...
HARMLESS_SUFFIXES = (".example", ".sample", ".template", ".dist")
# Never code folders, nor inside one (the system's own files and logs).
SYSTEM_TREES = ("/etc", "/proc", "/sys", "/dev", "/boot", "/run", "/var/log", "/var/run",
                "/var/spool", "/var/mail", "/var/backups", "/var/cache",
                "/private/etc", "/private/var/log", "/System", "/Library")  # fmt: skip
# Never code folders themselves: each holds much more (users' homes, the whole system).
SYSTEM_FOLDERS = ("/bin", "/home", "/lib", "/lib32", "/lib64", "/mnt", "/media", "/opt",
                  "/root", "/sbin", "/srv", "/tmp", "/usr", "/usr/local", "/var", "/Users",
                  "/Volumes", "/private", "/private/var", "/Applications")  # fmt: skip

# detect-secrets' detectors for tokens and keys; not its entropy detectors (every hash and
# base64 blob in code would trip them), nor the public-IP one (an address is no secret), nor
# IBM's and SoftLayer's (two thirds of the scan's time, for keys this tool never meets).
_LEFT_OUT = {"Base64HighEntropyString", "HexHighEntropyString", "IPPublicDetector",
             "CloudantDetector", "IbmCloudIamDetector", "IbmCosHmacDetector",
             "SoftlayerDetector"}  # fmt: skip
_CODE_TYPES = {"PYTHON", "JAVASCRIPT", "GO", "JAVA", "PHP", "SWIFT", "C", "C_PLUS_PLUS",
               "C_SHARP", "OBJECTIVE_C", "CLS", "TERRAFORM"}  # fmt: skip
# `NAME=value`, `NAME = value`, `export NAME=value`, `NAME: value` with an unquoted value.
_UNQUOTED = re.compile(
    r"^([ \t]*(?:export[ \t]+)?[\w.\-]+[ \t]*[=:][ \t]*)([^\s\"'#][^\s#]*)[ \t]*$", re.MULTILINE
)
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NEWLINE = re.compile(r"\r\n|\r|\n")
_KUBECONFIG = re.compile(rb"^kind:\s*Config\s*$", re.MULTILINE)


def folder_problem(folder: Path) -> str | None:
    """Why `folder` must not be staged as a whole: `/`, a home folder or one that holds it,
    a system folder, a credentials folder."""
    resolved = folder.resolve()
    home = Path.home().resolve()
    if resolved == Path(resolved.anchor):
        return "is the root of the file system"
    if resolved == home or home.is_relative_to(resolved):
        return "is your home folder (or holds it): staging it would upload everything in it"
    text = resolved.as_posix()
    if text in SYSTEM_FOLDERS or text in SYSTEM_TREES:
        return "is a system folder, not a code folder"
    # As Path.is_relative_to, on the text of a resolved path (five times faster).
    tree = next((t for t in SYSTEM_TREES if text.startswith(t + "/")), None)
    if tree:
        return f"is inside {tree}, a system folder, not a code folder"
    secret = _secret_folder(resolved.parts)
    if secret:
        return f"is (or is inside) {secret}, a folder of credentials or keys"
    return None


def _secret_folder(parts: tuple[str, ...] | list[str]) -> str | None:
    named = sorted(SECRET_FOLDERS.intersection(parts))
    if named:
        return named[0]
    pairs = set(itertools.pairwise(parts))
    return next(("/".join(pair) for pair in sorted(SECRET_SUBFOLDERS & pairs)), None)


def name_problem(relative: str) -> str | None:
    """Why a file or folder at `relative` (a/b/c) looks like a credential, or None."""
    parts = relative.split("/")
    secret = _secret_folder(parts)
    if secret:
        return f"is in {secret}, a folder of credentials or keys"
    name = parts[-1].lower()
    if name.endswith(HARMLESS_SUFFIXES):
        return None
    pattern = next((p for p in SECRET_FILES if fnmatch.fnmatchcase(name, p)), None)
    if pattern:
        return f"is named like a credential or private key ({pattern})"
    return None


def link_problem(path: Path, folder: Path) -> str | None:
    """Why a file that is (or passes through) a link must not be staged: it leaves `folder`."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # a dangling link, a loop
        return f"is a link that cannot be followed ({getattr(error, 'strerror', error)})"
    if not target.is_relative_to(folder.resolve()):
        return f"is a link to {target}, outside the folder"
    return None


def content_problem(content: bytes, name: str = "") -> str | None:
    """Why bytes (of a file named `name`) look like they hold a credential, or None.

    The answer depends on the bytes and the name only, so it is kept by their digest: files
    staged again are not scanned again (SDK 3 writes its training drivers to a new folder at
    every compile; scanning them was a fifth of a compile's time)."""
    key = (hashlib.sha256(content).digest(), name)
    found, problem = _SCANNED.get(key)
    if not found:
        problem = _scanned_problem(content, name)
        _SCANNED.put(key, problem)
    return problem


class _Answers:
    """The last answers, by key, in a bounded, thread-safe map."""

    def __init__(self, size: int):
        self.size = size
        self._answers: OrderedDict[tuple, str | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> tuple[bool, str | None]:
        with self._lock:
            if key not in self._answers:
                return False, None
            self._answers.move_to_end(key)
            return True, self._answers[key]

    def put(self, key: tuple, answer: str | None) -> None:
        with self._lock:
            self._answers[key] = answer
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)


_SCANNED = _Answers(size=4096)  # ~100 bytes an entry


def _scanned_problem(content: bytes, name: str) -> str | None:
    if _KUBECONFIG.search(content) and b"users:" in content:
        return "is a Kubernetes config (its users' keys and tokens)"
    from detect_secrets.util.filetype import determine_file_type

    text = content.decode("utf-8", "replace")
    variants = [text]
    if determine_file_type(name).name not in _CODE_TYPES | {"YAML"}:
        variants.append(_UNQUOTED.sub(r'\1"\2"', text))
    for variant in variants:
        lines = _NEWLINE.split(variant)  # as _suspect_lines counts them (not splitlines)
        for index in _suspect_lines(variant):
            found = _secret_in(lines, index, name)
            if found:
                return f"holds what looks like a secret: {found} (line {index + 1})"
    return None


def _suspect_lines(text: str) -> list[int]:
    """The lines any detector's own patterns match, found over the whole text at once (a line
    at a time through every detector takes seconds a megabyte)."""
    ends = [match.end() for match in _NEWLINE.finditer(text)]  # where each line ends
    patterns, keywords = _prefilters()
    starts = {match.start() for pattern in patterns for match in pattern.finditer(text)}
    # The keyword detector ignores case: its words over the text in lower case (ASCII only,
    # so that offsets stay put) are three times faster than a case-blind search.
    starts.update(match.start() for match in keywords.finditer(text.translate(_LOWER)))
    return sorted({bisect.bisect_right(ends, start) for start in starts})


@functools.cache
def _prefilters() -> tuple[tuple[re.Pattern, ...], re.Pattern]:
    """The detectors' own patterns, each line's start a line start; the keyword detector's."""
    from detect_secrets.plugins.keyword import DENYLIST_REGEX

    patterns = [regex for plugin in _plugins() for regex in getattr(plugin, "denylist", ())]
    lines = tuple(re.compile(p.pattern, p.flags | re.MULTILINE) for p in patterns)
    return lines, re.compile(DENYLIST_REGEX)


def _secret_in(lines: list[str], index: int, name: str) -> str | None:
    """What the detectors find on a line, unless it is marked as no secret (detect-secrets'
    `pragma: allowlist secret` comment, on the line or the line before as `... nextline ...`)
    or its filters say it is not one."""
    from detect_secrets.filters import heuristic
    from detect_secrets.filters.allowlist import is_line_allowlisted
    from detect_secrets.util.code_snippet import get_code_snippet

    line, number = lines[index], index + 1
    context = get_code_snippet(lines, number, lines_of_context=1)
    if heuristic.is_indirect_reference(line) or is_line_allowlisted(name, line, context):
        return None
    for plugin in _plugins():
        for secret in plugin.analyze_line(filename=name, line=line, line_number=number):
            value = secret.secret_value or ""
            if not _looks_made_up(value, line, plugin, heuristic):
                return secret.type
    return None


def _looks_made_up(value: str, line: str, plugin: Any, heuristic: Any) -> bool:
    """detect-secrets' own filters of what is not a secret: a template, a UUID, abc123..."""
    return (
        heuristic.is_sequential_string(value)
        or heuristic.is_potential_uuid(value)
        or heuristic.is_templated_secret(value)
        or heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_not_alphanumeric_string(value)
        or heuristic.is_likely_id_string(value, line, plugin)
    )


@functools.cache
def _plugins() -> tuple:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    classes = get_mapping_from_secret_type_to_class().values()
    return tuple(cls() for cls in classes if cls.__name__ not in _LEFT_OUT)
