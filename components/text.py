"""User data is text, never markup: escape it before it reaches any markdown renderer.
Messages from services are trimmed of the HTML error pages some endpoints answer with.

Streamlit's labels, st.markdown and the canvas nodes (react-markdown with math) all read
markdown. A backslash before every ASCII punctuation character makes CommonMark print it
as is, so a node named `<img src=x onerror=alert(1)>` shows exactly that; a word joiner
(invisible) keeps a URL in a name from becoming a link.

A widget's label is also its accessible name: Streamlit hands the label's markdown source
to the browser as the input's aria-label, so md()'s backslashes would be read out and a
field could not be found by the text a person sees. `label` escapes a character only where
markdown would take it as markup: an ordinary label is passed as written.
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


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 problem', '3 problems', '0 connections': a count with its noun in the right form."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_SHORTCODE = re.compile(r":[\w+\-/]+(:|\[)")  # :smile:, :material/add:, :red[text]
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_LIST_ITEM = re.compile(r"(\d{1,9}[.)]|[-+*])( |$)")
_HEADING = re.compile(r"#{1,6}( |$)")


def label(text: object) -> str:
    """`text` as a widget's label: shown and read (its aria-label) as written. Only what
    markdown would read as markup is escaped: emphasis that could open or close, code and
    math spans, links, shortcodes, entities, a backslash before punctuation, and a
    heading, quote or list marker at the start."""
    text = str(text)
    return "".join(
        "\\" + char if _is_markup(text, index) else char for index, char in enumerate(text)
    )


def _is_markup(text: str, index: int) -> bool:
    char = text[index]
    after = text[index + 1 :]
    start = _LIST_ITEM.match(text)
    if start is not None and index == start.end(1) - 1:
        return True
    if char in "*_~":
        return _delimiter(text, index)
    if char in "`$":
        return text.count(char) > 1
    if char == "\\":
        return not after or after[0] in _ASCII_PUNCTUATION
    if char in "[]":
        return "[" in text and "]" in text
    if char == "<":  # a tag, a comment, an autolink
        return ">" in after or (after[:1].isalpha() or after[:1] in ("!", "?", "/"))
    if char == "&":
        return bool(_ENTITY.match(text, index))
    if char == ":":
        return bool(_SHORTCODE.match(text, index))
    return index == 0 and char in "#>" and (char == ">" or bool(_HEADING.match(text)))


def _delimiter(text: str, index: int) -> bool:
    """Whether the run of `*`, `_` or `~` holding text[index] may open or close emphasis
    (CommonMark's flanking rules; GFM's strikethrough for `~`)."""
    char = text[index]
    start, end = index, index
    while start > 0 and text[start - 1] == char:
        start -= 1
    while end + 1 < len(text) and text[end + 1] == char:
        end += 1
    before = text[start - 1] if start > 0 else " "
    after = text[end + 1] if end + 1 < len(text) else " "
    left = not after.isspace() and (
        after not in _ASCII_PUNCTUATION or before.isspace() or before in _ASCII_PUNCTUATION
    )
    right = not before.isspace() and (
        before not in _ASCII_PUNCTUATION or after.isspace() or after in _ASCII_PUNCTUATION
    )
    if char == "_":
        opens = left and (not right or before in _ASCII_PUNCTUATION)
        closes = right and (not left or after in _ASCII_PUNCTUATION)
        return opens or closes
    thematic = start == 0 and set(text.replace(" ", "")) == {char} and len(text.strip()) >= 3
    return left or right or thematic


_HTML_PAGE = re.compile(r"<!doctype html|<html", re.IGNORECASE)


def without_html_page(message: str) -> str:
    """A service's message without the HTML error page it may carry (shown as text, a page
    of markup reads as garbage); what came before the page is kept."""
    page = _HTML_PAGE.search(message)
    if page is None:
        return message
    return message[: page.start()].rstrip(": ") + " (the service answered with an error page)."
