"""The draft reader on markdown-it: what is a claim in a Markdown draft, what it cites, and where it is."""

from __future__ import annotations

from briefer.checker import parse_draft

DRAFT = """**Key points**

**Disputed:** Officials said the dam near Lugo did not fail.[^1] Rail traffic resumed on Friday.[^rail]

| Town | What happened |
| ---- | ------------- |
| Ravenna | 40,000 homes lost power [1] |
| Lugo | The river rose two metres [^2] |

> Governor Bianchi declared a state of emergency on Tuesday. [2]

1. Nested list item that keeps its place
   over two lines. [1]

```
Code is not a claim [1].
```

[^1]: Coastal Herald, storm.txt
[^rail]: Rail news, rail.txt
[^2]: The second source, rail.txt
"""


def test_markdown_structure_decides_what_is_a_claim():
    texts = [s.text for s in parse_draft(DRAFT)]
    assert texts == [
        "Officials said the dam near Lugo did not fail.",
        "Rail traffic resumed on Friday.",
        "Ravenna 40,000 homes lost power",
        "Lugo The river rose two metres",
        "Governor Bianchi declared a state of emergency on Tuesday.",
        "Nested list item that keeps its place over two lines.",
    ]
    for gone in ("Key points", "Town", "What happened", "Coastal Herald", "Rail news", "Code is not"):
        assert not any(gone in t for t in texts), gone


def test_footnote_references_are_citations():
    cited = {s.text: s.citations for s in parse_draft(DRAFT)}
    assert cited["Officials said the dam near Lugo did not fail."] == (1,)
    assert cited["Rail traffic resumed on Friday."] == (2,)  # [^rail] is the second footnote shown
    assert cited["Lugo The river rose two metres"] == (2,)  # a numbered label is that source
    assert cited["Ravenna 40,000 homes lost power"] == (1,)
    undefined = parse_draft("The dam did not fail.[^nope] Trains ran on Friday.[^3]")
    assert [s.citations for s in undefined] == [(), (3,)]


def test_offsets_point_into_the_draft_as_given():
    for s in parse_draft(DRAFT):
        span = DRAFT[s.start : s.end]
        words = s.text.replace("|", " ").split()
        assert span.split()[0].strip("*|") == words[0] or words[0] in span, (s.text, span)
        assert words[-1].rstrip(".") in span, (s.text, span)
    quoted = next(s for s in parse_draft(DRAFT) if s.text.startswith("Governor"))
    assert DRAFT[quoted.start : quoted.end] == quoted.text
    nested = next(s for s in parse_draft(DRAFT) if s.text.startswith("Nested"))
    assert DRAFT[nested.start : nested.end] == "Nested list item that keeps its place\n   over two lines."


def test_bold_line_heads_the_lines_under_it_and_a_sources_section_is_skipped():
    draft = "**Bottom line**\nThe dam near Lugo did not fail. [1]\n\n## Sources\n\nCoastal Herald reported it [1].\n"
    sentences = parse_draft(draft)
    assert [(s.text, s.citations) for s in sentences] == [("The dam near Lugo did not fail.", (1,))]
    assert draft[sentences[0].start : sentences[0].end] == "The dam near Lugo did not fail."
