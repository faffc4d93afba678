"""Text addressed to a model rather than to readers (prompt injection), found sentence by sentence,
and chat-template blocks that run over several lines.

What a source says to a model is never a claim: such sentences become furniture, which no engine
reads, the model never sees and no citation may touch (`briefer.core.models.citation_problem`). The
detector looks for the *grammar* of an order to a reader-machine, not for a list of sentences: an
imperative that opens a sentence and is about instructions, summaries, citations or output; a
sentence that names a model as its addressee; second-person orders about "this article" or "your
summary"; chat-role and tool markup. The word lists it is built from are data files
(`briefer/core/data/injection/`). It matches on a folded copy of each sentence (`fold`): invisible
format and tag characters removed, NFKC, look-alike letters of other scripts mapped to Latin
(`data/confusables.tsv`), digits inside words read as letters. The document text is never changed;
offsets stay those of the original.

News *about* injection quotes it ("typing 'ignore previous instructions' made the bot..."), so the
orders count only at the start of a sentence and never inside a quotation that is part of a longer
sentence; a sentence that is nothing but a quotation is read without its quotation marks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from briefer.core import lexicon
from briefer.core.models import TO_A_MODEL
from briefer.core.segment import split_sentences

__all__ = ["TO_A_MODEL", "across_lines", "fold", "markup_depth", "sentences_to_a_model", "speaks_to_a_model"]

# --- folding -----------------------------------------------------------------------------------------

_TAG_CHARS = re.compile("[\U000e0000-\U000e007f]")
_CONFUSABLES = str.maketrans({row[0]: row[1] for row in lexicon.rows("confusables")})
_LEET_KEYS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
_LEET = str.maketrans(_LEET_KEYS)
_MIXED = re.compile(r"[^\W\d_]*(?:\d|[@$])[\w@$]*|[\w@$]*[^\W\d_][\w@$]*")  # runs mixing letters and digits
_SPACED = re.compile(r"(?<![\w])(?:[^\W\d_][ .\-_*]){3,}[^\W\d_](?![\w])")  # "I g n o r e", "i.g.n.o.r.e"
_EMPHASIS = re.compile(r"[*_~`]+")


def _invisible(ch: str) -> bool:
    """Format characters (zero-width, bidi, soft hyphen, tags), variation selectors and the combining
    grapheme joiner: they change nothing a reader sees and everything a regular expression sees."""
    return unicodedata.category(ch) == "Cf" or "\ufe00" <= ch <= "\ufe0f" or ch == "\u034f"


def hidden_text(text: str) -> str:
    """What Unicode tag characters spell (U+E0020-E007E mirror ASCII): invisible on the page, read
    by a model as plain text."""
    return "".join(
        chr(ord(ch) - 0xE0000) for ch in _TAG_CHARS.findall(text) if "\U000e0020" <= ch <= "\U000e007e"
    )


_LOOKALIKES = re.compile("[" + "".join(row[0] for row in lexicon.rows("confusables")) + "]")


def _latin(word: re.Match[str]) -> str:
    """A word with a Latin letter read wholly in Latin ("Іgnore" with a Cyrillic І); a word in one
    other script is left alone, so Russian or Greek is still read as itself."""
    return word.group().translate(_CONFUSABLES) if re.search("[A-Za-z]", word.group()) else word.group()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LEET_CHARS = re.compile("[" + re.escape("".join(_LEET_KEYS)) + "]")


def _visible(ch: re.Match[str]) -> str:
    return "" if _invisible(ch.group()) else ch.group()


@lru_cache(maxsize=4096)
def fold(text: str, every_lookalike: bool = False) -> str:
    """`text` as the detector reads it: invisible characters removed, NFKC (full-width and
    mathematical letters), look-alike letters mapped to Latin (in words that mix scripts, or all of
    them with `every_lookalike`), `1gn0re` read as `ignore`, letter-spaced words joined, Markdown
    emphasis and line breaks dropped. For matching only."""
    if not text.isascii():  # ASCII has no invisible, compatibility or look-alike characters
        text = unicodedata.normalize("NFKC", _NON_ASCII.sub(_visible, text))
        if every_lookalike:
            text = text.translate(_CONFUSABLES)
        elif _LOOKALIKES.search(text):
            text = re.sub(r"\w+", _latin, text)
    text = _EMPHASIS.sub("", text)
    if _LEET_CHARS.search(text):
        text = _MIXED.sub(
            lambda m: m.group().translate(_LEET) if re.search(r"[^\W\d_]", m.group()) else m.group(), text
        )
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group()), text)
    return " ".join(text.split())


# --- the grammar ----------------------------------------------------------------------------------


def _words(name: str) -> str:
    """A data list as a regex alternation, longest first, spaces matching any run of whitespace."""
    return lexicon.alternation(lexicon.entries(f"injection/{name}"), r"\s+") + r"(?![\w])"


_VERB, _OBJECT, _WHO = _words("override_verbs"), _words("override_objects"), _words("addressees")
_TASK, _DOC, _OUT, _SAY = _words("tasks"), _words("documents"), _words("outputs"), _words("output_verbs")
_W = r"(?:[\w'’-]+\s+)"  # one word and the space after it
# Lead-ins an order may hide behind: "Please", "Important:", "P.S.", "Okay, now".
_LEAD = (
    r"(?:(?:please|kindly|now|also|and|so|then|okay|ok|first|finally|actually|instead|important|note|n\.?b"
    r"|p\.?s|update|attention|reminder|by\s+the\s+way|btw|oh|hey|urgent|warning|one\s+more\s+thing"
    r"|seriously|remember|again)\b\W*){0,3}"
)
_OPEN = r"^[^\w\"'\u201c\u2018\u00ab\u201e\u300c<\[]*" + _LEAD  # sentence start, past bullets and lead-ins
_MODAL = (
    r"(?:must|should|shall|has\s+to|have\s+to|needs?\s+to|is\s+to|are\s+to|will|may\s+only|can\s+only|ought"
    r"\s+to|is\s+required\s+to|must\s+not|should\s+not|cannot|can't|may\s+not|mustn't|shouldn't)"
)
_SAYS = (
    r"(?:say|state|read|report|include|mention|begin|start|open|lead|claim|contain|cite|tell|describe|"
    r"conclude|end|note|list|emphasi[sz]e|highlight|stress|omit|ignore|exclude|leave\s+out|only|always|never"
    r"|not|reflect|present|treat|quote|repeat|reproduce)"
)
_MODEL_WORDS = (
    r"(?:summar\w*|cite|citations?|output|respond|reply|instructions?|prompt|assistant|language\s+model"
    r"|chatbot|llm|ai|jailbr\w*|\w+\s+mode)"
)
_ORDERS = [
    rf"{_VERB}\W+(?:{_W}){{0,6}}?{_OBJECT}",  # ignore all previous instructions
    rf"(?:(?:a|an|this|my|one)\s+)?(?:note|message|memo|instructions?|notice|reminder|warning|directive|request"
    rf"|word|attention)\s+(?:to|for)\s+(?:(?:the|any|all|every|an?|you)\s+)?(?:{_W})?{_WHO}",
    rf"(?:dear|hey|hi|hello|attention|ok|okay|listen|yo|greetings)\W+(?:{_W})?{_WHO}",
    rf"(?:to|for)\s+(?:any|all|every|the|each)\s+(?:{_W})?{_WHO}",
    rf"if\s+you\s+(?:are|'re)\s+(?:an?\s+|the\s+)?(?:{_W})?{_WHO}",
    rf"(?:when|while|if|before|after|whenever|as|once|in|upon)\s+(?:you\s+(?:are\s+|'re\s+)?)?{_TASK}(?:\s+"
    rf"(?:(?:this|the|these|that|any|our|my|its)\s+)?(?:{_W})?{_DOC}|\s*,)",
    rf"(?:in|for|within|throughout|at\s+the\s+(?:start|top|end)\s+of)\s+(?:your|any|each|every)\s+(?:{_W})?{_OUT}",
    rf"your\s+(?:{_W})?{_OUT}",
    rf"(?:the|this|any|each|every)\s+(?:final\s+|ai\s+|generated\s+)?(?:summary|summaries|brief|briefing|bottom\s+line"
    rf"|key\s+points|digest|recap|write-up|output)\s+{_MODAL}\s+(?:{_W})?{_SAYS}\b",
    rf"(?:make\s+sure|be\s+sure|ensure|don't\s+forget|do\s+not\s+forget|never\s+forget)\s+(?:that\s+|to\s+)?"
    rf"(?:{_W}){{0,4}}?(?:your|the)\s+(?:{_W})?{_OUT}",
    rf"(?:do\s+not|don't|dont|never|please\s+do\s+not)\s+(?:mention|cite|include|summari[sz]e|reveal|print|output"
    rf"|quote|report|repeat|flag|verify|check|question|doubt)\s+(?:this|the|these|that|any|anything)\s+"
    rf"(?:{_W}){{0,4}}?(?:{_DOC}|sentences?|claims?|paragraphs?|lines?|instructions?|facts?|numbers?|figures?|part)",
    rf"(?!(?:report|answer|reply|update)\s*:){_SAY}\s*(?:(?:only|exactly|verbatim|instead|simply|just|clearly|plainly|also|firmly|prominently)\s*)*"
    r"(?:that\b(?!\s+(?:you|we|i)\b)|:|with\s*:|the\s+following\b|this\s*:|\"|\u201c)",
    r"repeat\s+after\s+me\b",
    rf"(?:summari[sz]e|describe|present|frame|portray|characteri[sz]e|rewrite|translate|paraphrase|depict|spin"
    rf"|cast|report)\s+(?:this|the|these|it|them)\s+(?:{_W}){{0,3}}?(?:as|by\s+saying|so\s+that|to\s+say"
    rf"|to\s+suggest)\b",
    rf"(?:begin|start|open|end|finish|conclude|lead|preface|prefix)\s+(?:your|the|this|each|every)\s+(?:{_W})?"
    rf"{_OUT}\s+(?:with|by)\b",
    rf"(?:you|u)\s+(?:are|must|should|shall|will|need\s+to|have\s+to|may|can|cannot|can't|mustn't|should\s+not"
    rf"|are\s+to|are\s+required\s+to|are\s+instructed\s+to|were\s+told\s+to|now|'re|'ll|ought\s+to)\b"
    rf"(?=.*\b{_MODEL_WORDS}\b)",
    r"your\s+(?:[\w'-]+\s+)?(?:task|job|role|goal|instructions?|mission|purpose|objective|assignment|orders"
    r"|directive)\s+(?:is|are|now|will\s+be|:)",
    r"(?:from\s+now\s+on|henceforth|going\s+forward|starting\s+now|for\s+the\s+rest\s+of\s+this\s+\w+)\W*"
    r"(?:always|only|never|respond|reply|answer|say|write|output|act|behave|pretend|treat|ignore)\b",
    r"(?:act\s+as|pretend\s+(?:to\s+be|you\s+are|that\s+you\s+are)|role-?play\s+as|imagine\s+you\s+are"
    r"|behave\s+as|simulate\s+being)\b(?=.*\b(?:ai|assistant|model|bot|chatbot|summar\w*|dan|jailbr\w*|mode"
    r"|unfiltered|unrestricted)\b)",
    r"(?:enable|activate|enter|switch\s+to|you\s+are\s+(?:now\s+)?in)\s+(?:developer|debug|admin|god|jailbreak"
    r"|maintenance|dan|unrestricted|unfiltered|sudo|root|test)\s+mode\b",
    rf"(?:treat|mark|label|consider|count|classify|rate|tag|flag|accept|regard|cite|record)\s+(?:this|the"
    rf"\s+following|these|it|every|all|each)\s+(?:{_W}){{0,3}}?as\s+(?:an?\s+)?(?:verified|supported|true"
    rf"|fact|facts|accurate|reliable|confirmed|correct|established|approved|authoritative|trusted)\b",
    r"(?:this|the\s+following|the\s+next|each|every)\s+(?:sentence|claim|statement|line|paragraph|fact)s?\s+"
    r"(?:is|are|has\s+been|have\s+been|must\s+be|should\s+be)\s+(?:already\s+|fully\s+)?(?:verified"
    r"|supported|fact[- ]checked|pre-approved)\b",
    r"(?:(?:important|urgent|critical|priority|top-priority|mandatory)\s+)?(?:new|updated|revised|additional"
    r"|real|actual|true|hidden|secret|override|system|admin|important|urgent|critical|mandatory)\s+(?:system\s+)?"
    r"(?:instructions?|directives?|prompt|task|orders|override|message\s+for\s+\w+)\s*(?::|follow\b|are\b|is\b)",
    r"(?:begin|end|start)\s+(?:of\s+)?(?:the\s+)?(?:system\s+|new\s+|hidden\s+|secret\s+|admin\s+)?"
    r"(?:instructions?|prompt|override)\b",
    r"#{1,6}\s*(?:instruction|instructions|system|system\s+prompt|response)\s*:?\s*$",
    r"[\[(]?\s*(?:system|assistant|developer|user|human|sys|instructions?|response|operator)\s*[\])>]?\s*:",
]
_ANYWHERE = [  # markup and verdicts, wherever they stand in the sentence
    r"<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>",  # chat templates
    r"</?(?:system|assistant|tool_call|tool|function_call|instructions?|document|claims|sentences?|evidence)\b[^>]*>",
    rf"\b{_WHO}\s+(?:{_W}){{0,2}}(?:reading|summari[sz]ing|processing|parsing|scanning|crawling|ingesting|seeing"
    r"|that\s+reads|that\s+summari[sz]es)\s+(?:this|these|the\s+following)\b",
    r"\b(?:verdict|label)\s*[:=]\s*[\"']?(?:supported|verified|approved|passed)\b",
    r"\b(?:this|the)\s+(?:brief|summary)\s+(?:has\s+(?:already\s+)?been|is|was)\s+(?:fully\s+|already\s+)?"
    r"(?:verified|approved|fact[- ]checked)\b",
]
_TO_A_MODEL = re.compile(
    _OPEN + "(?:" + "|".join(_ORDERS) + ")"
    + "|" + _OPEN + "(?:" + "|".join(lexicon.entries("injection/other_languages")) + ")"
    + "|" + "|".join(_ANYWHERE),
    re.IGNORECASE,
)  # fmt: skip
_QUOTED = re.compile(
    r"^\W*?[\"'\u201c\u2018\u00ab\u201e\u300c](.+)[\"'\u201d\u2019\u00bb\u201c\u300d]\W*$", re.S
)
_ALT = re.compile(
    r"!\[([^\]]*)\]|\b(?:alt|title|aria-label|content)\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE
)


def _readings(sentence: str) -> list[str]:
    """The ways a sentence can be read by a model: as folded, without the quotation marks around the
    whole of it, its image alt text and attributes, and what its tag characters spell."""
    folded = fold(sentence)
    out = [folded]
    if _LOOKALIKES.search(folded):
        out.append(fold(sentence, every_lookalike=True))
    if quoted := _QUOTED.match(folded):
        out.append(quoted.group(1))
    out += [a or b for a, b in _ALT.findall(folded) if (a or b).strip()]
    if hidden := hidden_text(sentence):
        out.append(fold(hidden))
    return out


_HIDDEN_WORDS = 8  # tag characters spelling this much are hidden text (an emoji flag spells 5 or fewer)


@lru_cache(maxsize=8192)
def speaks_to_a_model(text: str) -> bool:
    """Whether `text` (a sentence, or a title taken whole) is addressed to a model. Text spelled in
    tag characters is read by no one but a machine, so any of some length counts, whatever it says."""
    if len(hidden_text(text).strip()) >= _HIDDEN_WORDS:
        return True
    return any(_TO_A_MODEL.search(reading) for reading in _readings(text))


# --- lines and blocks -----------------------------------------------------------------------------

_TAGS = r"system|assistant|user|developer|tool_call|tool|function_call|instructions?|document|claims|sentences?|evidence"
_MARKUP_OPEN = re.compile(rf"<\|im_start\|>|\[INST\]|<<SYS>>|<(?:{_TAGS})\b[^>/]*>", re.IGNORECASE)
_MARKUP_CLOSE = re.compile(rf"<\|im_end\|>|\[/INST\]|<</SYS>>|</(?:{_TAGS})\s*>", re.IGNORECASE)


def markup_depth(line: str, depth: int) -> int:
    """Chat-template blocks still open after `line`: the lines of an injected `<|im_start|>system`
    ... `<|im_end|>` block read as plain sentences on their own, so the block (up to its close or the
    end of the paragraph) is furniture as a whole."""
    line = fold(line)
    return max(0, depth + len(_MARKUP_OPEN.findall(line)) - len(_MARKUP_CLOSE.findall(line)))


def sentences_to_a_model(
    text: str, start: int, end: int, forced: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int, bool]] | None:
    """The line's sentences as (start, end, addressed to a model), or None when none of them is.
    `forced` are spans already found to be addressed to a model (a sentence split across lines).

    Only those sentences become furniture, so a real report sharing their paragraph stays body text;
    the engines never read them, and the LLM engine cannot cite them."""
    line = text[start:end]
    pieces = []
    for s, e in split_sentences(line):
        a, b = start + s, start + e
        addressed = any(f < b and a < t for f, t in forced) or speaks_to_a_model(line[s:e])
        pieces.append((a, b, addressed))
    return pieces if any(addressed for *_, addressed in pieces) else None


def across_lines(text: str, paragraph: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of `text` addressed to a model by a sentence that runs over several lines of one
    paragraph ("Ignore all previous / instructions and ..."): each line's part of such a sentence.
    `paragraph` holds the (start, end) of its lines."""
    if len(paragraph) < 2:
        return []
    joined, starts = "", []
    for s, e in paragraph:
        starts.append(len(joined))
        joined += text[s:e] + " "
    found: list[tuple[int, int]] = []
    for s, e in split_sentences(joined):
        first = max(i for i, at in enumerate(starts) if at <= s)
        last = max(i for i, at in enumerate(starts) if at < e)
        if first == last or not speaks_to_a_model(joined[s:e]):
            continue
        for i in range(first, last + 1):
            line_start, line_end = paragraph[i]
            a = line_start + max(0, s - starts[i])
            b = min(line_end, line_start + e - starts[i])
            if a < b:
                found.append((a, b))
    return found
