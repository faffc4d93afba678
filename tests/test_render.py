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
