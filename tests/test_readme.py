"""The README's Python API example runs as written, from the repository root (where seeds/ is)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _api_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the README's Python API section has no python block"
    return blocks[0]


def test_readme_python_api_example_runs(monkeypatch) -> None:
    """conftest's autouse fixture has removed every model endpoint, so this is the offline engine."""
    monkeypatch.chdir(ROOT)
    printed = io.StringIO()
    namespace: dict[str, object] = {}
    with contextlib.redirect_stdout(printed):
        exec(compile(_api_example(), "README.md", "exec"), namespace)
    out = printed.getvalue()
    assert out.startswith("# "), "the first print is the Markdown page"
    assert "## Key points" in out and "supported" in out
    result = namespace["result"]
    assert result.label in {"supported", "partially_supported", "unsupported", "contradicted"}  # type: ignore[attr-defined]
    assert len(namespace["documents"]) == 2  # type: ignore[arg-type]
