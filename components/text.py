"""User data is text, never markup: escape it before it reaches any markdown renderer.

Streamlit's labels, st.markdown and the canvas nodes (react-markdown with math) all read
markdown. A backslash before every ASCII punctuation character makes CommonMark print it
as is, so a node named `<img src=x onerror=alert(1)>` shows exactly that.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(text: object) -> str:
    """`text` escaped for markdown: every character shows literally."""
    escaped = _PUNCTUATION.sub(r"\\\1", str(text))
    return escaped.replace("\n", "  \n")
