"""Text addressed to a model rather than to readers (prompt injection), found sentence by sentence,
and chat-template blocks that run over several lines."""

from __future__ import annotations

import re

from briefer.core.segment import split_sentences

TO_A_MODEL = "instructions to a model"
# Sentences that speak to a language model rather than to readers: orders to ignore or replace its
# instructions, chat-role and tool-call markup, notes "to the AI", and claims to be this tool's own
# verdict, including tags that imitate the delimiters of briefer's own prompts (`</document>`). News
# *about* such text quotes it ("typing 'ignore previous instructions' made the bot..."),
# so the imperative forms count only at the start of a sentence, never inside quotation marks.
# fmt: off
_TO_A_MODEL = re.compile(
    r"^[^\w\"'\u201c\u2018<\[]*(?:"
    r"(?:please\s+)?(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|my|of|these|those"
    r"|previous|prior|above|earlier|preceding|foregoing|system|original|existing|other)\s+){1,4}"
    r"(?:instructions?|prompts?|rules|guidelines|directives|context)\b"
    r"|(?:(?:a\s+)?(?:note|message|instructions?)\s+(?:to|for)|attention)\s+(?:the\s+|any\s+|all\s+)?"
    r"(?:ai|llms?|models?|assistants?|chatbots?|summari[sz]ers?|language\s+models?)\b"
    r"|(?:\[\s*)?(?:system|assistant|developer)(?:\s*\])?\s*:"
    r"|(?:new|updated|revised)\s+(?:system\s+)?instructions?\s*:)"
    r"|<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>"  # chat templates; then role, tool and briefer's own prompt tags
    r"|</?(?:system|assistant|tool_call|tool|function_call|instructions?|document|claims|sentences?|evidence)\b[^>]*>"
    r"|\b(?:ai|llms?|language\s+models?|assistants?|chatbots?|summari[sz]ers?)\s+(?:\w+\s+){0,2}"
    r"(?:reading|summari[sz]ing|processing|parsing)\s+this\b"
    r"|\b(?:verdict|label)\s*[:=]\s*[\"']?(?:supported|verified|approved|passed)\b"
    r"|\b(?:this|the)\s+(?:brief|summary)\s+(?:has\s+(?:already\s+)?been|is|was)\s+(?:fully\s+|already\s+)?"
    r"(?:verified|approved|fact[- ]checked)\b",
    re.IGNORECASE,
)
_MODEL_CUE = re.compile(r"instruction|prompt|rules|guideline|directive|context|system|assistant|developer|<"
                        r"|\bai\b|llm|model|chatbot|summari[sz]|inst\]|tool|verdict|label|brief|summary",
                        re.IGNORECASE)
# fmt: on


_TAGS = r"system|assistant|user|developer|tool_call|tool|function_call|instructions?|document|claims|sentences?|evidence"
_MARKUP_OPEN = re.compile(rf"<\|im_start\|>|\[INST\]|<<SYS>>|<(?:{_TAGS})\b[^>/]*>", re.IGNORECASE)
_MARKUP_CLOSE = re.compile(rf"<\|im_end\|>|\[/INST\]|<</SYS>>|</(?:{_TAGS})\s*>", re.IGNORECASE)


def markup_depth(line: str, depth: int) -> int:
    """Chat-template blocks still open after `line`: the lines of an injected `<|im_start|>system`
    ... `<|im_end|>` block read as plain sentences on their own, so the block (up to its close or the
    end of the paragraph) is furniture as a whole."""
    return max(0, depth + len(_MARKUP_OPEN.findall(line)) - len(_MARKUP_CLOSE.findall(line)))


def sentences_to_a_model(text: str, start: int, end: int) -> list[tuple[int, int, bool]] | None:
    """The line's sentences as (start, end, addressed to a model), or None when none of them is.

    Only those sentences become furniture, so a real report sharing their paragraph stays body text;
    the engines never read them, and the LLM engine cannot cite them."""
    line = text[start:end]
    if not _MODEL_CUE.search(line):  # cheap test first: almost no line has any cue word
        return None
    pieces = [(start + s, start + e, bool(_TO_A_MODEL.search(line[s:e]))) for s, e in split_sentences(line)]
    return pieces if any(addressed for *_, addressed in pieces) else None


def speaks_to_a_model(text: str) -> bool:
    """Whether `text` taken whole (a title, say) matches the rules for a sentence addressed to a model."""
    return bool(_TO_A_MODEL.search(text))
