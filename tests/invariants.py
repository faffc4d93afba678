"""Checks every brief must pass, whichever engine wrote it: shared by the end-to-end tests."""

from __future__ import annotations

import json
import re

REFS_AT_END = re.compile(r"\[\d+(?:, \d+)*\]$")


def content_lines(markdown: str) -> list[str]:
    """Lines of the brief outside headings, Sources and the footer: each must end with citations."""
    body = markdown.split("\n## Sources", 1)[0]
    return [
        line.strip()
        for line in body.splitlines()
        if line.strip() and not line.startswith("## ") and line.strip() != "---"
    ]


def assert_markdown_invariants(markdown: str, max_words: int = 650) -> None:
    assert len(markdown.split()) <= max_words, f"{len(markdown.split())} words"
    assert "## Bottom line" in markdown and "## Open questions" in markdown and "## Sources" in markdown
    for line in content_lines(markdown):
        assert REFS_AT_END.search(line), f"no citation at the end of: {line!r}"
        # a line may hold several sentences (bottom line); each must end with its own citation
        for sentence in re.split(r"(?<=\])\s+(?=\S)", line.lstrip("-# ").strip()):
            assert REFS_AT_END.search(sentence.strip()), f"uncited sentence: {sentence!r}"
    assert markdown.rstrip().splitlines()[-1].count("supported by their cited spans") == 1


def assert_json_invariants(raw: str) -> dict:
    brief = json.loads(raw)
    texts = {d["id"]: d["text"] for d in brief["documents"]}
    sentences = (
        brief["bottom_line"]
        + brief["key_points"]
        + [s for q in brief["open_questions"] for s in q["sentences"]]
    )
    assert sentences
    for s in sentences:
        assert s["citations"]
        for c in s["citations"]:
            assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]
    for claim in brief["claims"]:
        for c in claim["citations"]:
            assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]
    for s in brief["bottom_line"] + brief["key_points"]:
        assert s["verdict"]["label"] == "supported"
    return brief
