"""FaithBench as the gate benchmark reads it: samples, the preamble rule, span labels, folds.

Shared by `bench/gate.py` and `bench/replay_server.py`; no briefer imports (the benchmark drives
briefer through its CLI only). The data is read from `../shared/eval/faithbench/` at run time and
never copied into the repository (CC BY-NC-SA 4.0).

Rules (docs/GATE.md says why):
- An annotation is *Unwanted* when any of its labels starts with "Unwanted", else *Questionable* when
  one is "Questionable", else *Benign* (an annotation with no label counts as Benign).
- Summary level (the paper's `binarize.py`, worst-pooled): faithful = no annotation or only Benign;
  hallucinated = any Unwanted; Questionable (and no Unwanted) is left out.
- Sentence level: a sentence overlapping an Unwanted span is hallucinated; one overlapping no
  annotated span at all is clean; the rest (only Benign or Questionable spans) is left out.
- Preamble: a first line that talks about the summary itself and ends with a colon ("Here is a
  concise summary of the passage:") is cut off before checking; it states nothing about the passage
  and briefer's composer never writes one. Annotation offsets are shifted to match.
- Folds: the 28 passages sorted by sha1 of their text, alternately fold 0 and fold 1 (14 + 14).
  (The dev half itself was chosen by sha1 parity, so the parity cannot split it again.)
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "faithbench" / "faithbench_dev.json"

# detector name -> (metadata key, threshold for "consistent")
DETECTORS: dict[str, tuple[str, float]] = {
    "GPT-4o": ("gpt_4o", 0.5),
    "GPT-4-Turbo": ("gpt-4-turbo", 0.5),
    "GPT-3.5-Turbo": ("gpt-3.5-turbo", 0.5),
    "HHEM-2.1": ("hhem-2.1", 0.5),
    "TrueTeacher": ("trueteacher", 0.5),
    "TRUE-NLI": ("true_nli", 0.5),
}

_PREAMBLE = re.compile(
    r"\A\s*((?:[^\n.!?]{0,120},\s*)?here(?:'s| is| are)\b[^\n.!?]{0,160}\bsummary\b[^\n.!?]{0,160}:)[ \t]*\n\s*",
    re.IGNORECASE,
)


@dataclass
class Span:
    start: int
    end: int
    kind: str  # "unwanted" | "questionable" | "benign"


@dataclass
class Sample:
    key: str  # "batch_3/12": sample_id alone repeats across batches
    sample_id: int
    source: str
    summary: str  # as recorded
    text: str  # the summary with its preamble cut off: what is checked
    offset: int  # len of the cut preamble: text[i] == summary[i + offset]
    summarizer: str
    spans: list[Span]
    label: str  # "faithful" | "hallucinated" | "questionable"
    metadata: dict[str, Any]
    fold: int = 0
    preamble_unwanted: bool = False  # an Unwanted span lies (partly) in the cut preamble

    def consistent(self, detector: str) -> bool | None:
        key, threshold = DETECTORS[detector]
        value = self.metadata.get(key)
        return None if value is None else float(value) >= threshold


@dataclass
class SentenceLabel:
    text: str
    start: int  # offsets into Sample.text, -1 when the sentence could not be located
    end: int
    label: str  # "clean" | "hallucinated" | "left_out" | "unlocated"
    extra: dict[str, Any] = field(default_factory=dict)


def span_kind(labels: list[str]) -> str:
    if any(str(x).startswith("Unwanted") for x in labels):
        return "unwanted"
    if any(str(x).startswith("Questionable") for x in labels):
        return "questionable"
    return "benign"


def strip_preamble(summary: str) -> tuple[str, int]:
    m = _PREAMBLE.match(summary)
    if not m:
        return summary, 0
    return summary[m.end() :], m.end()


def passage_key(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8")).hexdigest()


def load(path: Path = DEFAULT_DATA) -> list[Sample]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))["samples"]
    samples: list[Sample] = []
    for r in raw:
        text, offset = strip_preamble(r["summary"])
        spans: list[Span] = []
        in_preamble = False
        for a in r["annotations"]:
            start, end = a.get("summary_start"), a.get("summary_end")
            if start is None or end is None:
                continue
            kind = span_kind(a.get("label") or [])
            if kind == "unwanted" and start < offset:
                in_preamble = True
            spans.append(Span(start - offset, end - offset, kind))
        kinds = {s.kind for s in spans} | {span_kind(a.get("label") or []) for a in r["annotations"]}
        label = (
            "hallucinated"
            if "unwanted" in kinds
            else "questionable"
            if "questionable" in kinds
            else "faithful"
        )
        samples.append(
            Sample(
                key=f"{str(r.get('batch', '?')).removesuffix('.json')}/{r['sample_id']}",
                sample_id=int(r["sample_id"]),
                source=r["source"],
                summary=r["summary"],
                text=text,
                offset=offset,
                summarizer=r["metadata"].get("summarizer", "?"),
                spans=spans,
                label=label,
                metadata=r["metadata"],
                preamble_unwanted=in_preamble,
            )
        )
    keys = sorted({passage_key(s.source) for s in samples})
    fold = {k: i % 2 for i, k in enumerate(keys)}
    for s in samples:
        s.fold = fold[passage_key(s.source)]
    return samples


# --- sentences -------------------------------------------------------------------------------------


def _fold_ws(text: str) -> tuple[str, list[int]]:
    """Text with runs of whitespace as one space, lower-cased, with each character's original index."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                origin.append(i)
            continue
        out.append(ch.lower())
        origin.append(i)
    return "".join(out), origin


def locate_sentences(text: str, sentences: list[str]) -> list[tuple[int, int]]:
    """Offsets in `text` of each sentence, searched in order (whitespace and case folded);
    (-1, -1) for one that is not found."""
    folded, origin = _fold_ws(text)
    cursor = 0
    found: list[tuple[int, int]] = []
    for s in sentences:
        needle = " ".join(s.split()).lower()
        at = folded.find(needle, cursor) if needle else -1
        if at < 0:
            at = folded.find(needle) if needle else -1
        if at < 0:
            found.append((-1, -1))
            continue
        found.append((origin[at], origin[at + len(needle) - 1] + 1))
        cursor = at + len(needle)
    return found


def label_sentences(sample: Sample, sentences: list[str]) -> list[SentenceLabel]:
    out: list[SentenceLabel] = []
    for text, (start, end) in zip(sentences, locate_sentences(sample.text, sentences), strict=True):
        if start < 0:
            out.append(SentenceLabel(text, -1, -1, "unlocated"))
            continue
        out.append(SentenceLabel(text, start, end, span_label(sample, start, end)))
    return out


def span_label(sample: Sample, start: int, end: int) -> str:
    """The label of the sentence at sample.text[start:end] by the spans it overlaps."""
    hit = {sp.kind for sp in sample.spans if sp.start < end and sp.end > start}
    return "hallucinated" if "unwanted" in hit else "left_out" if hit else "clean"


_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[*\-•]*[A-Z0-9])|\n\s*\n|\n(?=\s*[*\-•] )")


def split_sentences(text: str) -> list[str]:
    """A plain regex split, for the replay server when no sentence file from gate.py is given."""
    return [p.strip() for p in _SPLIT.split(text) if p and p.strip()]
