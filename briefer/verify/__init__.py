"""Stage 4: check every summary sentence against the spans it cites, deterministically.

Both engines share this verifier, and it runs before any model judge; `briefer check` runs it on
drafts written elsewhere. A sentence is printed as fact only when its label is `supported`.

The signals (docs/VERIFIER.md says what each one catches and misses):

1. every citation resolves: the document exists and its text at [start:end] equals the quote;
2. numbers, dates (months, weekdays), names and quoted strings in the sentence occur in the evidence
   (after the normalisation in `briefer.core.text`: Unicode quotes and dashes, `U.S.`/`US`, spelled-out
   numbers); a different figure where the evidence gives one is a contradiction;
3. negation and antonyms (a general list plus `un-`/`non-` prefixes) agree with the best-aligned
   source sentence;
4. content: the share of the sentence's content words in the evidence, in the single best-aligned
   sentence, and anywhere in the sources; words found nowhere (not even as a variant);
5. alignment: whether the sentence's wording follows the source (shared word pairs, copied
   fragments) and whether words that sit together in it also sit together in one source sentence:
   the signal for the commonest error of extractive systems, true fragments spliced into a false claim;
6. framing: a claim taken out of a source frame that denies or doubts it ("rumours that X are false",
   "critics claim X", "the alleged X") is not a fact; a plain "said" is no such frame.

A small logistic model (weights in `weights.json`, trained by `bench/train_verifier.py` on
the tuning halves of human-labelled benchmarks only) turns the signals into the support score; the
label also needs every hard check to pass.

`check_text(sentence, evidence)` judges against cited spans (the pipeline); `briefer check` also
passes `context`, the whole text of the cited sources, so a name that is in the article but not in the
best-matching passage lowers the score instead of failing the sentence outright.
"""

from briefer.verify.evidence import (
    Evidence,
    SentenceInfo,
    analyse,
    analyse_sentences,
    coverage,
    sentence_info,
)
from briefer.verify.framing import Frame, frames, lifted_frame
from briefer.verify.outlets import framing_line_problem
from briefer.verify.scorer import PERFECT, Scorer, scorer
from briefer.verify.signals import (
    FEATURES,
    PARTIAL_COVERAGE,
    SUPPORTED_COVERAGE,
    Signals,
    contradictions_of,
    signals,
)
from briefer.verify.verdict import (
    CONTRADICTION_PENALTY,
    HARD_PENALTY,
    check_text,
    echoes_instructions,
    verify_draft,
    verify_sentence,
)

__all__ = [
    "CONTRADICTION_PENALTY",
    "FEATURES",
    "HARD_PENALTY",
    "PARTIAL_COVERAGE",
    "PERFECT",
    "SUPPORTED_COVERAGE",
    "Evidence",
    "Frame",
    "Scorer",
    "SentenceInfo",
    "Signals",
    "analyse",
    "analyse_sentences",
    "check_text",
    "contradictions_of",
    "coverage",
    "echoes_instructions",
    "frames",
    "framing_line_problem",
    "lifted_frame",
    "scorer",
    "sentence_info",
    "signals",
    "verify_draft",
    "verify_sentence",
]
