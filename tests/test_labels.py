"""Widget labels are plain text (components/text.py's `label`): markdown shows them as
written, and an ordinary label carries no escapes (a screen reader reads the label's source,
and a test finds a field by the text a person sees)."""

from __future__ import annotations

import random
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from builders.configs.fields import form_fields
from builders.registry import REGISTRY
from components.text import label

COMMONMARK = MarkdownIt("commonmark").enable("strikethrough")
ALPHABET = "ab Z1 _*~`[]()<>&#;-+.!\\=|^{}\"'%"


class _Text(HTMLParser):
    """The text of rendered HTML, and the tags other than the paragraph's."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.tags = "", []

    def handle_data(self, data):
        self.text += data

    def handle_starttag(self, tag, attrs):
        if tag != "p":
            self.tags.append(tag)


def shown(markdown: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(COMMONMARK.render(markdown))
    return parser.text.strip("\n"), parser.tags


@pytest.mark.parametrize("seed", range(4))
def test_any_label_is_shown_as_written(seed):
    rng = random.Random(seed)
    for _ in range(2500):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 30))).strip()
        if not text:
            continue
        assert shown(label(text)) == (text, []), (text, label(text))


def test_the_forms_labels_carry_no_escapes():
    """Every label a step type's form draws, with the notes the form adds, is as written."""
    for step_type in map(REGISTRY.get, REGISTRY.names()):
        for spec in form_fields(step_type.config_class):
            for note in ("", " (pipeline setting)", " (overridden for this node)"):
                text = f"{spec.label}{note} *"
                assert label(text) == text, text
    assert label("Output packaged_model") == "Output packaged_model"


def test_markup_in_a_label_is_escaped():
    for text in ["*bold*", "_it_", "`code`", "[a](b)", "# Title", "- item", "1. First", "&amp;",
                 ":material/add:", "$x$", "<b>", "~~gone~~", "\\*"]:  # fmt: skip
        assert label(text) != text and shown(label(text))[1] == [], text
