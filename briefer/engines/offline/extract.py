"""Stage 2 (offline engine): one typed claim per body sentence, by rules.

The rules read what a careful reader would: who is speaking (speech verbs, quotation marks,
"according to"), whether the source hedges (could, may, expected, remains uncertain), whether it is
opinion (analysts, experts, evaluative verbs), a figure, or background. Every claim cites the exact
sentence span it came from, so nothing downstream can drift from the source.
"""

from __future__ import annotations

import re

from briefer.core import lexicon
from briefer.core.models import Claim, ClaimKind, Document, Sentence, cite
from briefer.core.segment import segment
from briefer.core.text import MONTHS, SPEECH_VERBS, WEEKDAYS, is_year, numbers

_SPEECH = re.compile(rf"\b(?:{SPEECH_VERBS})\b")  # lower case: "United States" is not speech
_QUOTE = re.compile(r"[\"\u201c][^\"\u201c\u201d]{12,}[\"\u201d]")
_NOUN_TOO = frozenset({"state", "states"})
# A forecast or hedge: what the source says may happen or is not sure of. "May" is a modal only in
# lower case (capitalised it is the month: "slipped in May"), and a hyphenated adjective
# ("long-anticipated report") hedges nothing.
_HEDGES = re.compile(
    r"(?<![-\u2010\u2011])\b(?:could|(?-i:may)|might|expected to|expects?|likely|unlikely|possibl[ey]|"
    r"potentially|set to|poised to|plans? to|aims? to|forecasts?|predicts?|projected|"
    r"anticipated|remains? (?:uncertain|unclear)|uncertain|unclear|appears? to|seems? to|"
    r"believed to|will likely|in the coming (?:days|weeks|months|years)|expect)\b",
    re.IGNORECASE,
)
# A modal inside a relative clause says what was possible, not what will happen: "a 130-day window in
# which he could serve" is no forecast (the main clause's own "could" still is). Nor is "what could
# be": "the first phase of what could be a multiday effort" characterises the meeting it reports.
_RELATIVE_MODAL = re.compile(
    r"\b(?:in which|during which|which|who|whom|where|what)\s+(?:\w+\s+){0,2}(?:could|may|might)\b|"
    # an indirect question asks what was possible: "introspection over what went wrong, and how,
    # after billions spent on a 20-year war, it could all end so ignominiously" forecasts nothing, nor
    # does "for asking her what she thought when he told her a woman could not win"
    r"(?<=[\w,)]\s)(?:how|whether|why|what)\b[^;:?!]{0,120}?\b(?:could|may|might)\b|"  # "Sen." inside
    # nor does one inside what a noun reports someone feared or claimed: "pushed back on the narrative
    # that he acted out of fear the president might order an attack", "fled amid fears the dam could
    # break" (the verb "Officials fear the dam could break" still forecasts)
    r"\b(?:the|a|an|of|amid|for|over|his|her|their|its)\s+(?:\w+\s+)?(?:narrative|fears?|claims?|"
    r"allegations?|suggestions?|rumou?rs?|speculation|notion|idea|theory)\s+(?:that\s+)?[^.;:?!]{0,80}?"
    r"\b(?:could|may|might)\b|"
    # nor one in a purpose clause: "Crews began clearing the debris so rescuers could start making
    # their way into the garage" reports what was done, and why ("..., so the town could flood",
    # after a comma, is a consequence foreseen, and still forecasts)
    r"(?<![,;])\sso(?:\s+that)?\s+(?:[\w'\u2019-]+\s+){1,3}(?:could|might|may)\b",
    re.I,
)
# A hedge in a trailing participle or "with" clause qualifies what follows from the fact, not the fact:
# "California will require candidates to hand over their tax returns, setting up a likely legal
# battle" reports a signed law. The main clause's own hedge ("The storm could hit, bringing rain")
# still makes a forecast.
# So does a closing appositive: "Newsom issued a mandate Friday ..., a policy the state expects to
# affect millions of students" reports the mandate.
_TRAILING = re.compile(r"(?:,\s+(?:with\s|in what\s|[a-z]+ing\s|an?\s+[a-z])|\s[\u2014\u2013]\s).*$", re.S)
# Paired dashes set an aside off the main clause: "The bombs – reportedly a car bomb and a suicide
# vest – detonated within minutes" reports the blasts; the aside's hedge is the aside's.
_DASH_ASIDE = re.compile(r"\s[\u2014\u2013-]\s[^\u2014\u2013]*?\s[\u2014\u2013-]\s")
# What was expected before the fact is a reported expectation, not a forecast ("Economists had
# forecast a 150,000 increase"); an announced plan is news ("unveiled plans to begin offering ...");
# what someone was told could not be done is a past prohibition ("after he was told he could not
# use the boys bathroom"); and what has not been shown could happen is a finding ("the FDA said it had
# not established the vaccine could cause the syndrome").
_NOT_FORECAST = re.compile(
    # a forecast someone made, named as a noun, is a figure reported: "beat economists' forecasts of
    # 318,000", "the forecast"
    r"(?:\b(?:the|a|an|its|their|his|her|our|this|that|these|those)\s+|\w['\u2019]s?\s+)"
    r"forecasts?\b|\bforecasts?\s+(?:of|for)\b|"
    r"\b(?:had|were|was)\s+(?:been\s+)?(?:forecast(?:ing)?|predict(?:ed|ing)|expect(?:ed|ing)|"
    r"project(?:ed|ing)|anticipat(?:ed|ing))\b|"
    # an expectation in the past tense, told as what someone expected then ("officials said they
    # didn't expect the takeover of any capital until fall"), is a view reported, not a forecast
    r"\b(?:did\s+not|didn['\u2019]t|never)\s+(?:expect|predict|anticipate|foresee)\b|"
    r"\b(?:was|were)\s+told\s+(?:that\s+)?(?:\w+\s+){0,3}?could(?:\s+not|n['\u2019]t|\s+no\s+longer)\b|"
    r"\b(?:not|never)\s+(?:yet\s+)?(?:established|shown|proven|found|determined)\s+(?:that\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:could|may|might)\b|"
    r"\b(?:unveil|announc|outlin|releas|detail|present|approv|adopt)\w*\s+(?:\w+\s+){0,2}plans?\s+to\b|"
    r"\b(?:announc|said|says|confirm)\w*\s+(?:on\s+\w+\s+)?that\s+(?:\w+\s+){0,3}plans?\s+to\b|"
    # idioms of manner and the noun ("as soon as possible", "the government's fiscal might on ...")
    r"\b(?:as\s+(?:soon|much|quickly|far|fast|long)\s+as|where(?:ver)?|if|when(?:ever)?)\s+possible\b|"
    # what a warning or a concern is about: "updated the label to warn of the possible increased risk"
    # reports the warning, and "concerns about possible side effects" the concerns
    r"\b(?:of|about|over|against)\s+(?:(?:the|a|an|any)\s+)?possible\s+[a-z]|"
    # odds compared are a finding reported, not a forecast: "twice as likely to be reinfected",
    # "three times more likely", "women were more likely to say ..."
    r"\b(?:twice|thrice|half|\w+\s+times)\s+(?:as|more|less)\s+likely\b|"
    r"\b(?:were|was)\s+(?:\w+\s+)?(?:more|less|as)\s+likely\b|"
    r"\b(?:[\w-]+['\u2019]s|its|their|his|her|our|military|economic|fiscal|political|financial|naval|"
    r"industrial|full|sheer)\s+might\b|\bmight\s+(?:on|of|behind|against)\b",
    re.IGNORECASE,
)
_ASSESSMENT = re.compile(
    # "expert advisers to the FDA are meeting" is a body that acts, not experts' reading
    r"\b(?:analysts?|experts?(?!\s+(?:advis[eo]rs?|panels?|committees?|witness(?:es)?|groups?))|observers?|critics?|commentators?|scholars?|economists?|signals?|"
    r"represent(?:s|ed)?|underscore[sd]?|highlight(?:s|ed)?|reflect(?:s|ed)?|indicate[sd]?|mark(?:s|ed)? a|significant|"
    r"critical|crucial|essential|dangerous|necessary|seen as|viewed as|views?|framed|regarded as|"
    r"considered|appears|amount(?:s|ed)? to)\b",
    re.IGNORECASE,
)
_BACKGROUND = re.compile(
    r"\b(?:has long|have long|historically|has consistently|have consistently|has repeatedly|"
    r"have repeatedly|since \d{4}|in (?:19|20)\d\d|last year|previously|in the past|for decades|"
    r"for years|long opposed|traditionally)\b",
    re.IGNORECASE,
)
# A sentence dated to a day of this week is the day's news, whatever past it recalls: "A third woman
# came forward late Monday to accuse ..., this time at a wedding in 2019" is no background.
_NEWS_DAY = re.compile(r"\b(?:" + "|".join(sorted(WEEKDAYS)) + r"|today|yesterday|tonight)\b", re.IGNORECASE)
_UNNAMED_ROLE = (  # "a senior administration official"; "a letter to lawmakers" names no one who speaks
    r"(?:a|an|one|two|three|several) (?:of (?:the|his|her|their) )?(?:(?!(?:to|of|in|for|with|by|from|on|at|the)\b)[\w-]+ ){0,3}?"
    r"(?:officials?|sources?|"
    r"spokes(?:person|man|woman)|diplomats?|aides?|insiders?|advis[eo]rs?|lawmakers?|staffers?|"
    r"strategists?|operatives?|democrats?|republicans?|people|persons?|employees?|executives?|"
    r"members?)\b"
)
_TELLS = r"(?:said|says|told|tells|confirmed|added|noted|warned|expressed|stated|claimed)"
# "reportedly" and "allegedly" say who vouches for a fact (nobody named), not that it may happen: an
# unconfirmed source, not a forecast
_ANONYMOUS = re.compile(
    r"\b(?:unnamed|anonymous|anonymity|not authori[sz]ed to|sources (?:said|say|close)|reportedly|allegedly|"
    r"people (?:familiar|briefed|with knowledge)|officials (?:said|say|have)|experts believe|"
    r"analysts (?:say|believe))\b|"
    # "a senior official" is a source only when the sentence gives them words ("..., a senior
    # official said", "according to a diplomat"); "served as a diplomat" describes someone
    rf"\b(?:according to|said|says|told|citing)\s+(?:[\w'\u2019-]+\s+){{0,3}}?{_UNNAMED_ROLE}|"
    rf"\b{_UNNAMED_ROLE}(?:[^.;!?]{{0,120}}?)\b{_TELLS}\b",
    re.IGNORECASE,
)
_DATE_OR_AMOUNT = re.compile(
    r"(?:[$€£¥]\s?\d|\d\s?%|\bpercent\b|\bper cent\b|\b\d[\d,.]*\s*(?:million|billion|trillion|"
    r"troops|people|soldiers|dead|killed|injured|units|missiles|dollars|euros|tons|tonnes|km|miles)\b)",
    re.IGNORECASE,
)
_NAME = r"[A-Z][\w'’\-.]*(?:\s+(?:[A-Z][\w'’\-.]*|of|the|de|al|bin|van|von)){0,5}"
_DESCRIPTOR = r"(?:(?:a|an|the)\s+)?(?:[a-z][\w\-]*\s+){0,4}"
_SPEAKER_PATTERNS = [
    # "...," said military analyst Richard Gaines / said a ministry spokesperson
    re.compile(
        rf"[\"\u201d],?\s+(?:{SPEECH_VERBS})\s+(?P<who>{_DESCRIPTOR}(?:{_NAME})?[\w\-]*)", re.IGNORECASE
    ),
    # "...," Hegseth stated / the statement read
    re.compile(rf"[\"\u201d],?\s+(?P<who>{_DESCRIPTOR}{_NAME}|the \w+(?: \w+)?)\s+(?:{SPEECH_VERBS})\b"),
    # according to X
    re.compile(rf"\baccording to (?P<who>{_DESCRIPTOR}{_NAME}|{_DESCRIPTOR}\w+)", re.IGNORECASE),
    # X said that / X has warned
    re.compile(
        rf"^(?:[A-Z][\w ,]*?,\s+)?(?P<who>(?:[a-z]+\s+)?{_NAME}|(?:a|an|the)\s+(?:[\w\-]+\s+){{0,6}}?(?:official|"
        rf"spokes\w+|minister|ministry|analyst|expert|officials|experts|analysts|sources?|agency|"
        rf"statement|government|pentagon))\s+(?:has |have |had )?(?:\w+ly )?(?:{SPEECH_VERBS})\b"
    ),
]
_NOT_SPEAKERS = re.compile(r"^(?:it|this|that|there|which|he|she|they|we)$", re.IGNORECASE)
_LEADING_CONNECTIVE = re.compile(
    r"^(?:while|as|despite|however|meanwhile|although|though|after|before|when|since|but|and|so)\s+",
    re.IGNORECASE,
)
_OPINION_SPEAKER = re.compile(
    r"\b(?:analysts?|experts?|observers?|critics?|commentators?|economists?)\b", re.I
)


def find_speaker(sentence: str) -> str | None:
    """The person or body a sentence attributes its content to, as the sentence names them."""
    for pattern in _SPEAKER_PATTERNS:
        m = pattern.search(sentence)
        if m:
            who = _LEADING_CONNECTIVE.sub("", m.group("who").strip(" ,.;:"))
            if who and not _NOT_SPEAKERS.match(who) and len(who.split()) <= 9:
                return who
    return None


# A condition's hedge hedges the condition: "urged the court to let schools act if they deem speech
# potentially disruptive" forecasts nothing; "the dam could break if the rain goes on" still does.
_CONDITION = re.compile(r"\b(?:if|unless)\s[^,;:.?!]*", re.IGNORECASE)


def main_clause(sentence: str) -> str:
    """The part of a sentence whose hedges make it a forecast: relative clauses' modals, conditions,
    dash asides, trailing participle and "with" clauses, reported past expectations and announced
    plans left out."""
    text = _CONDITION.sub(" ", _NOT_FORECAST.sub(" ", _RELATIVE_MODAL.sub(" ", sentence)))
    return _TRAILING.sub("", _DASH_ASIDE.sub(" ", text))


def forecasts(text: str) -> bool:
    """Whether a sentence's main clause hedges (`main_clause`): what makes a claim a forecast. Asked
    again of the words a page prints, which may be shorter than the claim's sentence."""
    # main_clause only takes words away, so a sentence without any hedge needs no reading of it
    return bool(_HEDGES.search(text)) and bool(_HEDGES.search(main_clause(text)))


def _unnamed(speaker: str | None) -> bool:
    """A speaker given only as "a/an [someone]" ("a senior aide", "an official"), nobody named: "an
    estimate by the Joint Committee on Taxation" names its source."""
    if not speaker or not re.match(r"(?:a|an)\s", speaker, re.IGNORECASE):
        return False
    return not re.search(r"\s(?-i:[A-Z])", speaker)


_LEGAL_ACTION = re.compile(r"\b" + lexicon.alternation(lexicon.entries("frames/legal_actions")) + r"\b", re.I)


_SAID_BEFORE = re.compile(
    r"\bback in (?:(?:19|20)\d\d|(?:"
    + "|".join(sorted(MONTHS))
    + r")\b|the (?:spring|summer|fall|autumn|winter))",
    re.IGNORECASE,
)
"""Words said well before the news ("..., he told KPRC 2 back in March 2020"): background, however
quoted ("back in session" is no time). A quotation beside a past date of what it is about ("the
worst since 1994") is today's."""


def _anonymous(sentence: str) -> bool:
    """Whether the sentence rests on someone it does not name ("officials said", "reportedly"). Its
    only such word "allegedly", beside an arrest, a charge or a lawsuit it reports ("was arrested
    after allegedly voting while on probation"), hedges the charge, whose makers are on the record."""
    m = _ANONYMOUS.search(sentence)
    if m is None:
        return False
    if m.group(0).lower() != "allegedly" or not _LEGAL_ACTION.search(sentence):
        return True
    return any(x.group(0).lower() != "allegedly" for x in _ANONYMOUS.finditer(sentence, m.end()))


def classify(sentence: str) -> tuple[ClaimKind, str | None, bool, bool]:
    """(kind, speaker, anonymous, hedged) for one sentence, by the rules in the module docstring."""
    speaker = find_speaker(sentence)
    has_quote = bool(_QUOTE.search(sentence))
    # "state(s)" is a speech verb far less often than a noun ("neighboring states", "member states"):
    # it attributes only where a speaker is found
    attributed = speaker is not None or any(m.group(0) not in _NOUN_TOO for m in _SPEECH.finditer(sentence))
    hedged = forecasts(sentence)
    anonymous = _anonymous(sentence) or _unnamed(speaker)
    if has_quote and attributed and _SAID_BEFORE.search(sentence) and not _NEWS_DAY.search(sentence):
        kind: ClaimKind = "background"
    elif has_quote and attributed:
        kind = "quote"
    elif hedged:
        kind = "prediction"
    elif speaker and _OPINION_SPEAKER.search(speaker):
        kind = "assessment"
    elif speaker is None and (
        _DATE_OR_AMOUNT.search(sentence) or any(not is_year(n) for n in numbers(sentence))
    ):
        kind = "figure"
    elif attributed:
        kind = "statement"
    elif _ASSESSMENT.search(sentence):
        kind = "assessment"
    elif _BACKGROUND.search(sentence) and not _NEWS_DAY.search(sentence):
        kind = "background"
    else:
        kind = "event"
    return kind, speaker, anonymous, hedged


def extract_claims(doc: Document, sentences: list[Sentence] | None = None) -> list[Claim]:
    """One claim per body sentence of a document, typed and attributed by rules."""
    claims: list[Claim] = []
    for sent in sentences if sentences is not None else segment(doc):
        if sent.kind != "body" or len(sent.text.split()) < 4:
            continue
        kind, speaker, anonymous, hedged = classify(sent.text)
        claims.append(
            Claim(
                id=f"{doc.id}:c{len(claims)}",
                kind=kind,
                text=sent.text,
                speaker=speaker,
                anonymous=anonymous,
                hedged=hedged,
                citations=[cite(doc, sent.start, sent.end)],
                sentence_ids=[sent.id],
            )
        )
    return claims
