from briefer.output.render import md


def test_markdown_escapes_links_images_and_html():
    out = md("Click [here](http://evil.example) ![x](y) <script>alert(1)</script> *bold* `code`")
    assert "[here](" not in out and "![x](" not in out and "<script>" not in out
    assert r"\[here\]" in out and r"\<script\>" in out and r"\*bold\*" in out


def test_markdown_escapes_block_markers_at_line_start():
    assert md("# not a heading").startswith("\\#")
    assert md("1. not a list").startswith("1\\.")
    assert md("line one\nline two") == "line one line two"
