"""What must never be uploaded with a code folder: credentials, keys, and folders not meant.

A Packaging node with `"source_dir": "~/.aws"` once uploaded the user's credentials file to
S3. Staging asks these rules about every folder and file before reading it, and about the
bytes it read; each answer is the reason shown to the user, or None.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

# Folders that hold credentials or keys, wherever they are.
SECRET_FOLDERS = {".aws", ".ssh", ".gnupg", ".azure", ".kube", ".docker"}
# File names (shell patterns, case-insensitive) of credentials and private keys.
SECRET_FILES = (
    ".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "*.ppk", ".netrc", ".pgpass",
    ".git-credentials", ".pypirc", "credentials", "credentials.json",
)  # fmt: skip
# Examples and templates of such files hold no secret: .env.example, .env.sample, ...
HARMLESS_SUFFIXES = (".example", ".sample", ".template", ".dist")
# An AWS access key id, a secret access key (40 characters) assigned, a private key block.
SECRET_CONTENT = re.compile(
    rb"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"
    rb"|aws_secret_access_key\s*[=:]\s*[\"']?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"
    rb"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
)


def folder_problem(folder: Path) -> str | None:
    """Why `folder` must not be staged as a whole: `/`, a home folder, a credentials folder."""
    resolved = folder.resolve()
    home = Path.home().resolve()
    if resolved == Path(resolved.anchor):
        return "is the root of the file system"
    if resolved == home or home.is_relative_to(resolved):
        return "is your home folder (or holds it): staging it would upload everything in it"
    secret = SECRET_FOLDERS.intersection(resolved.parts)
    if secret:
        return f"is (or is inside) {sorted(secret)[0]}, a folder of credentials or keys"
    return None


def name_problem(relative: str) -> str | None:
    """Why a file or folder at `relative` (a/b/c) looks like a credential, or None."""
    parts = relative.split("/")
    secret = SECRET_FOLDERS.intersection(parts)
    if secret:
        return f"is in {sorted(secret)[0]}, a folder of credentials or keys"
    name = parts[-1].lower()
    if name.endswith(HARMLESS_SUFFIXES):
        return None
    pattern = next((p for p in SECRET_FILES if fnmatch.fnmatchcase(name, p)), None)
    if pattern:
        return f"is named like a credential or private key ({pattern})"
    return None


def content_problem(content: bytes) -> str | None:
    """Why bytes look like they hold a credential (an AWS access key, a private key), or None."""
    if SECRET_CONTENT.search(content):
        return "holds what looks like an AWS access key or a private key"
    return None
