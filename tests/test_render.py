from pathlib import Path

from briefer.output.render import md


def test_markdown_escapes_links_images_and_html():
    out = md("Click [here](http://evil.example) ![x](y) <script>alert(1)</script> *bold* `code`")
    assert "[here](" not in out and "![x](" not in out and "<script>" not in out
    assert r"\[here\]" in out and r"\<script\>" in out and r"\*bold\*" in out


def test_markdown_escapes_block_markers_at_line_start():
    assert md("# not a heading").startswith("\\#")
    assert md("1. not a list").startswith("1\\.")
    assert md("line one\nline two") == "line one line two"


def test_the_footer_says_when_a_source_read_is_not_cited(tmp_path: Path) -> None:
    import briefer as api

    (tmp_path / "a.txt").write_text(
        "Bridge to close\n\nThe council voted 5-2 on Tuesday to close the Old Mill Road bridge for six weeks.\n\n"
        "Drivers will take a detour over Route 9 while the bridge is closed for repairs.\n",
        encoding="utf-8",
    )
    (tmp_path / "b.txt").write_text(
        "Notes\n\nand the rest of the meeting went on until...\n", encoding="utf-8"
    )
    page = api.render_markdown(api.run([tmp_path], engine="offline"))
    assert page.rstrip().endswith("2 documents read (1 not cited)"), page


def test_the_single_source_notice_only_when_one_document_was_read(tmp_path: Path) -> None:
    """ "This brief rests on a single source" is true only when one document was read: with another
    read and not cited the brief did not rest on one source (the footer counts it as not cited)."""
    import briefer

    (tmp_path / "a.txt").write_text(
        "Council closes bridge\n\nThe Ellis city council voted on Monday to close the north bridge to "
        "all traffic after engineers found cracks in two of its piers.\n",
        encoding="utf-8",
    )
    brief = briefer.run([tmp_path], engine="offline")
    assert "rests on a single source, so nothing in it is corroborated. [1]" in briefer.render_markdown(brief)
    other = brief.documents[0].model_copy(update={"id": "other", "path": "b.txt"})
    two = brief.model_copy(update={"documents": [*brief.documents, other]})
    assert "rests on a single source" not in briefer.render_markdown(two)
