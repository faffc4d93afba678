"""`briefer check`: verify any draft against its sources (see `briefer.checker.checker`).

The modules, by concern: `draft` reads a draft into cited sentences, `retrieve` prepares the sources
and finds the best-matching source sentences, `checker` judges them and holds the result models,
`jsonl` is the `--jsonl` batch mode, `table` the terminal table and `judged` the LLM judge on top.
"""

from briefer.checker.checker import (
    TOP_K,
    CheckResult,
    EvidenceSpan,
    Gathered,
    SentenceCheck,
    SourceInfo,
    check,
    check_sentence,
    gather,
    gather_all,
    relabelled,
    summarise,
)
from briefer.checker.draft import DraftSentence, parse_draft
from briefer.checker.jsonl import Pair, pair_result, read_pairs
from briefer.checker.retrieve import Contexts, Retriever, Source, Window, clear_caches, prepare_sources
from briefer.checker.table import render_table

__all__ = [
    "TOP_K",
    "CheckResult",
    "Contexts",
    "DraftSentence",
    "EvidenceSpan",
    "Gathered",
    "Pair",
    "Retriever",
    "SentenceCheck",
    "Source",
    "SourceInfo",
    "Window",
    "check",
    "check_sentence",
    "clear_caches",
    "gather",
    "gather_all",
    "pair_result",
    "parse_draft",
    "prepare_sources",
    "read_pairs",
    "relabelled",
    "render_table",
    "summarise",
]
