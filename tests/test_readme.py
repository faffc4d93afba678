"""The README as a newcomer uses it, from the repository root: the brief its first command prints
(`briefer run seeds/`, through the installed CLI) is exactly the README's block, and the Python API
example runs as written."""

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(
    r"<!-- seeds-brief:start -->\n````markdown\n(?P<brief>.*?)````\n<!-- seeds-brief:end -->", re.S
)


def _briefer() -> list[str]:
    exe = Path(sys.executable).with_name("briefer")
    return [str(exe)] if exe.exists() else [sys.executable, "-c", "from briefer.cli import main; main()"]


def test_readme_shows_the_brief_of_seeds() -> None:
    shown = BLOCK.search((ROOT / "README.md").read_text(encoding="utf-8"))
    assert shown, "README.md has no seeds-brief block"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BRIEFER_"))}
    run = subprocess.run(
        [*_briefer(), "run", "seeds/", "-q"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == shown.group("brief"), "README's brief of seeds/ is stale: paste `briefer run seeds/`"


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
