"""User data is text, never markup: escape it before it reaches any markdown renderer.
Messages from services are trimmed of the HTML error pages some endpoints answer with.

Streamlit's labels, st.markdown and the canvas nodes (react-markdown with math) all read
markdown. A backslash before every ASCII punctuation character makes CommonMark print it
as is, so a node named `<img src=x onerror=alert(1)>` shows exactly that; a word joiner
(invisible) keeps a URL in a name from becoming a link.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Where GFM would see a bare link (https://..., www...., a@b.c): after parsing, escapes and
# all, so escaping cannot stop it. An invisible word joiner in front of it does.
_AUTOLINK = re.compile(r"(?i)(?=(?:https?|ftp|mailto|xmpp):|www\.|@)")
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` escaped for markdown: every character shows literally, and a URL or an email
    address in it stays text (never a link)."""
    unlinked = _AUTOLINK.sub(WORD_JOINER, str(text))
    escaped = _PUNCTUATION.sub(r"\\\1", unlinked)
    return escaped.replace("\n", "  \n")


_HTML_PAGE = re.compile(r"<!doctype html|<html", re.IGNORECASE)


def without_html_page(message: str) -> str:
    """A service's message without the HTML error page it may carry (shown as text, a page
    of markup reads as garbage); what came before the page is kept."""
    page = _HTML_PAGE.search(message)
    if page is None:
        return message
    return message[: page.start()].rstrip(": ") + " (the service answered with an error page)."
