"""`briefer check`'s terminal output: one row per sentence, with the reasons and evidence of each failure."""

from __future__ import annotations

from briefer.checker.checker import CheckResult
from briefer.core.terminal import one_line


def render_table(result: CheckResult, width: int = 100) -> str:
    """A plain-text table for a terminal: one row per sentence, its reasons and evidence beneath."""
    width = max(60, width)
    head = f"{'#':>3}  {'verdict':<19} {'score':>5}  {'cites':<7} {'evidence':<16} sentence"
    lines = [head, "-" * min(width, len(head) + 40)]
    text_width = max(20, width - 58)
    for s in result.sentences:
        cites = "[" + ",".join(str(n) for n in s.citations) + "]" if s.citations else "-"
        where = f"[{s.evidence.source}] {s.evidence.start}-{s.evidence.end}" if s.evidence else "-"
        text = one_line(s.text)  # source and draft text may carry terminal escapes
        shown = text if len(text) <= text_width else text[: text_width - 1] + "\u2026"
        lines.append(
            f"{s.index + 1:>3}  {s.label.replace('_', ' '):<19} {s.score:>5.2f}  {cites:<7} {where:<16} {shown}"
        )
        if s.label != "supported":
            for r in s.reasons:
                lines.append(f"{'':5}- {one_line(r)}")
            if s.evidence:
                quote = one_line(" ".join(s.evidence.quote.split()))
                quote = quote if len(quote) <= width - 20 else quote[: width - 21] + "\u2026"
                lines.append(f'{"":5}  closest: "{quote}"')
    counts = ", ".join(
        f"{n} {label.replace('_', ' ')}" for label, n in result.counts.items() if n and label != "supported"
    )
    total = len(result.sentences)
    lines.append("")
    lines.append(
        f"{result.counts.get('supported', 0)}/{total} sentences supported"
        + (f" ({counts})" if counts else "")
        + f"; draft score {result.score:.2f} (its weakest sentence)"
    )
    return "\n".join(lines) + "\n"
