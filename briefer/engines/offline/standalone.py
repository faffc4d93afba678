"""Whether a source sentence can be printed on its own, away from its paragraph.

An extract prints sentences out of their context, so a sentence that points back ("But ...", "He
said ...", "The measure ...") reads as if its antecedent had been printed, and one the excerpt cut off
("... and the") misleads. These rules read the surface of the sentence only; they never add words.
A section label that opens a sentence ("Why it matters: ...") is trimmed off, so the fact after it can
still be printed (the printed text stays a substring of the source span).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from briefer.core import lexicon
from briefer.core.models import Claim
from briefer.core.text import (
    ATTRIBUTION,
    MONTHS,
    STOPWORDS,
    WEEKDAYS,
    addresses_reader,
    capitalised_by_position,
    compress,
    month_start,
    writer_asks,
    writer_speaks,
)

_JUNK = "\"'\u201c\u201d\u2018\u2019([ \t\u2014\u2013-*_"
_WORD = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*")
# The verbs that give words to a speaker, for the surface rules here ("One said", "Biden said: ...");
# `core/data/speech_verbs.txt` is the wider list extraction reads attribution with.
_SPEECH_VERBS = "said|says|told|wrote|writes|added|stated|noted|argued|warned"
_SPEECH = re.compile(rf"\b(?:{_SPEECH_VERBS})\b", re.I)
# ... and those that close a quotation ('"...," the statement read'; not for labels: "Read more:")
_SPEAKER_VERBS = rf"(?:{_SPEECH_VERBS}|adds|states|notes|read|reads)"
# "Why it matters:", "The big picture:", "By the numbers:": a capitalised lead-in of 1-5 words
_LABEL = re.compile(
    r"^[\"\u201c*_]*(?P<lead>[A-Z][\w'\u2019\-]*(?:\s+[\w'\u2019\-]+){0,4})"
    r"(?:,\s+via\s+[^:,]{1,60})?"  # "Why it matters, via Axios' Margaret Talev: ..."
    r"\s*:\s+(?=\S)"
)
_CUT = re.compile(r"(?:\.\s*\.\s*\.|\u2026)[\"\u201d\u2019')\]]*$")


def _words(name: str) -> frozenset[str]:
    """One of the word sets in `core/data/openers/` (each file's comment says what it is for)."""
    return lexicon.words(f"openers/{name}")


@cache
def _phrases(name: str, after: str) -> re.Pattern[str]:
    """One of the list's phrases, then `after`, as one expression compiled once (a sentence is read
    against every phrase of the list)."""
    return re.compile(lexicon.alternation(_words(name)) + after)


def opens_with_contrast(text: str) -> bool:
    """ "But Facebook has disputed ...", "Still, it said ...": the text opens (past any punctuation)
    with a word of `openers/contrasts.txt`."""
    return bool(_phrases("contrasts", r"\b").match(re.sub(r"^\W+", "", text).lower()))


def cut_off(text: str) -> bool:
    """Ends in an ellipsis, on a title that stands before a name ("... from Gov."), or without terminal
    punctuation once closing quotes and brackets are set aside: the excerpt stopped mid-sentence, or
    the line is a headline or bullet fragment."""
    t = text.rstrip()
    if _CUT.search(t):
        return True
    last = re.search(r"([A-Za-z]+)\.$", t)
    if last and last.group(1).lower() in lexicon.words("title_abbreviations"):
        return True  # "... distinguishing himself from Gov." stops before the name
    return not t.rstrip("\"'\u201d\u2019)]*_ ").endswith((".", "!", "?"))


def _label(text: str) -> re.Match[str] | None:
    """A label-shaped opener ("Why it matters: ", "Army: "), not a speech lead-in ("Biden said: ...")
    nor a clock time."""
    m = _LABEL.match(text)
    if not m or _SPEECH.search(m.group("lead")) or re.fullmatch(r"[\d\s:]+", m.group("lead")):
        return None
    return m


def without_label(text: str) -> str:
    """The sentence without a section label opening it ("The big picture: X" -> "X"), one of the
    newsletter labels of `openers/section_labels.txt`. Any other label names the sentence's subject
    or speaker ("Army: 40% fully vaccinated"): it is kept, and the sentence is not printed."""
    m = _label(text)
    if m is None or m.group("lead").lower().replace("\u2019", "'") not in _words("section_labels"):
        return text
    rest = text[m.end() :]
    return rest[0].upper() + rest[1:] if rest else text


def has_label(text: str) -> bool:
    return _label(text) is not None


_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z.'\u2019\-]+\s+){0,3}[A-Z][A-Z.'\u2019\-]+"  # WASHINGTON, NEW YORK, ST. LOUIS
    r"(?:,\s+[^\u2014\u2013()]{1,30}?)?"  # ", Greece", ", Oct 5"
    r"(?:\s*\([A-Za-z .&]{2,20}\))?"  # (AP), (Reuters)
    r"\s+(?:\u2014|\u2013|--?)\s+(?=\S)"
)


_GLUED_DATELINE = re.compile(
    r"^(?:[A-Z][\w.'\u2019\-]*\s+){0,3}[A-Z][\w.'\u2019\-]*"  # Washington, New York
    r"(?:,\s+[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)?"  # ", Texas"
    r"\s*\([A-Z][A-Za-z .&]{1,20}\)(?=[A-Z\"\u201c])"  # (CNN) with the story's first word glued on
)
"""A dateline whose outlet runs into the first word ("Washington (CNN)Sen. Rand Paul ..."): prose
always leaves a space after a closing bracket."""


def without_dateline(text: str) -> str:
    """The sentence without the dateline that opens a wire report ("WASHINGTON (AP) — The Senate
    ...", "ATHENS, Greece (AP) — Millions ...", "Washington (CNN)The ..."): where the story was
    filed is no part of its fact."""
    glued = _GLUED_DATELINE.match(text)
    if glued:
        return text[glued.end() :]
    m = _DATELINE.match(text)
    if not m:
        return text
    rest, place = text[m.end() :], re.split(r"[,(]|\s(?:\u2014|\u2013|-)", m.group(0))[0]
    placed = "," in m.group(0) or "(" in m.group(0) or len(place.split()) > 1 or len(place.strip()) >= 5
    if not placed or re.search(r"\s(?:\u2014|\u2013|--?)\s", rest):
        return text  # "NATO — the alliance of 32 — said": an acronym and an aside, not a dateline
    return rest[0].upper() + rest[1:]


def dangling(text: str) -> bool:
    """The sentence points back: it opens with a connective, a pronoun subject or "The [role]", or it
    gives its words to a speaker it does not name."""
    raw = text.lstrip(_JUNK)
    w = [x.lower().replace("\u2019", "'") for x in _WORD.findall(raw)[:8]]
    if not w:
        return False
    lead = " ".join(raw.split()[:8]).lower().replace("\u2019", "'")
    first, nxt = w[0], (w[1] if len(w) > 1 else "")
    if first in _words("connectives") and (first, nxt) not in {("so", "far"), ("instead", "of")}:
        return True
    if _phrases("connective_phrases", r"\s*,").match(lead) or _phrases("back_phrases", r"\b").match(lead):
        return True
    if re.search(
        r",\s*(?:however|though|meanwhile|instead|too|for example|for instance)\s*,",
        " ".join(raw.split()[:6]).lower(),
    ):
        return True
    if first in _words("pronouns"):
        return not _pronoun_excepted(first, nxt, w)
    if _ADVERB_THEN_PRONOUN.match(raw) and first in _words("time_words") | _words("back_adverbs"):
        return True  # "Now, it appears to require ...": the word before the comma names nothing
    if _PHRASE_ON_DEMONSTRATIVE.match(raw):
        return (
            True  # "Understanding this, ...", "Given that, ...": the opening phrase acts on what came before
        )
    if first in _words("prepositions") and (_pronoun_object(nxt, raw) or _pronoun_after_phrase(raw)):
        return True  # "Without it, ...", "For conservatives and some critics, that's part of ..."
    if first in _words("subordinators") and _pronoun_after_clause(raw):
        return True
    if first == "one" and nxt:
        back = {"them", "those", "these", "us", "his", "her", "their", "its", "both", "two", "three"}
        of_back = (
            nxt == "of"
            and len(w) > 2
            and (w[2] in back or (w[2] == "the" and w[3:4] in (["two"], ["three"])))
        )
        return of_back or nxt == "such" or bool(_SPEECH.fullmatch(nxt))
    if first == "the" and _role_reference(raw.split()[1:6]):
        return True
    return (
        unnamed_speaker(text)
        or _personal_pronoun_without_person(raw)
        or _they_without_many(raw)
        or _demonstrative_back(raw)
    )


def _blank_quotations(raw: str) -> str:
    """`raw` with each quotation's characters blanked: what the writer says, at the same offsets."""
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), raw)


_THEY = re.compile(r"\b(?:they|them|their|themselves)\b", re.IGNORECASE)


def _they_without_many(raw: str) -> bool:
    """ "The head of U.S. Central Command announced Friday that they were very wrong": outside a
    quotation, "they" with no plural, no group ("police", "the council") and no "A and B" before it
    in the sentence stands for people the page may not name."""
    unquoted = _blank_quotations(raw)
    m = _THEY.search(unquoted)
    if m is None:
        return False
    before = unquoted[: m.start()]
    words = re.findall(r"[A-Za-z][a-z'\u2019-]+", before)  # "U.S." is no plural
    if re.search(r"\s(?:and|or|&)\s", before):
        return False
    for w in words:
        low = w.lower()
        if low in _words("groups") or (
            low.endswith("s") and not low.endswith("ss") and low not in _words("not_plural")
        ):
            return False
    return True


_PHRASE_ON_DEMONSTRATIVE = re.compile(
    r"^\W*(?:[A-Za-z]+\s+){1,4}(?:this|that|these|those)\s*,", re.IGNORECASE
)
_ADVERB_THEN_PRONOUN = re.compile(r"^\W*[A-Za-z]+,\s+(?:it|he|she|they)\b", re.IGNORECASE)
_DEMONSTRATIVE = re.compile(
    r"\s(?:these|those|this)\s+(?P<next>[a-z][\w'\u2019-]*)|"
    # "that" before a noun ends its phrase ("... ended up winning that war.", "in that case, ..."); a
    # "that" before a plural or a clause ("said that officials in ...", "that he would") opens what was said
    r"\sthat\s+(?P<noun>[a-z][\w'\u2019-]*[^s\W])(?=\s*[.,;:!?]|\s+(?:of|in|on|at|for|with|from|by)\b)"
)
_LIST_BEFORE = re.compile(r"[\w.'\u2019-]+,\s+(?:[\w.'\u2019-]+\s+){0,2}(?:and|or)\s")


def _demonstrative_back(raw: str) -> bool:
    """ "... should be authorized for these groups", "doesn't back those doomsday warnings", "ended
    up winning that war": past a sentence's first word and outside quotations, "these"/"those"/"this"
    before a noun (or a verb: "these are"), and "that" before a noun that ends its phrase, point to
    something said before. Not when the sentence itself gives it: the noun earlier ("for states ...
    in those states"), or a list before ("North Carolina, Tennessee and Utah ... in those states");
    nor "those who/with/at ...", "that said", nor time ("these days", "this year's")."""
    unquoted = _blank_quotations(raw)
    for m in _DEMONSTRATIVE.finditer(unquoted):
        word = (m.group("next") or m.group("noun")).lower().replace("\u2019", "'").split("'")[0]
        if word in _words("after_demonstrative") or word.rstrip("s") in _words("time_words"):
            continue
        if m.group("noun") and (word.endswith("ed") or word in _past_forms()):
            continue  # "With that said, ...": an idiom, no noun pointed at
        if m.group(0).split()[0] == "those" and (word.endswith(("ed", "ing")) or word in _past_forms()):
            continue  # "those made after an initial week", "those making below $40,000": who follows
        before = unquoted[: m.start()].lower()
        stem = word[:-1] if word.endswith("s") else word
        if _LIST_BEFORE.search(before) or re.search(rf"\b{re.escape(stem)}", before):
            continue
        return True
    return False


_PERSONAL = re.compile(r"\b(?:he|him|his|she|her|hers|himself|herself)\b", re.IGNORECASE)


@cache
def _roles() -> frozenset[str]:
    """What "the [noun]" points back to: people (`openers/people.txt`) and bodies, papers, events and
    things (`openers/roles.txt`)."""
    return _words("people") | _words("roles")


@cache
def _role_words() -> frozenset[str]:
    """Roles and their modifiers: capitalised at a sentence's start they name no one ("Former",
    "Police")."""
    return _words("role_modifiers") | _roles()


def _personal_pronoun_without_person(raw: str) -> bool:
    """ "Former lawyers in Arkansas and Illinois filed lawsuits against him": a personal pronoun
    (outside quotations) with no one named before it in the sentence points back to a person the page
    may not print. Someone is named by a run of capitalised words, a single one that is not a place
    after a preposition ("in Arkansas"), or "the/a [role]" ("the president"); a capitalised first word
    counts when it is no common word ("Powell was fully vaccinated, his family said")."""
    unquoted = _blank_quotations(raw)
    m = _PERSONAL.search(unquoted)
    if m is None:
        return False
    tokens = re.findall(r"[\w'\u2019.\-]+", unquoted[: m.start()])
    prev = ""
    for i, tok in enumerate(tokens):
        low = tok.lower().strip(".")
        if tok[:1].isupper():
            run = i + 1 < len(tokens) and tokens[i + 1][:1].isupper()
            common = capitalised_by_position(low) or low in _role_words()
            by_position = i == 0 and common and not run
            if not by_position and (run or prev not in _words("place_before")):
                return False
        elif prev in ("the", "a", "an") and low in _roles():
            return False
        prev = low
    return True


# '"...," the statement read.' / '..., he said.' / '"...," said the official.': the speaker is a pronoun
# or "the [role]" (`openers/roles.txt`), so the words lose whoever said them. "The mayor's office
# said" and "the Pentagon said" name an institution and keep it.
_AFTER = re.compile(
    r"[,\"\u201d\u2019]\s+(?P<who>he|she|they|it|the(?:\s+[a-z][\w'\u2019-]*){1,3})\s+"
    + _SPEAKER_VERBS
    + r"\b"
)
_BEFORE = re.compile(_SPEAKER_VERBS + r"\s+(?P<who>he|she|they|the\s+[a-z][\w'\u2019-]*)\s*(?:[.,;:!?]|$)")


_QUOTED = re.compile(r"[\"\u201c][^\"\u201c\u201d]{12,}[\"\u201d]")


def unnamed_speaker(text: str) -> bool:
    """Whether the sentence attributes its words to a speaker it does not name: a pronoun ("...,
    he said"), or "the [role]" for a direct quotation ('"...," the statement read', '"...," said the
    official'). Printed alone, the words lose their speaker. Reported speech may keep "the [role]"
    ("the river rose 5 cm, the agency said"): the fact is the sentence's, the vague source a detail."""
    quoted = bool(_QUOTED.search(text))
    for m in (*_AFTER.finditer(text), *_BEFORE.finditer(text)):
        who = m.group("who").split()
        if len(who) == 1 and not _named_before(text[: m.start()]):
            return True
        if len(who) > 1 and quoted and who[-1].lower() in _roles():
            return True
    return False


def _named_before(text: str) -> bool:
    """Whether the words before a pronoun speaker name someone, outside quotations ("When Smith
    arrived, he said ..."): then the pronoun has its antecedent in the sentence."""
    unquoted = re.sub(r"[\"\u201c][^\"\u201d]*$", " ", _QUOTED.sub(" ", text))  # a quotation still open
    # the first word is capitalised anyway; an acronym ("the FDA") names a body; a day or a month
    # ("by Nov. 4, she said") names no one
    names = re.findall(r"\s([A-Z][a-z][\w'\u2019-]*|[A-Z]{2,}\b)", unquoted.strip())
    # ("Jan" is a first name too)
    return any(
        n.lower() not in MONTHS and n.lower() not in WEEKDAYS and (not month_start(n) or n == "Jan")
        for n in names
    )


def _pronoun_object(word: str, raw: str) -> bool:
    """A preposition's object that points back: "Without it," "Unlike them"; a demonstrative only
    when it stands alone ("Despite this, ..."), since "After that meeting" names what it means."""
    if word in ("it", "them", "him", "her"):
        return True
    return word in ("this", "that", "these", "those") and bool(re.match(r"^\W*\w+\s+\w+\s*,", raw))


_AFTER_CLAUSE = re.compile(
    r"^\W*\w+(?P<opening>[^,]{0,100}),\s+(?:it|he|she|they|this|these|that(?=['\u2019]s\b|\s+is\b))\b",
    re.IGNORECASE,
)
_NOUN = re.compile(r"\b(?:the|a|an)\s+\w+|\s[A-Z]\w+")
_PRONOUN = re.compile(r"\b(?:it|he|she|they|him|her|them|this|these|those)\b", re.IGNORECASE)


def _pronoun_after_clause(raw: str) -> bool:
    """ "If approved, it would ...", "Whatever you call it, it has ...": the main clause's subject
    is a pronoun, and the opening clause names nothing it could stand for (no name, no "the X")
    before it points back itself. "As the storm hit, it destroyed homes" and "While the agency said
    it had found no link, it noted ..." keep their antecedent."""
    m = _AFTER_CLAUSE.match(raw)
    return m is not None and _names_nothing(m.group("opening"))


def _names_nothing(opening: str) -> bool:
    """Whether an opening clause or phrase names nothing a later pronoun could stand for (no name,
    no "the X") before it points back itself."""
    back = _PRONOUN.search(opening)
    return not _NOUN.search(opening if back is None else opening[: back.start()])


def _pronoun_after_phrase(raw: str) -> bool:
    """ "For conservatives and some critics, that's part of the issue": after an opening phrase that
    names nothing, the subject points back, unless it is expletive ("For now, it is unclear whether").
    A demonstrative subject points back whatever the phrase names ("For the crews, that's part of ...")."""
    m = _AFTER_CLAUSE.match(raw)
    if not m:
        return False
    w = [x.lower().replace("\u2019", "'") for x in _WORD.findall(raw[m.end("opening") + 1 :])[:8]]
    if not w or _pronoun_excepted(w[0], w[1] if len(w) > 1 else "", w):
        return False
    return w[0].startswith(("that", "this", "these")) or _names_nothing(m.group("opening"))


def _pronoun_excepted(first: str, nxt: str, w: list[str]) -> bool:
    """Time deixis ("This week"), expletive it ("It is unclear whether"), "Those who", "Both X and Y"."""
    if first in ("this", "that", "these", "those") and nxt.removesuffix("'s").rstrip("s") in _words(
        "time_words"
    ):
        return True
    expletive = first in ("it", "it's") and (first == "it's" or nxt in _words("expletive_verbs"))
    if nxt in ("seems", "appears") and w[2:3] == ["to"]:
        expletive = False  # "it appears to require ...": "it" is something said before
    if nxt in _words("auxiliaries") and not (w[2:3] and w[2] in _words("expletive_after_auxiliary")):
        expletive = False  # "It has ordered Facebook to review ...": an action needs its actor
    after_verb = w[1:2] if first == "it's" else w[2:3]
    if after_verb and after_verb[0] in _words("determiners"):
        expletive = False  # "It is a number that once seemed unimaginable": "it" is the number
    if expletive and any(x in _words("expletive_tails") for x in w[1:8]):
        return True
    if first == "those" and nxt in ("who", "with", "in", "on", "at", "whose"):
        return True
    return first == "both" and "and" in w[1:6]


def _role_reference(tokens: list[str]) -> bool:
    """ "The former president said" points back; "The president of Brazil" and "The senator, Mike Lee"
    name the referent, and "The missile co-production agreement" describes it. One person may also
    carry a place or a party before the noun ("The former Massachusetts governor", "The Texas
    Republican"): which governor, which Republican, the page does not say. A thing or a group so
    described ("The Senate bill", "The Trump campaign", "The Senate Democrats") is told apart by the
    description and is left alone."""
    described = False  # a capitalised word before the noun: only a person's noun still points back
    for i, tok in enumerate(tokens[:4]):
        low = re.sub(r"[^\w'\-]", "", tok).lower()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if low in _words("role_modifiers") and nxt[:1].isupper() and not tok.endswith(","):
            continue  # "The former Massachusetts governor": "former" modifies, a noun follows
        if low in _roles() and (not described or _one_person(low)):
            after = tokens[i + 1] if i + 1 < len(tokens) else ""
            return not (re.sub(r"\W", "", after).lower() == "of" or after[:1].isupper())
        if tok[:1].isupper() and low and not tok.endswith((",", ";", ":")) and i < 3:
            described = True
            continue
        if not (low in _words("role_modifiers") or re.fullmatch(r"\d+(?:-year-old)?", low)):
            return False
    return False


def back_role(text: str) -> str | None:
    """The noun a sentence opening "The [role]" points back with ("The vote was 364 to 62": "vote"),
    or None when it does not open so, or the noun is a person's ("The senator" may be another one).
    Printed right after a line that names the same noun, the back-reference reads as that line's
    vote, bill or order (`passages.follows_across`)."""
    tokens = text.lstrip(_JUNK).split()
    if not tokens or tokens[0].lower() != "the" or not _role_reference(tokens[1:6]):
        return None
    noun = next(
        (low for tok in tokens[1:5] if (low := re.sub(r"[^\w'\-]", "", tok).lower()) in _roles()), None
    )
    return None if noun in _words("people") else noun


def _one_person(noun: str) -> bool:
    """Whether `noun` (lower case) is a noun for one person ("governor", "chairman"), not for many
    ("fighters", "gunmen", "children")."""
    plural = noun.endswith(("s", "men")) or noun in ("children", "police")
    return noun in _words("people") and not plural


_MARKER = re.compile(r"^\s*[\[(]\s*\d+(?:\s*,\s*\d+)*\s*[\])]")  # "[3] ...", "(2) ...": a citation marker


@lru_cache(maxsize=65536)
def printable(text: str) -> bool:
    """Whether a (label-trimmed, connective-trimmed) sentence can stand alone on the page: not cut
    off, not pointing back, not a label, not half a quotation, and not opening with a citation marker
    of its own (a brief's markers are briefer's; one in the source is a list number or a forged
    citation)."""
    return not (dangling(text) or _unreadable(text))


_ONE_OF = re.compile(r"^\W*(?:one|another|a second|a third|a fourth|the other)\s+([a-z]{3,})\b", re.I)


def picks_one_of(text: str, before: str) -> bool:
    """ "One complaint alleges ..." after "The complaints say ...": the sentence picks one of a set
    the sentence before it names (the noun's plural is there), so printed alone it points at a set
    the page never named. "One person was killed" after a sentence with no "persons" is a count."""
    m = _ONE_OF.match(text)
    if m is None:
        return False
    noun = m.group(1).lower()
    plural = rf"(?:{noun}s|{noun[:-1]}ies)" if noun.endswith("y") else rf"{noun}(?:s|es)"
    return bool(re.search(rf"\b{plural}\b", before, re.I))


def only_points_back(text: str) -> bool:
    """Whether the sentence fails to stand alone only because it points back ("The report found
    ...", "He said ..."): printed after what it points to, it reads. One cut off, a label, a forged
    marker ("(3) The council voted ...") or half a quotation does not read after anything."""
    return dangling(text) and not _unreadable(text)


def _unreadable(text: str) -> bool:
    """What no sentence before it can mend: cut off, a label, a marker of its own, half a quotation,
    a list of names, the writer's own voice, question or words to the reader, an opening phrase and a subject
    without a verb."""
    return bool(
        cut_off(text)
        or has_label(text)
        or _MARKER.match(text)
        or _open_quote(text)
        or _list_of_names(text)
        or writer_speaks(text)
        or addresses_reader(text)
        or writer_asks(text)
        or no_main_verb(text)
    )


_LOWER_WORD = re.compile(r"(?<![\w'\u2019.-])[a-z][a-z'\u2019-]*\b")
MIN_STATEMENT_WORDS = 2  # lower-case words a statement has at least: "A, B (Mo.), C (N.C.)." states nothing


def _list_of_names(text: str) -> bool:
    """ "Roy Blunt (Mo.), Richard Burr (N.C.), Susan Collins (Maine)." is a list, not a fact: a
    sentence of capitalised words, with fewer than two lower-case words outside brackets, states
    nothing a reader can take away."""
    plain = re.sub(r"\([^)]*\)", " ", text)
    return len(plain.split()) >= 4 and len(_LOWER_WORD.findall(plain)) < MIN_STATEMENT_WORDS


def quotes_closed(text: str) -> bool:
    """Every quotation the text opens it closes (straight quotes paired, curly ones matched)."""
    return text.count('"') % 2 == 0 and text.count("\u201c") == text.count("\u201d")


def _open_quote(text: str) -> bool:
    """A quotation opened and not closed (or closed and not opened): one sentence of a quotation that
    runs over several, whose speaker is named where it ends. Printed alone it has neither."""
    return not quotes_closed(text)


_CLAUSE_END = re.compile(
    r"(?:,|;|\s[\u2014\u2013-])\s+(?:and|but|while|as|which|who|with|including|after|before)?\b|\s(?:and|but)\s"
)
_MIN_CLAUSE = 8  # words a trimmed sentence keeps at least: shorter rarely carries a fact on its own
_FOUR_DOTS = re.compile(r"[^.\s]\.\s?\.\.\.$")
_MAX_SPEECH_SETTING = 8
"""Words after a speech verb that say only where or to whom ("told reporters at the White House,"):
a longer run is what was said ("who authorities have said is an illegal immigrant ...")."""
_TRAILING = re.compile(
    r"\s*(?:,|;|\s[\u2014\u2013-])(?:\s+(?:with|and|as|which|who|while|including|after|amid|in|on|to|"
    r"for|from|by|of|that|where|when))?$"
)
"""An excerpt cut right after a comma, semicolon or dash, or one word past it ("... into the debate
on immigration policy, with"). A contrast word ("..., but") is not here: what follows it qualifies
the head, which printed alone would say more than its source."""


def complete_clause(text: str) -> str:
    """A sentence the excerpt cut off ("... and push ahead on the bigger...") trimmed back to its last
    clause boundary, with a full stop: the fact before the cut survives, the fragment after it goes.
    Returned unchanged when it is not cut off by an ellipsis or no clause of eight words is left."""
    t = text.rstrip()
    if _FOUR_DOTS.search(
        t[-8:]
    ):  # "... from 1989 to 1993....": a whole sentence, then the excerpt's ellipsis
        last = t[:-3].rstrip(" .").split()[-1:]  # the word before the sentence's own full stop
        if last and not _abbreviation(last[0]):
            return t[:-3].rstrip()
    if _TRAILING.search(t) and quotes_closed(t):
        head = _TRAILING.sub("", t)
        if head.split()[-1][:1].isupper():
            return text  # "signed by CDC Director Rochelle Walensky," may go on with a list of names
        # "The president told reporters at the White House," stops before what was said
        verbs = list(ATTRIBUTION.finditer(head))
        said_what = (
            bool(verbs)
            and not re.search(
                r"\bthat\b|[\"\u201c\u201d]", head[verbs[-1].start() :] + head[: verbs[0].start()]
            )
            and len(head[verbs[-1].end() :].split()) <= _MAX_SPEECH_SETTING
        )
        if len(head.split()) >= _MIN_CLAUSE and not _verbless(head) and not said_what:
            return head + "."  # the excerpt stopped at a clause boundary: what comes before is whole
        return text
    if not _CUT.search(t) or not quotes_closed(text):
        return text
    found = [
        m
        for m in _CLAUSE_END.finditer(text)
        if len(text[: m.start()].split()) >= _MIN_CLAUSE and not ATTRIBUTION.search(text[m.start() :])
    ]
    # A bare "and"/"but" joins words inside a phrase as often as clauses ("with the power and
    # profile..."): it is a boundary only where no punctuated one (comma, semicolon, dash) is left.
    # a contrast ("..., but Facebook has disputed...") qualifies what comes before: cut there, the
    # head would state flat what the source disputes, so such a sentence stays cut off
    found = [m for m in found if not opens_with_contrast(text[m.start() :])]
    # nor where a contrast comes later in what would be dropped ("... and the FDA, which performed an
    # analysis ... but did not support ..."): the dropped part qualifies the head
    last_contrast = max((m.start() for m in _contrast_inside().finditer(text)), default=-1)
    found = [m for m in found if m.start() > last_contrast]
    found = [m for m in found if not _LIST_GOES_ON.match(text, m.end())]
    found = [m for m in found if not (_bare_and(m) and _NOUN_PHRASE_NEXT.match(text, m.end()))]
    # nor before the main clause goes on past an aside ("left people like Cox, who owns a hotel in
    # Midland, South Dakota, feeling..."): a head cut there lacks the rest of its predicate
    resumes = _main_clause_resumes(text)
    found = [m for m in found if m.start() > resumes]
    # nor at a dash that opens an aside another dash closes ("... immunizations — or the single
    # shot — can be outdoors"): the sentence goes on after it
    found = [m for m in found if not (_DASH.search(m.group(0)) and _DASH.search(text, m.end()))]
    punctuated = [m for m in found if not _bare_and(m)]
    cuts = [m.start() for m in (punctuated or found)]
    for cut in reversed(cuts):
        head = text[:cut].rstrip(" ,;")
        if not quotes_closed(head) or head.count("(") != head.count(")"):
            return text
        if not _verbless(head) and not _open_subordinate(head) and not _BARE_SUBJECT.match(head):
            return head + "."
    return text


@cache
def _contrast_inside() -> re.Pattern[str]:
    """A word of `openers/contrasts_inside.txt` anywhere in a sentence, in any case."""
    return re.compile(rf"\b{lexicon.alternation(_words('contrasts_inside'))}\b", re.IGNORECASE)


_RELATIVE_ASIDE = re.compile(r",\s+(?:who|which|whose|whom|where)\b")
_AFTER_ASIDE = re.compile(r",\s+([a-z][\w'\u2019-]*)")


def _main_clause_resumes(text: str) -> int:
    """Where, after a relative aside (", who owns ...", ", which ..."), the sentence's main clause goes
    on ("..., feeling", "..., was approved"): the comma's position, the last one if several; -1 if
    none. A capitalised word after a comma is a place or a name inside the aside ("Midland, South
    Dakota")."""
    opener = _RELATIVE_ASIDE.search(text)
    if opener is None:
        return -1
    return max(
        (
            m.start()
            for m in _AFTER_ASIDE.finditer(text, opener.end())
            if m.group(1).lower() not in _words("not_resuming")
        ),
        default=-1,
    )


def _bare_and(m: re.Match[str]) -> bool:
    return bool(re.fullmatch(r"\s(?:and|but)\s", m.group(0)))


_NOUN_PHRASE_NEXT = re.compile(r"(?:the|a|an|his|her|its|their|our|my|your|this|that|these|those)\b|[A-Z\d]")
"""After a bare "and", a noun phrase ("instructed the Pentagon and the State Department to develop
..."): the "and" joins two objects, and a cut there leaves the verb without the rest of its object.
A new predicate ("... close the bridge and push ahead on ...") opens with no such word."""


_LIST_GOES_ON = re.compile(r"(?:[\w'\u2019.-]+\s+){1,3}(?:and|or)\s")
"""After a comma, a list's next item and its "and" ("between the House, Senate and White House"): the
comma is inside the list, and a cut there leaves "between the House."."""


def _abbreviation(word: str) -> bool:
    """ "U.S.", "Gov", "Dr": a full stop after it may end no sentence."""
    w = word.strip("\"'\u201c\u201d\u2019(").lower()
    return "." in w or w in lexicon.words("title_abbreviations") or w in lexicon.words("abbreviations")


_SUBORDINATE = re.compile(
    r"\s(?:(?i:because|when|while|after|before|since|although|though|until|unless|whereas|if)|"
    r"as(?=\s+(?:the|a|an|his|her|its|their|[A-Z])))\s(?P<rest>[^,;]*)$"  # "served as secretary": no clause
)
_FINITE = re.compile(
    r"\b(?:is|was|were|are|am|be|been|being|has|had|have|will|would|can|could|may|might|must|shall|should|"
    r"did|does|do|says|said|[a-z]+ed)\b"
)


@cache
def _past_forms() -> frozenset[str]:
    return frozenset(form for form, _ in lexicon.pairs("irregular_verbs"))


_DASH = re.compile(r"[\u2014\u2013]|\s--?\s")
_BARE_SUBJECT = re.compile(
    r"^\W*"
    + lexicon.alternation(lexicon.entries("openers/bare_subjects"))
    + r"\s+(?:who|whom|whose|that|with)\b",
    re.IGNORECASE,
)
"""A head that opens "Those who ..." is a subject and its relative clause: the excerpt's cut came
before the predicate ("Those who have received both doses ... can be outdoors")."""


def _open_subordinate(head: str) -> bool:
    """ "... came as President Joe Biden's envoy for North Korea": a cut right after a subordinate
    clause's subject ("as the envoy, Sung Kim, was in Tokyo") leaves that clause without its verb."""
    m = _SUBORDINATE.search(head)
    if m is None:
        return False
    rest = m.group("rest")
    return not (_FINITE.search(rest) or any(w in _past_forms() for w in rest.lower().split()))


def _verbless(head: str) -> bool:
    """Whether a trimmed sentence is likely left without its main clause: only an opening phrase
    ("With rates slowing even as economies reopen."), an opening phrase and an aside ("After decades
    of service, including tours abroad."), or a subject whose aside is still open ("The summary,
    first reported by the Post."): an odd comma after the subject closes an aside the cut removed
    the verb after. Read from commas and first words only, so it errs towards leaving a sentence
    cut off (not printed) rather than printing a fragment."""
    parts = [p.strip() for p in _QUOTED.sub(" quoted ", head).split(",")]  # a quotation's commas are its own
    first = parts[0].split()[0].lower().strip("\"'\u201c\u2018(") if parts[0].split() else ""
    if first in _words("prepositions") or first in _words("subordinators"):
        if len(parts) == 1:
            return True
        main = parts[1].split()[0].lower() if parts[1].split() else ""
        if main in _words("not_main") or main.endswith("ing"):
            return True
        return (len(parts) - 2) % 2 == 1
    return (len(parts) - 1) % 2 == 1


_CONTRACTED_VERB = re.compile(
    r"(?:n['\u2019]t|['\u2019](?:re|ve|ll|d|m))$|^(?:it|that|there|he|she|what|who)['\u2019]s$"
)
_NUMBER = re.compile(r"[\d,.]*\d[\d,.]*%?$")


def no_main_verb(text: str) -> bool:
    """ "On May 1, 1886, more than 300,000 workers in the United States.": an opening phrase, then a
    subject and no verb. The excerpt kept the sentence's full stop and lost its predicate. Read only
    for sentences that open with a preposition, where the verb is the part a cut leaves out; any word
    that may be a verb keeps the sentence: an auxiliary or a past form (`_FINITE`, the irregular
    forms), a contraction ("couldn't", "that's"), an "-ing" form, or a lower-case word ending in "s"
    that follows neither a number, a comma nor a word that opens a noun phrase ("the deal signals",
    but not "300,000 workers" or "In Paris, thousands": `openers/before_nouns.txt`). It errs towards
    printing: a present-tense verb without "s" ("workers strike") is not read."""
    tokens = text.split()
    words = [w.strip(",;:.!?()\"'\u201c\u201d\u2018\u2019") for w in tokens]
    if not words or words[0].lower() not in _words("prepositions"):
        return False
    if _FINITE.search(text) or any(w.lower() in _past_forms() for w in words):
        return False
    nouns_after = _words("before_nouns") | _words("prepositions")
    for i, w in enumerate(words):
        if _CONTRACTED_VERB.search(w.lower()) or (w.islower() and w.endswith("ing")):
            return False
        if w.islower() and w.endswith("s") and w not in _words("not_plural"):
            before = words[i - 1] if i else ""
            opens_phrase = i > 0 and tokens[i - 1].endswith(",")  # the subject, after the opening phrase
            if not (opens_phrase or _NUMBER.match(before) or before.lower() in nouns_after):
                return False
    return True


_MIN_AFTER_CONNECTIVE = 6  # words left once a bare connective is dropped: "Yet confidence has." is not a fact


def without_connective(text: str) -> str:
    """The sentence without a bare connective opening it ("But the letter is a test." -> "The letter
    is a test."), for the connectives of `openers/droppable_connectives`; unchanged when the rest is
    shorter than six words. Whether the rest stands alone is still `printable`'s call."""
    head, _, rest = text.partition(" ")
    if head.lower() not in _words("droppable_connectives") or len(rest.split()) < _MIN_AFTER_CONNECTIVE:
        return text
    return rest[0].upper() + rest[1:]


@lru_cache(maxsize=65536)
def clean(text: str) -> str:
    """A source sentence as printed: on one line (a hard-wrapped source's line breaks are spaces), a
    dateline, a leading connective and a section label trimmed off, and a sentence the excerpt cut off trimmed
    back to its last complete clause. Computed once per text: the questions, the options and the
    single-source test each ask it of the same claims."""
    one_line = " ".join(text.split())
    plain = without_label(compress(without_dateline(one_line)))
    return complete_clause(with_full_stop(without_connective(compress(plain))))


MIN_UNSTOPPED_WORDS = 8  # a line without a full stop this long, in sentence case, is a sentence


def with_full_stop(text: str) -> str:
    """A summary line the source prints without its full stop ("The attacks targeted people queuing
    to flee the country") ended with one. Sentence splitting stops only at punctuation, so such a line
    is a whole paragraph; it must read as a sentence (eight words or more, most of them lower case,
    not ending on a function word), or it stays as it is: a headline or a fragment."""
    t = text.rstrip()
    if not t or t[-1] in ".!?\"'\u201d\u2019)]*_:;,\u2026" or not t[-1].isalnum():
        return text
    words = t.split()
    capitalised = sum(1 for w in words if w[:1].isupper())
    if len(words) < MIN_UNSTOPPED_WORDS or capitalised * 2 >= len(words):
        return text
    if words[-1].lower() in STOPWORDS:
        return text
    # headline style: words in capitals for stress ("cases are DECLINING"), or telegraphic, without
    # an article or an auxiliary ("US-led evacuations from Kabul enter final stage")
    shouted = sum(1 for w in words if len(w) >= 4 and w.isalpha() and w.isupper())
    lower = {w.lower().strip(",;:()\"'\u201c\u201d") for w in words}
    if shouted >= 2 or not lower & _words("sentence_words"):
        return text
    return t + "."


def shown(claims: list[Claim]) -> Claim | None:
    """The first claim of a group that can stand on its own once cleaned (None: none can)."""
    return next((c for c in claims if printable(clean(c.text))), None)
