"""Real article texts from ../shared/eval, read at run time (never committed), for the benchmarks."""

from __future__ import annotations

import json
from pathlib import Path

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def _jsonl(path: Path):
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def articles() -> list[str]:
    """Distinct article texts (about 2,000) from the evaluation sets; empty when they are absent."""
    texts: list[str] = []
    if (p := EVAL / "frank" / "frank_reconstructed_by_article.jsonl").exists():
        texts += [r["article"] for r in _jsonl(p)]
    if (p := EVAL / "xsumfaith" / "xsum_documents_from_aggrefact.jsonl").exists():
        texts += [r["document"] for r in _jsonl(p)]
    for name in ("mturk_cnndm.jsonl", "mturk_xsum.jsonl"):
        if (p := EVAL / "qags" / name).exists():
            texts += [r["article"] for r in _jsonl(p)]
    if (p := EVAL / "summedits_news" / "summedits_news.json").exists():
        texts += [r["doc"] for r in json.loads(p.read_text(encoding="utf-8"))]
    for name in ("topic_news1.json", "topic_news2.json"):
        if (p := EVAL / "summhay_news" / name).exists():
            texts += [d["document_text"] for d in json.loads(p.read_text(encoding="utf-8"))["documents"]]
    if (p := EVAL / "allsides_neus" / "val.source").exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            for art in line.split(" [SEP] "):
                title, _, body = art.partition(". ARTICLE=> ")
                texts.append(f"{title.removeprefix('TITLE=> ').strip()}\n\n{body.strip()}")
    seen: set[str] = set()
    out = []
    for t in texts:
        key = " ".join(t.split())
        if key and key not in seen:
            seen.add(key)
            out.append(t.strip() + "\n")
    return out


def write_corpus(folder: Path, n: int) -> int:
    """n article files in folder (repeating texts when n exceeds the distinct ones); returns bytes."""
    texts = articles()
    if not texts:
        raise SystemExit(f"no evaluation data at {EVAL}")
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for i in range(n):
        text = texts[i % len(texts)]
        (folder / f"article{i:05d}.txt").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return size
