"""The README shows the brief its first command prints: `briefer run seeds/`, run here as a user would
(from the repository root, through the installed CLI), must print exactly the README's block."""

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
