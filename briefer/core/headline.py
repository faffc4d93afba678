"""The brief's title: the most central headline of a news source, read from every document.

The title is one outlet's words, chosen by rules over the documents alone (never over what the page
cites), so every engine and every budget gives one story one title, and the offline engine can show
in "How the outlets frame it" whose headline it is.
"""

from __future__ import annotations

import re
from collections import Counter

from briefer.core.models import Document, is_view_label
from briefer.core.segment import split_sentences
from briefer.core.text import content_terms, writer_speaks


def story_title(documents: list[Document]) -> str:
    """The brief's title, read from every document, not only those the page cites: the story's
    headline does not change with the budget (`--max-words 150` cites fewer outlets than the
    default). A page of tiny sources may still give it up last (`output.page.shorter`)."""
    read = [d for d in documents if d.meta.title]
    news = [d.meta.title for d in read if not is_view_label(d.meta.label) and not _in_writers_voice(d)]
    titles = [d.meta.title for d in read]
    plain_news: list[str | None] = [t for t in news if t and plain_headline(t)]
    plain: list[str | None] = [t for t in titles if t and plain_headline(t)]
    # an analysis explains the news, an opinion argues: with no news source, an analysis titles it
    analysis = [d.meta.title for d in read if (d.meta.label or "").lower().split()[-1:] == ["analysis"]]
    plain_analysis: list[str | None] = [t for t in analysis if t and plain_headline(t)]
    among = plain_news or news or plain_analysis or analysis or plain or None  # news that states the news
    texts = [d.text for d in read]
    return central_title(titles, among=among, texts=texts) or f"Brief of {len(documents)} documents"


def _in_writers_voice(doc: Document) -> bool:
    """A piece whose opening speaks in the writer's own voice ("Last month, I joined ...") is a
    column or an essay, whatever its label says or does not: its headline argues or tells a story."""
    return any(writer_speaks(doc.text[p.start : p.end]) for p in doc.body[:VOICE_PARAGRAPHS])


VOICE_PARAGRAPHS = 2  # the opening paragraphs read for the writer's voice (no new pass over the text)

_KICKER = re.compile(r"^[^:]{1,40}:\s")  # "Another disappointment: ...", "Bill de Blasio is right: ..."
_FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e|[Mm]y|[Oo]ur|us|[Mm]e)\b")  # "US" is a country


def plain_headline(title: str) -> bool:
    """A headline that states the news: not a question, not in the first person, not a verdict or
    kicker before a colon, not only a quotation, not two sentences ("Biden Wanted to Leave
    Afghanistan. He Knew the Risks.": a feature's teaser). Such headlines argue or tease; a news
    headline of another outlet titles the brief better."""
    t = title.strip()
    return not (
        t.endswith("?")
        or _FIRST_PERSON.search(t)
        or _KICKER.match(t)
        or t[:1] in "\"\u201c'\u2018"
        or len(split_sentences(t)) > 1
    )


def central_title(
    titles: list[str | None], among: list[str | None] | None = None, texts: list[str] | None = None
) -> str | None:
    """The headline sharing the most words with the other headlines: the most neutral summary of the
    story, rather than whichever outlet happens to be cited first (ties go to the earlier one). Two
    headlines share their words alike, so with `texts` (each headline's document) the one more of
    whose words the other outlet's report carries titles the brief.

    `among` limits the choice to some of them, the headlines of news (not opinion) sources: an opinion
    headline argues, so it titles the brief only when every cited source is a view."""
    options = [t for t in titles if t]
    allowed = None if among is None else set(among)
    eligible = [i for i, t in enumerate(options) if allowed is None or t in allowed]
    if not eligible:
        return None
    terms = [set(content_terms(t)) for t in options]
    if len(options) > 2:
        # the words a headline shares with each other headline, summed: each of its words counts
        # once per other headline that has it (a count over all headlines, not a pass per pair)
        df = Counter(w for a in terms for w in a)
        scores = [sum(df[w] - 1 for w in a) / (len(a) or 1) for a in terms]
    elif texts is not None and len(options) == 2:
        others = [set(content_terms(text)) for text, t in zip(texts, titles, strict=True) if t]
        scores = [len(a & others[1 - i]) / (len(a) or 1) for i, a in enumerate(terms)]
    else:
        return options[eligible[0]]
    return options[max(eligible, key=lambda i: (scores[i], -i))]
