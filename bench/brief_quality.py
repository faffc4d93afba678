"""How an editor would score the offline brief, counted by rules (issue 12), over 50+ real clusters.

    python bench/brief_quality.py [--crawl 36] [--neus 16] [--per-story] [--examples N] [--jobs 2]
                                  [--json FILE] [--eval-dir ../shared/eval]

Clusters (written to a temporary folder at run time; the eval texts are never committed):

* `crawl-ID`: AllSides stories from `../shared/eval/allsides_crawl/` with all three sides, spread evenly
  over the file, laid out as its README says: `left.txt`, `center.txt`, `right.txt`, each
  `TITLE`, blank line, `Outlet (Label) | YYYY-MM-DD`, blank line, paragraphs. The label is the
  story's opinion tag (`Opinion`, `Analysis`) when AllSides gives one, else the label of `newsSource`
  (`Online News`, `Opinion`, ...), else none (`Outlet | YYYY-MM-DD`). The editors' roundup is the
  reference for recall.
* `neus-N`: lines of `../shared/eval/allsides_neus/val.source` (three excerpts, no outlet or date),
  one file per article (`TITLE`, blank line, excerpt); `val.target` is the reference.
* `seeds`: the repository's `seeds/` (no roundup, so no recall).
* `inject`: the injection cluster of `bench/injection_cluster.py` (no roundup).

briefer is driven only through its CLI, three runs per cluster:
`briefer run DIR --engine offline -q --format json`, the same with `--format md`, and
`--format json --max-words 150`. Every rule below reads the JSON brief (what is printed, in which
section, and which document span each printed sentence cites) or the rendered Markdown (page words,
the Sources list); nothing imports briefer. The exact rules are in docs/BRIEF_QUALITY.md and in the
docstrings of the measures below. The script prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import injection_cluster  # noqa: E402

DEFAULT_EVAL = ROOT.parent / "shared" / "eval"

# --- thresholds (stated once, used everywhere) ------------------------------------------------------
REPEAT_JACCARD = 0.5  # two printed sentences with content-word Jaccard >= this say the same fact
ONE_SOURCE_CONTAINMENT = 0.5  # share of a flagged sentence's content words found in one sentence ...
ONE_SOURCE_MIN_SHARED = 4  # ... of another source (and at least this many words): that source carries it
ONE_SOURCE_LENIENT = 0.4  # also reported, as a sensitivity check (more hits, some of them partial overlaps)
REPEAT_LENIENT = 0.35  # also reported: reworded repeats that Jaccard 0.5 misses
SMALL_BUDGET = 150
TARGET_OUTLET_DATE = 0.95
TARGET_RECALL_SHARE = 0.90

# --- words --------------------------------------------------------------------------------------------
WORD = re.compile(r"[^\W_]+(?:['\u2019.\-][^\W_]+)*")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according one two new also mr ms mrs
    may might must us amp s t""".split()
)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def norm_word(w: str) -> str:
    w = w.lower().replace("\u2019", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = w.strip("'.-")
    if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]  # a crude plural fold, the same for every system measured
    return w


def content(text: str) -> set[str]:
    out = set()
    for w in words(text):
        n = norm_word(w)
        if n and n not in STOPWORDS and (len(n) > 1 or n.isdigit()):
            out.add(n)
    return out


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


ABBREV = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|St|Jr|Sr|No|Inc|Co|Corp|Ltd|vs|Prof|Rev|Jan|Feb|Mar|"
    r"Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|U\.K|D\.C|[A-Z])\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of a source: lines/paragraphs first, then end punctuation before a capital or quote."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = " ".join(para.split())
        if not para:
            continue
        start = 0
        for m in re.finditer(r"[.!?\u2026]+[\"\u201d\u2019')\]]*\s+(?=[\"\u201c\u2018(\[]?[A-Z0-9])", para):
            if ABBREV.search(para[start : m.start() + 1]):
                continue
            out.append(para[start : m.end()].strip())
            start = m.end()
        if para[start:].strip():
            out.append(para[start:].strip())
    return out


# --- clusters -----------------------------------------------------------------------------------------


@dataclass
class Doc:
    file: str
    text: str  # the file as written
    body: list[str]  # the article's paragraphs (no title, no byline), for LexRank and the oracle
    outlet: str | None = None
    published: date | None = None
    label: str | None = None

    @property
    def opinion(self) -> bool:
        return (self.label or "").lower() in OPINION_LABELS


OPINION_LABELS = {"opinion", "editorial", "column", "commentary", "analysis", "op-ed"}


@dataclass
class Cluster:
    id: str
    kind: str
    docs: list[Doc]
    roundup: str | None
    folder: Path | None = None


def _jsonl(path: Path):
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def crawl_clusters(eval_dir: Path, n: int) -> list[Cluster]:
    path = eval_dir / "allsides_crawl" / "headline_11_dev.jsonl"
    if n <= 0:
        return []
    if not path.exists():
        sys.exit(f"brief_quality: no AllSides crawl at {path} (see ../shared/eval/allsides_crawl/README.md)")
    full = [
        r
        for r in _jsonl(path)
        if r.get("roundup")
        and all((r["news"].get(s) or {}).get("newBody") for s in ("left", "center", "right"))
    ]
    step = max(1, len(full) // n)
    picked = full[::step][:n]
    out = []
    for r in picked:
        day = date.fromisoformat(r["date"][:10])
        docs = []
        for side in ("left", "center", "right"):
            a = r["news"][side]
            source = a["newsSource"].strip()
            m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", source)
            outlet, label = (m.group(1), m.group(2)) if m else (source, None)
            if a.get("opinionTag") in ("OPINION", "ANALYSIS"):
                label = a["opinionTag"].title()
            byline = f"{outlet} ({label}) | {day.isoformat()}" if label else f"{outlet} | {day.isoformat()}"
            body = [" ".join(p.split()) for p in a["newBody"] if p.strip()]
            text = a["newsTitle"].strip() + "\n\n" + byline + "\n\n" + "\n\n".join(body) + "\n"
            docs.append(Doc(f"{side}.txt", text, body, outlet, day, label))
        out.append(Cluster(f"crawl-{r['id']}", "crawl", docs, r["roundup"][0]))
    return out


def neus_clusters(eval_dir: Path, n: int) -> list[Cluster]:
    src, tgt = eval_dir / "allsides_neus" / "val.source", eval_dir / "allsides_neus" / "val.target"
    if n <= 0:
        return []
    if not (src.exists() and tgt.exists()):
        sys.exit(f"brief_quality: no NeuS clusters at {src.parent} (see its README.md)")
    pairs = list(
        zip(
            src.read_text(encoding="utf-8").splitlines(),
            tgt.read_text(encoding="utf-8").splitlines(),
            strict=True,
        )
    )
    step = max(1, len(pairs) // n)
    out = []
    for i in range(0, len(pairs), step)[:n]:
        line, target = pairs[i]
        docs = []
        for j, art in enumerate(line.split(" [SEP] ")):
            title, _, body = art.partition(". ARTICLE=> ")
            title = title.removeprefix("TITLE=> ").strip()
            body = " ".join(body.split())
            docs.append(Doc(f"{'abc'[j] if j < 3 else j}.txt", f"{title}\n\n{body}\n", [body]))
        roundup = target.partition(". ARTICLE=> ")[2].strip() or None
        out.append(Cluster(f"neus-{i}", "neus", docs, roundup))
    return out


# what the seed files carry (outlet as a reader would name it; date only where the file prints one)
SEED_META = {
    "000_dae282321fcd5384.txt": (("Times of India", "TOI"), date(2025, 4, 2)),
    "002_291906e243f0f9e1.txt": (("Cnews Live", "CNews Live"), None),
}


def seeds_cluster() -> Cluster:
    docs = []
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        outlets, day = SEED_META.get(p.name, ((None,), None))
        text = p.read_text(encoding="utf-8")
        d = Doc(p.name, text, text.split("\n")[1:], outlets[0], day)
        d.aliases = outlets  # type: ignore[attr-defined]
        docs.append(d)
    return Cluster("seeds", "seeds", docs, None, ROOT / "seeds")


def inject_cluster() -> Cluster:
    docs = []
    for name, text in injection_cluster.FILES.items():
        outlet, day = injection_cluster.META[name]
        docs.append(Doc(name, text, [], outlet, date.fromisoformat(day)))
    return Cluster("inject", "inject", docs, None)


def write_cluster(c: Cluster, base: Path) -> None:
    if c.folder is not None:
        return
    c.folder = base / c.id
    c.folder.mkdir(parents=True)
    for d in c.docs:
        (c.folder / d.file).write_text(d.text, encoding="utf-8")


# --- running briefer (CLI only) ---------------------------------------------------------------------


def briefer_cmd() -> list[str]:
    exe = Path(sys.executable).with_name("briefer")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "briefer"]


def run_briefer(folder: Path, fmt: str, max_words: int | None = None) -> tuple[int, str, str]:
    cmd = [*briefer_cmd(), "run", str(folder), "--engine", "offline", "-q", "--format", fmt]
    if max_words:
        cmd += ["--max-words", str(max_words)]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return p.returncode, p.stdout, p.stderr.strip()


# --- what a brief prints ------------------------------------------------------------------------------


@dataclass
class Printed:
    section: str  # bottom_line, key_points, open_questions, new_since, ... (the JSON key)
    group: int  # sentences of one bottom line / one open question are read in sequence
    text: str
    citations: list[dict[str, Any]]
    kind: str | None = None  # the open question's kind
    prev: Printed | None = None  # the sentence printed just before it in the same paragraph

    @property
    def docs(self) -> set[str]:
        return {c["doc_id"] for c in self.citations}


# `framing` holds quoted headlines, not sentences of the brief: measured apart (`framing_findings`);
# `questions_left_out` the open questions the page had no room for (kept in the JSON, not printed)
SKIP_KEYS = {"documents", "claims", "dropped", "report", "version", "title", "framing", "questions_left_out"}
PARAGRAPH_SECTIONS = {"bottom_line"}  # read as one paragraph; any other list: one paragraph per item


def _sentences_in(node: Any) -> list[dict[str, Any]]:
    """Dicts with `text` and `citations` inside node, in order (citations and verdicts not entered)."""
    if isinstance(node, dict):
        if isinstance(node.get("text"), str) and "citations" in node:
            return [node]
        return [s for k, v in node.items() if k not in ("citations", "verdict") for s in _sentences_in(v)]
    if isinstance(node, list):
        return [s for item in node for s in _sentences_in(item)]
    return []


def printed_sentences(brief: dict[str, Any]) -> list[Printed]:
    """Every printed sentence in page order: each dict with `text` and `citations` under any top-level
    key but documents/claims/dropped/report. A paragraph (for "printed just before") is the whole
    bottom line, one open question, or one item of any other list (a key point, a new point)."""
    out: list[Printed] = []
    group = 0
    for key, value in brief.items():
        if key in SKIP_KEYS or not value:
            continue
        items = value if isinstance(value, list) else [value]
        if key in PARAGRAPH_SECTIONS:
            items = [items]
        for item in items:
            group += 1
            kind = item.get("kind") if isinstance(item, dict) and isinstance(item.get("kind"), str) else None
            prev: Printed | None = None
            for node in _sentences_in(item):
                p = Printed(key, group, node["text"], node.get("citations") or [], kind, prev)
                out.append(p)
                if key in PARAGRAPH_SECTIONS or kind is not None:
                    prev = p  # key points / new points each stand alone
    return out


# --- the measures ----------------------------------------------------------------------------------

# fmt: off
CONNECTIVES = {
    "but", "however", "yet", "also", "and", "or", "so", "still", "instead", "meanwhile", "moreover",
    "furthermore", "nevertheless", "nonetheless", "thus", "hence", "therefore", "besides", "otherwise",
    "likewise", "similarly", "then", "additionally", "indeed", "consequently", "accordingly", "again",
}
# phrases that point back only when they stand alone, i.e. are followed by a comma ("In response, ...",
# not "In response to the ruling, ...")
CONNECTIVE_PHRASES = (
    "in addition", "in turn", "as a result", "by contrast", "in contrast", "on the other hand",
    "even so", "at the same time", "that said", "after that", "in response", "to that end", "as such",
    "in other words", "even then", "in fact", "of course", "after all", "for example", "for instance",
)
BACK_PHRASES = (  # point back wherever they stand
    "despite this", "despite that", "because of this", "because of that", "for his part",
    "for her part", "for their part", "as a result of this", "in response to this", "in response to that",
)
PRONOUNS = {
    "he", "she", "they", "it", "his", "her", "their", "its", "him", "them", "this", "that", "these",
    "those", "such", "another", "both", "it's", "that's", "they're", "he's", "she's", "this's",
}
TIME_WORDS = {
    "week", "weekend", "year", "month", "morning", "afternoon", "evening", "night", "summer", "fall",
    "autumn", "spring", "winter", "season", "time", "decade", "century",
}
# "The [role]": nouns for a person, a body or a thing already told about ...
ROLES = {
    "president", "senator", "democrat", "republican", "governor", "lawmaker", "congressman",
    "congresswoman", "representative", "official", "spokesman", "spokeswoman", "spokesperson",
    "minister", "secretary", "judge", "mayor", "candidate", "leader", "suspect", "victim", "company",
    "firm", "agency", "group", "organization", "report", "study", "survey", "poll", "lawsuit", "bill",
    "measure", "legislation", "ruling", "decision", "order", "move", "former", "latter", "pair",
    "couple", "man", "woman", "officer", "player", "star", "founder", "chairman", "chairwoman",
    "commissioner", "lawyer", "attorney", "plaintiff", "defendant", "campaign", "actor", "actress",
    "singer", "rapper", "athlete", "nominee", "incumbent", "challenger", "activist", "critic",
    "letter", "statement", "proposal", "plan", "deal", "agreement", "policy", "program", "incident",
    "attack", "shooting", "case", "probe", "investigation", "complaint", "memo", "video", "tweet",
    "comments", "remarks", "claim", "book", "film", "show", "team", "panel", "committee", "girl",
    "boy", "child", "teen", "teenager", "veteran", "general", "billionaire", "executive", "ceo",
    "lawmakers", "senators", "officials", "critics", "suspects", "victims", "men", "women", "children",
    "members", "researchers", "scientists", "protesters", "democrats", "republicans", "justices",
}
# ... the words that may stand for the same referent in the sentence printed just before
ROLE_GROUPS = [
    {"deal", "agreement", "pact", "accord", "treaty"},
    {"bill", "measure", "legislation", "law", "act", "package"},
    {"plan", "proposal", "program", "policy", "initiative", "move", "order", "mandate", "rule"},
    {"report", "study", "survey", "poll", "analysis", "data"},
    {"ruling", "decision", "verdict", "judgment", "opinion"},
    {"lawsuit", "case", "suit", "complaint", "charge", "charges"},
    {"official", "officials", "spokesman", "spokeswoman", "spokesperson"},
    {"company", "firm", "business", "corporation"},
    {"attack", "shooting", "incident", "event", "crash", "explosion"},
    {"investigation", "probe", "inquiry"},
    {"statement", "letter", "memo", "remarks", "comments", "tweet", "post", "video"},
]
# modifiers that keep "The ... [role]" a bare back-reference ("The two lawmakers", "The former
# president", "The Democratic senator"); any other modifier ("The missile co-production agreement")
# describes the referent and is not counted
ROLE_MODIFIERS = {
    "democratic", "republican", "gop", "conservative", "liberal", "progressive", "former", "latter",
    "new", "two", "three", "four", "five", "several", "same", "embattled", "veteran", "top", "senior",
    "first", "second", "current", "outgoing", "incoming", "accused", "alleged", "other", "both",
}
# fmt: on
SPEECH = re.compile(
    r"\b(?:said|says|say|told|tells|wrote|writes|added|adds|stated|states|explained|explains|tweeted|"
    r"asked|asks|noted|notes|declared|announced|argued|argues|warned|warns|insisted|claimed|claims)\b",
    re.I,
)
LEADING_JUNK = "\"'\u201c\u201d\u2018\u2019([ \t\u2014\u2013-*_"


def _opener_words(text: str) -> list[str]:
    return [w.lower().replace("\u2019", "'") for w in words(text.lstrip(LEADING_JUNK))[:8]]


def dangling_kind(s: Printed) -> str | None:
    """Why this printed sentence opens by pointing back at something, or None.

    * connective: the first word is a discourse connective (But, However, Yet, Also, And, So, Still,
      Instead, Meanwhile, Moreover, Then, Indeed ...; not "So far", "Instead of"), or the sentence opens
      with a connective phrase followed by a comma ("In addition,", "As a result,", "In response,") or
      with "Despite this", "For his part" ..., or ", however," / ", though," / ", meanwhile," / ",
      instead," comes within its first six words ("The United States, however, ...");
    * pronoun: the first word is a pronoun or demonstrative (He, She, They, It, His, Her, Their, Its,
      This, That, These, Those, Such, Another, Both), except time deixis ("This week", "That year"),
      expletive it ("It is unclear whether", "It will take years to"), "Those who ..." and
      "Both X and Y"; "One of them/those/his/the two ...", "One such ..." and "One said" count too
      ("One of the biggest ports" names its group and does not);
    * role: "The [role]" back-reference: "The", at most one bare modifier (former, two, Democratic,
      top ...), then a role noun (president, senator, Democrat, official, agency, report, bill, deal,
      move, former, latter ...), not followed by "of" or by a capitalised name.
    Leading quotation marks and brackets are skipped.
    """
    raw = s.text.lstrip(LEADING_JUNK)
    w = _opener_words(s.text)
    if not w:
        return None
    lead = " ".join(raw.split()[:8]).lower().replace("\u2019", "'")
    first = w[0]
    if first in CONNECTIVES:
        nxt = w[1] if len(w) > 1 else ""
        if not ((first == "so" and nxt == "far") or (first == "instead" and nxt == "of")):
            return "connective"
    if any(re.match(re.escape(p) + r"\s*,", lead) for p in CONNECTIVE_PHRASES):
        return "connective"
    if any(re.match(re.escape(p) + r"\b", lead) for p in BACK_PHRASES):
        return "connective"
    if re.search(r",\s*(?:however|though|meanwhile|instead|too)\s*,", " ".join(raw.split()[:6]).lower()):
        return "connective"
    if first in PRONOUNS:
        nxt = w[1] if len(w) > 1 else ""
        if first in ("this", "that", "these", "those") and nxt.rstrip("s") in TIME_WORDS:
            return None
        if (
            first in ("it", "it's")
            and (
                first == "it's"
                or nxt in ("is", "was", "remains", "seems", "appears", "will", "has", "would", "could")
            )
            and any(
                x in w[1:8] for x in ("that", "whether", "to", "if", "how", "why", "when", "unclear", "clear")
            )
        ):
            return None
        if first == "those" and nxt in ("who", "with", "in", "on", "at", "whose"):
            return None
        if first == "both" and "and" in w[1:6]:
            return None
        return "pronoun"
    if first == "one" and len(w) > 1:
        back = ("them", "those", "these", "us", "his", "her", "their", "its", "both", "two", "three")
        of_back = (
            w[1] == "of"
            and len(w) > 2
            and (w[2] in back or (w[2] == "the" and w[3:4] in (["two"], ["three"])))
        )
        if of_back or w[1] == "such" or SPEECH.fullmatch(w[1]):
            return "pronoun"
    if first == "the":
        toks = raw.split()[1:5]
        for i, tok in enumerate(toks[:2]):
            bare = re.sub(r"[^\w'\-]", "", tok)
            low = bare.lower()
            if low in ROLES:
                after = toks[i + 1] if i + 1 < len(toks) else ""
                if re.sub(r"\W", "", after).lower() == "of" or after[:1].isupper():
                    return None  # "The president of Brazil", "The senator, Mike Lee" name the referent
                return "role:" + low
            if not (low in ROLE_MODIFIERS or re.fullmatch(r"\d+(?:-year-old)?", low)):
                return None
    return None


def _role_group(role: str) -> set[str]:
    for g in ROLE_GROUPS:
        if role in g:
            return g
    return {role}


def antecedent_printed(s: Printed, kind: str, texts: dict[str, str]) -> bool:
    """The sentence printed just before it (same paragraph) is the source's own preceding sentence
    (same document, nothing but white space and quotes between the two cited spans), or, for a role
    back-reference, mentions that role."""
    p = s.prev
    if p is None:
        return False
    if kind.startswith("role:"):
        before = {norm_word(x) for x in words(p.text)}
        if any(norm_word(x) in before for x in _role_group(kind[5:])):
            return True
    for c in s.citations[:1]:
        for pc in p.citations:
            if pc["doc_id"] == c["doc_id"] and pc["end"] <= c["start"]:
                gap = texts.get(c["doc_id"], "")[pc["end"] : c["start"]]
                if not gap.strip(" \t\r\n\"'\u201c\u201d\u2018\u2019"):
                    return True
    return False


NAME_TITLES = frozenset("mr mrs ms dr prof gov sen rep gen lt col capt sgt rev".split())


def cut_off(text: str) -> bool:
    """Ends in "..." or "…", on a title that precedes a name ("... from Gov."), or has no terminal
    punctuation (. ! ?), closing quotes/brackets aside."""
    t = text.rstrip()
    if t.endswith(("...", "\u2026")) or re.search(r"\.\s*\.\s*\.[\"\u201d\u2019')\]]*$", t):
        return True
    if (m := re.search(r"\b([A-Za-z]+)\.$", t)) and m.group(1).lower() in NAME_TITLES:
        return True
    t = t.rstrip("\"'\u201d\u2019)]*_ ")
    return not t.endswith((".", "!", "?"))


LABEL = re.compile(
    r"(?:^|(?<=[.!?\u201d\"])\s+)[\"\u201c*_]*([A-Z][\w'\u2019\-]*(?:\s+[\w'\u2019\-]+){0,4})\s*:(?=\s|$)"
)


def labels(text: str) -> list[str]:
    """Section labels printed as content: a lead-in of one to five words opening the sentence (or a
    sentence inside it), capitalised, ending in a colon ("What he's saying:", "The big picture:",
    "Why it matters:", "Driving the news:"), that is not a speech lead-in ("Biden said:") or a clock
    time."""
    out = []
    for m in LABEL.finditer(text.lstrip(LEADING_JUNK)):
        lead = m.group(1)
        if SPEECH.search(lead) or re.fullmatch(r"[\d\s:]+", lead):
            continue
        out.append(lead + ":")
    return out


ATTRIBUTION = re.compile(
    r"\b(?:argu\w*|writ(?:e|es|ing)|wrote|written|says?|said|contend\w*|claim\w*|believ\w*|according to|"
    r"opin\w*|editorial\w*|column\w*|op-ed|assert\w*|insist\w*|maintain\w*|suggest\w*|told|tells?|"
    r"note[sd]?|stated?|states|explain\w*|acknowledg\w*|conced\w*|warn\w*|in (?:his|her|their) view|"
    r"view of|analysis)\b",
    re.I,
)
GENERIC_OUTLET_WORDS = set("news online the daily media network com report post times".split())


def attributed(text: str, doc: Doc) -> bool:
    """The sentence names the outlet (its full name or a distinctive word of it) or uses an
    attribution verb (argues, writes, says, according to, in an editorial ...)."""
    if ATTRIBUTION.search(text):
        return True
    if doc.outlet:
        if doc.outlet.lower() in text.lower():
            return True
        for w in words(doc.outlet):
            if (
                w.lower() not in GENERIC_OUTLET_WORDS
                and len(w) >= 3
                and re.search(rf"\b{re.escape(w)}\b", text)
            ):
                return True
    return False


def carried_elsewhere(
    s: Printed, doc_sentences: dict[str, list[str]], threshold: float = ONE_SOURCE_CONTAINMENT
) -> tuple[float, str] | None:
    """For an "only one source" sentence: the best sentence of a document it does not cite, by the share
    of the flagged sentence's content words it holds, when that share >= ONE_SOURCE_CONTAINMENT and
    at least ONE_SOURCE_MIN_SHARED words are shared."""
    cs = content(s.text)
    if not cs:
        return None
    best: tuple[float, str] | None = None
    for doc_id, sents in doc_sentences.items():
        if doc_id in s.docs:
            continue
        for t in sents:
            shared = cs & content(t)
            share = len(shared) / len(cs)
            if (
                len(shared) >= ONE_SOURCE_MIN_SHARED
                and share >= threshold
                and (best is None or share > best[0])
            ):
                best = (share, t)
    return best


MONTHS = "January February March April May June July August September October November December".split()


def date_forms(d: date) -> list[str]:
    m = MONTHS[d.month - 1]
    return [
        d.isoformat(),
        f"{m} {d.day}, {d.year}",
        f"{m[:3]} {d.day}, {d.year}",
        f"{m[:3]}. {d.day}, {d.year}",
        f"{d.day} {m} {d.year}",
        f"{d.day} {m[:3]} {d.year}",
        f"{m[:3]} {d.day:02d}, {d.year}",
    ]


def source_lines(markdown: str) -> dict[int, str]:
    """Numbered lines of the rendered Sources section."""
    m = re.search(r"^#+\s*Sources\s*$(.*?)(?=^#+\s|^---\s*$|\Z)", markdown, re.M | re.S)
    out = {}
    for line in (m.group(1) if m else "").splitlines():
        if mm := re.match(r"\s*(\d+)\.\s+(.*)", line):
            out[int(mm.group(1))] = mm.group(2).replace("\\", "")
    return out


def page_words(markdown: str) -> int:
    """Words on the rendered page: citation markers like [1, 2] and Markdown symbols are not words."""
    text = re.sub(r"\[\d+(?:\s*[,\u2013-]\s*\d+)*\]", " ", markdown)
    return sum(1 for tok in text.split() if re.search(r"[^\W_]", tok))


# --- LexRank and the oracle ------------------------------------------------------------------------


class _Tokenizer:
    """sumy's tokenizer interface with this bench's splitter (no NLTK data, no briefer)."""

    def to_sentences(self, text: str) -> list[str]:
        return split_sentences(text)

    def to_words(self, sentence: str) -> list[str]:
        return words(sentence)


def lexrank_order(sentences: list[str]) -> list[str]:
    """Sentences by LexRank score (sumy 0.13: the same steps as LexRankSummarizer.__call__)."""
    from sumy.nlp.stemmers import null_stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer

    doc = PlaintextParser.from_string("\n".join(sentences), _Tokenizer()).document
    sents = list(doc.sentences)
    if not sents:
        return []
    lr = LexRankSummarizer(null_stemmer)
    lr.stop_words = STOPWORDS
    sw = [lr._to_words_set(s) for s in sents]
    matrix = lr._create_matrix(sw, lr.threshold, lr._compute_tf(sw), lr._compute_idf(sw))
    scores = lr.power_method(matrix, lr.epsilon)
    order = sorted(range(len(sents)), key=lambda i: (-scores[i], i))
    return [str(sents[i]) for i in order]


def fill(ranked: list[str], budget: int) -> list[str]:
    """Take sentences in rank order while they fit in `budget` words (a sentence that does not fit is
    skipped and a later, shorter one may still fit)."""
    out, used = [], 0
    for s in ranked:
        n = len(words(s))
        if used + n <= budget:
            out.append(s)
            used += n
    return out


def oracle(sentences: list[str], reference: set[str], budget: int) -> list[str]:
    """Greedy extractive oracle: repeatedly the sentence that adds the most not-yet-covered reference
    content words (ties: the shorter) among those that still fit in `budget` words."""
    chosen, covered, used = [], set(), 0
    pool = [(s, content(s) & reference, len(words(s))) for s in sentences]
    while True:
        best = None
        for s, c, n in pool:
            if used + n > budget or s in chosen:
                continue
            gain = len(c - covered)
            if gain and (best is None or (gain, -n) > (best[1], -best[2])):
                best = (s, gain, n, c)
        if best is None:
            return chosen
        chosen.append(best[0])
        covered |= best[3]
        used += best[2]


def recall(text: str, reference: set[str]) -> float:
    return len(content(text) & reference) / len(reference) if reference else 0.0


# --- one story -----------------------------------------------------------------------------------


@dataclass
class Result:
    id: str
    kind: str
    ok: bool = True
    error: str = ""
    printed: int = 0
    repeated: list[tuple[str, str]] = field(default_factory=list)
    dangling: list[tuple[str, str]] = field(default_factory=list)
    cutoff: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    opinion_flat: list[str] = field(default_factory=list)
    one_source_wrong: list[tuple[str, str]] = field(default_factory=list)
    one_source_flags: int = 0
    one_source_lenient: int = 0  # more hits at ONE_SOURCE_LENIENT (not counted in one_source_wrong)
    repeated_lenient: int = 0  # pairs with REPEAT_LENIENT <= Jaccard < REPEAT_JACCARD
    opinion_printed: int = 0  # printed sentences citing only opinion-labelled sources
    failed150: bool = False
    sources_printed: int = 0
    sources_with_meta: int = 0
    sources_missing: list[str] = field(default_factory=list)
    page_words: int = 0
    content_words: int = 0
    source_words: int = 0
    recall: dict[str, float] = field(default_factory=dict)  # brief, lexrank, oracle, and @150
    words150: int = 0
    injection: list[tuple[str, list[str]]] = field(default_factory=list)
    outlets: int = 0  # distinct outlets the cluster's files carry (as the bench knows them)
    framing_lines: int = 0  # lines printed under "How the outlets frame it"
    framing_wrong: list[str] = field(default_factory=list)  # not verbatim, wrong outlet or label, ...
    framing_alike: bool = False  # printed although every pair of quotes has Jaccard >= REPEAT_JACCARD


def measure(c: Cluster) -> Result:
    r = Result(c.id, c.kind)
    assert c.folder is not None
    (rc_j, out_j, err_j), (rc_m, out_m, err_m), (rc_s, out_s, err_s) = (
        run_briefer(c.folder, "json"),
        run_briefer(c.folder, "md"),
        run_briefer(c.folder, "json", SMALL_BUDGET) if c.roundup else (0, "", ""),
    )
    if rc_j or rc_m:
        r.ok, r.error = False, f"exit {rc_j or rc_m}: {(err_j or err_m)[:120]}"
        return r
    brief = json.loads(out_j)
    docs_json = {d["id"]: d for d in brief["documents"]}
    texts = {i: d["text"] for i, d in docs_json.items()}
    by_file = {d.file: d for d in c.docs}
    doc_of = {i: by_file.get(Path(d["path"]).name) for i, d in docs_json.items()}
    printed = printed_sentences(brief)
    r.printed = len(printed)

    # repeated facts
    cs = [content(p.text) for p in printed]
    for i in range(len(printed)):
        for j in range(i + 1, len(printed)):
            a, b = printed[i], printed[j]
            if a.section == b.section == "open_questions" and a.group == b.group:
                continue  # the two sides of one open question are meant to be read together
            jac = jaccard(cs[i], cs[j])
            if jac >= REPEAT_JACCARD:
                r.repeated.append((a.text, b.text))
            elif jac >= REPEAT_LENIENT:
                r.repeated_lenient += 1

    for p in printed:
        kind = dangling_kind(p)
        if kind and not antecedent_printed(p, kind, texts):
            r.dangling.append((kind, p.text))
        if cut_off(p.text):
            r.cutoff.append(p.text)
        r.labels += [f"{lab}  <- {p.text}" for lab in labels(p.text)]
        cited = [doc_of.get(i) for i in p.docs]
        if cited and all(d is not None and d.opinion for d in cited):
            r.opinion_printed += 1
        if (
            cited
            and all(d is not None and d.opinion for d in cited)
            and "view" not in p.section
            and "framing" not in p.section
            and not any(attributed(p.text, d) for d in cited if d)
        ):
            r.opinion_flat.append(f"[{cited[0].label}, {cited[0].outlet}] {p.text}")

    sents_by_doc = {i: split_sentences(t) for i, t in texts.items()}
    for p in printed:
        if p.kind == "single_source":
            r.one_source_flags += 1
            if hit := carried_elsewhere(p, sents_by_doc, ONE_SOURCE_LENIENT):
                if hit[0] >= ONE_SOURCE_CONTAINMENT:
                    r.one_source_wrong.append((p.text, f"{hit[0]:.2f}: {hit[1]}"))
                else:
                    r.one_source_lenient += 1

    # sources printed with outlet and date
    md = out_m
    for line in source_lines(md).values():
        # which document is this line? match its path (the Sources list ends with it)
        d = next((d for d in c.docs if line.rstrip().endswith(d.file) or f"/{d.file}" in line), None)
        if d is None:  # a Sources list without paths: know the document by its headline
            d = next((d for d in c.docs if d.text.split("\n", 1)[0].strip().lower() in line.lower()), None)
        if d is None or (d.outlet is None and d.published is None):
            continue  # the file carries neither: nothing to print
        r.sources_printed += 1
        aliases = getattr(d, "aliases", None) or (d.outlet,)
        has_outlet = d.outlet is None or any(a and a.lower() in line.lower() for a in aliases)
        has_date = d.published is None or any(f.lower() in line.lower() for f in date_forms(d.published))
        if has_outlet and has_date:
            r.sources_with_meta += 1
        else:
            miss = [x for x, ok in (("outlet", has_outlet), ("date", has_date)) if not ok]
            r.sources_missing.append(f"{d.file} (no {' or '.join(miss)}): {line}")

    r.page_words = page_words(md)
    r.content_words = sum(len(words(p.text)) for p in printed)
    r.source_words = sum(len(words(d.text)) for d in c.docs)

    if c.roundup:
        ref = content(c.roundup)
        pool = [s for d in c.docs for para in d.body for s in split_sentences(para)]
        ranked = lexrank_order(pool)
        brief_text = " ".join(p.text for p in printed)
        r.recall["brief"] = recall(brief_text, ref)
        r.recall["lexrank"] = recall(" ".join(fill(ranked, r.content_words)), ref)
        r.recall["oracle"] = recall(" ".join(oracle(pool, ref, r.content_words)), ref)
        if rc_s == 0 and out_s:
            small = printed_sentences(json.loads(out_s))
            r.words150 = sum(len(words(p.text)) for p in small)
            r.recall["brief150"] = recall(" ".join(p.text for p in small), ref)
            r.recall["oracle150_same"] = recall(" ".join(oracle(pool, ref, r.words150)), ref)
        else:
            r.recall["brief150"] = 0.0
            r.failed150 = True
            r.error = f"--max-words {SMALL_BUDGET}: exit {rc_s}: {err_s[:100]}"
        r.recall["lexrank150"] = recall(" ".join(fill(ranked, SMALL_BUDGET)), ref)
        r.recall["oracle150"] = recall(" ".join(oracle(pool, ref, SMALL_BUDGET)), ref)

    if c.kind == "inject":
        r.injection = [(inj.key, where) for inj, where in injection_cluster.check(md, brief)]
    framing_findings(r, c, brief, md, doc_of)
    return r


FRAMING_HEADING = re.compile(r"^#+\s*How the outlets frame it\s*$", re.M)


def framing_findings(r: Result, c: Cluster, brief: dict[str, Any], md: str, doc_of: dict[str, Any]) -> None:
    """The "How the outlets frame it" part: printed or not (with the number of distinct outlets the
    files carry), and each printed line checked: its quote is verbatim in its cited document
    (`text[start:end] == quote`), its outlet is that file's outlet (or an alias), its label is the
    file's label exactly when the file has one (Opinion, Analysis, Online News); no line for a cluster of fewer than two
    outlets, no outlet twice, the Markdown page shows the part exactly when the JSON has it."""
    r.outlets = len({d.outlet.lower() for d in c.docs if d.outlet})
    lines = brief.get("framing") or []
    r.framing_lines = len(lines)
    texts = {d["id"]: d["text"] for d in brief["documents"]}
    if lines and r.outlets < 2:
        r.framing_wrong.append(f"printed for {r.outlets} outlet(s)")
    if bool(lines) != bool(FRAMING_HEADING.search(md)):
        r.framing_wrong.append("the Markdown page and the JSON disagree on the part")
    quotes, outlets = [], []
    for line in lines:
        cit, who = line["citation"], line["outlet"]
        quotes.append(cit["quote"])
        outlets.append(who.lower())
        if texts.get(cit["doc_id"], "")[cit["start"] : cit["end"]] != cit["quote"]:
            r.framing_wrong.append(f"not verbatim: {cit['quote'][:80]}")
        d = doc_of.get(cit["doc_id"])
        aliases = [a for a in (getattr(d, "aliases", None) or (d.outlet if d else None,)) if a]
        if not any(a.lower() in who.lower() for a in aliases):
            r.framing_wrong.append(f"outlet {who!r} is not the file's ({', '.join(aliases) or 'none'})")
        want = d.label if d is not None else None
        if (line.get("label") or "").lower() != (want or "").lower():
            r.framing_wrong.append(f"label {line.get('label')!r} for {who}, the file says {want!r}")
    if len(set(outlets)) < len(outlets):
        r.framing_wrong.append("an outlet printed twice")
    pairs = [(a, b) for i, a in enumerate(quotes) for b in quotes[i + 1 :]]
    r.framing_alike = bool(pairs) and all(jaccard(content(a), content(b)) >= REPEAT_JACCARD for a, b in pairs)


# --- report ------------------------------------------------------------------------------------------


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def story_table(results: list[Result]) -> str:
    head = (
        f"{'story':<12} {'sent':>4} {'rep':>3} {'dang':>4} {'cut':>3} {'lab':>3} {'opin':>4} "
        f"{'1src':>6} {'meta':>5} {'page/src':>9} {'R':>5} {'R_lex':>5} {'R_or':>5} "
        f"{'R150':>5} {'L150':>5} {'O150':>5} {'frm':>5}"
    )
    rows = [head, "-" * len(head)]
    for r in results:
        if not r.ok:
            rows.append(f"{r.id:<12} FAILED {r.error}")
            continue
        rc = r.recall
        ratio = r.page_words / r.source_words if r.source_words else 0.0
        flag = "!" if r.page_words > r.source_words else " "
        rec = (
            f"{rc['brief']:5.2f} {rc['lexrank']:5.2f} {rc['oracle']:5.2f} "
            f"{rc['brief150']:5.2f} {rc['lexrank150']:5.2f} {rc['oracle150']:5.2f}"
            if rc
            else f"{'-':>5} {'-':>5} {'-':>5} {'-':>5} {'-':>5} {'-':>5}"
        )
        meta = f"{r.sources_with_meta}/{r.sources_printed}" if r.sources_printed else "-"
        rows.append(
            f"{r.id:<12} {r.printed:>4} {len(r.repeated):>3} {len(r.dangling):>4} {len(r.cutoff):>3} "
            f"{len(r.labels):>3} {len(r.opinion_flat):>4} {len(r.one_source_wrong):>2}/{r.one_source_flags:<3} "
            f"{meta:>5} {ratio:8.2f}{flag} {rec} {r.framing_lines:>2}/{r.outlets:<2}"
        )
    return "\n".join(rows)


def totals(results: list[Result], seconds: float) -> tuple[str, dict[str, Any]]:
    ok = [r for r in results if r.ok]
    with_ref = [r for r in ok if r.recall]
    n_printed = sum(r.printed for r in ok)
    src_p, src_m = sum(r.sources_printed for r in ok), sum(r.sources_with_meta for r in ok)
    longer = [r.id for r in ok if r.page_words > r.source_words]
    keys = ("brief", "lexrank", "oracle", "brief150", "lexrank150", "oracle150")
    rec = {k: mean([r.recall[k] for r in with_ref]) for k in keys}
    ran150 = [r for r in with_ref if not r.failed150]
    rec_ran = {k: mean([r.recall[k] for r in ran150]) for k in ("brief150", "oracle150", "oracle150_same")}

    def share(a: float, b: float) -> float:
        return a / b if b else 0.0

    inj = [(k, w) for r in ok for k, w in r.injection]
    inj_printed = [k for k, w in inj if w]
    n_rep = sum(len(r.repeated) for r in ok)
    n_dang = sum(len(r.dangling) for r in ok)
    n_cut = sum(len(r.cutoff) for r in ok)
    n_lab = sum(len(r.labels) for r in ok)
    n_op = sum(len(r.opinion_flat) for r in ok)
    n_one = sum(len(r.one_source_wrong) for r in ok)
    flags = sum(r.one_source_flags for r in ok)
    op_printed = sum(r.opinion_printed for r in ok)
    op_labels = Counter(x[1 : x.index(",")] for r in ok for x in r.opinion_flat)
    dk = Counter(k.split(":")[0] for r in ok for k, _ in r.dangling)
    share_meta = share(src_m, src_p)
    ratios = [r.page_words / r.source_words for r in ok if r.source_words]
    s150, lex150 = share(rec["brief150"], rec["oracle150"]), share(rec["lexrank150"], rec["oracle150"])

    def briefs(pred: Any) -> str:
        return f"in {sum(1 for r in ok if pred(r))} of {len(ok)} briefs"

    kinds = Counter(r.kind for r in results)
    multi = [r for r in ok if r.outlets >= 2]
    framed = [r for r in multi if r.framing_lines]
    n_fw = sum(len(r.framing_wrong) for r in ok)
    rows = [
        (
            "repeated facts (pairs, Jaccard >= 0.5)",
            f"{n_rep}",
            "0",
            n_rep == 0,
            f"{briefs(lambda r: r.repeated)}; {sum(r.repeated_lenient for r in ok)} more pairs at 0.35-0.5",
        ),
        (
            "dangling openers",
            f"{n_dang}",
            "0",
            n_dang == 0,
            f"{briefs(lambda r: r.dangling)}; " + ", ".join(f"{k} {v}" for k, v in dk.most_common()),
        ),
        ("cut-off sentences", f"{n_cut}", "0", n_cut == 0, briefs(lambda r: r.cutoff)),
        ("labels printed as content", f"{n_lab}", "0", n_lab == 0, briefs(lambda r: r.labels)),
        (
            "opinion stated as fact",
            f"{n_op}",
            "0",
            n_op == 0,
            f"of {op_printed} sentences citing only opinion-labelled sources; "
            + ", ".join(f"{k} {v}" for k, v in op_labels.most_common()),
        ),
        (
            '"only one source" on a fact another carries',
            f"{n_one}",
            "0",
            n_one == 0,
            f"of {flags} such flags; {n_one + sum(r.one_source_lenient for r in ok)} at overlap >= 0.4",
        ),
        (
            "sources printed with outlet and date",
            f"{src_m}/{src_p} {share_meta:.0%}",
            ">= 95%",
            share_meta >= TARGET_OUTLET_DATE,
            "sources whose file carries an outlet or a date",
        ),
        (
            "pages longer than their sources",
            f"{len(longer)} of {len(ok)}",
            "0",
            not longer,
            f"page/source words: mean {mean(ratios):.2f}, max {max(ratios, default=0):.2f}",
        ),
        (
            "roundup recall, brief / oracle, 150 words",
            f"{s150:.0%}",
            ">= 90%",
            s150 >= TARGET_RECALL_SHARE,
            f"LexRank / oracle {lex150:.0%}; {len(with_ref) - len(ran150)} briefs exit 1 at 150 (recall 0);"
            f" {share(rec_ran['brief150'], rec_ran['oracle150']):.0%} without them",
        ),
        (
            "outlet framing printed (>= 2 outlets)",
            f"{len(framed)} of {len(multi)}",
            "-",
            True,
            f"{sum(r.framing_lines for r in ok)} lines; not printed where the quotes frame alike or do not"
            f" fit a quarter of the content budget; printed though alike: {sum(r.framing_alike for r in ok)}",
        ),
        (
            "framing lines wrong (quote, outlet, label)",
            f"{n_fw}",
            "0",
            n_fw == 0,
            "; ".join(f"{r.id}: {x}" for r in ok for x in r.framing_wrong)[:200],
        ),
        (
            "injected lines printed",
            f"{len(inj_printed)} of {len(inj)}",
            "0",
            not inj_printed,
            ", ".join(inj_printed),
        ),
    ]
    lines = [
        f"TOTALS over {len(results)} clusters ({', '.join(f'{v} {k}' for k, v in kinds.items())}); "
        f"{len(results) - len(ok)} failed; {n_printed} printed sentences; {seconds:.0f} s",
        f"{'measure':<44} {'today':>12}  {'target':<7} {'':<4}  detail",
    ]
    for name, today, target, good, detail in rows:
        lines.append(f"{name:<44} {today:>12}  {target:<7} {verdict(good):<4}  {detail}")
    lines += [
        "",
        f"roundup content-word recall, mean over {len(with_ref)} clusters with a roundup:",
        f"  default budget: brief {rec['brief']:.3f}  LexRank {rec['lexrank']:.3f}  oracle {rec['oracle']:.3f}"
        f" at the brief's content length (mean {mean([r.content_words for r in with_ref]):.0f} words);"
        f" brief/oracle {share(rec['brief'], rec['oracle']):.0%}, LexRank/oracle"
        f" {share(rec['lexrank'], rec['oracle']):.0%}",
        f"  --max-words {SMALL_BUDGET}: brief {rec['brief150']:.3f} (mean {mean([r.words150 for r in ran150]):.0f}"
        f" content words)  LexRank {rec['lexrank150']:.3f}  oracle {rec['oracle150']:.3f} (<= {SMALL_BUDGET} words);"
        f" brief/oracle {s150:.0%}; over the {len(ran150)} that exit 0, brief/oracle at the brief's own length"
        f" {share(rec_ran['brief150'], rec_ran['oracle150_same']):.0%}",
        f"  all pages {sum(r.page_words for r in ok)} words / all sources {sum(r.source_words for r in ok)} words"
        f" = {share(sum(r.page_words for r in ok), sum(r.source_words for r in ok)):.2f}",
    ]
    summary = {
        "clusters": len(results),
        "failed": [(r.id, r.error) for r in results if not r.ok],
        "printed_sentences": n_printed,
        "rows": [{"measure": n, "today": t, "target": g, "ok": o, "detail": d} for n, t, g, o, d in rows],
        "recall": rec,
        "seconds": seconds,
    }
    return "\n".join(lines), summary


def examples(results: list[Result], n: int) -> str:
    out = []
    cats = (
        ("repeated", lambda r: [f"{a}  ||  {b}" for a, b in r.repeated]),
        ("dangling", lambda r: [f"({k}) {t}" for k, t in r.dangling]),
        ("cut-off", lambda r: r.cutoff),
        ("label", lambda r: r.labels),
        ("opinion as fact", lambda r: r.opinion_flat),
        ("only-one-source wrong", lambda r: [f"{a}  ||  other source {b}" for a, b in r.one_source_wrong]),
        ("source metadata", lambda r: r.sources_missing),
        ("framing line wrong", lambda r: r.framing_wrong),
    )
    for name, get in cats:
        items = [(r.id, x) for r in results if r.ok for x in get(r)]
        out.append(f"\n== {name}: {len(items)}")
        for sid, x in items[:n]:
            out.append(f"  {sid}: {x[:300]}")
    for r in results:
        if r.error:
            out.append(f"\n{r.id}: {r.error}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crawl", type=int, default=36, help="AllSides crawl stories (default 36)")
    ap.add_argument("--neus", type=int, default=16, help="NeuS clusters (default 16)")
    ap.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--per-story", action="store_true", help="print a row per story")
    ap.add_argument("--examples", type=int, default=0, metavar="N", help="print N examples per failure")
    ap.add_argument("--jobs", type=int, default=2, help="clusters measured in parallel (default 2)")
    ap.add_argument("--json", type=Path, help="also write the totals and per-story findings here")
    ap.add_argument("--keep", type=Path, help="write the clusters here (kept) instead of a temp folder")
    args = ap.parse_args()
    if not args.eval_dir.is_dir():
        sys.exit(
            f"brief_quality: no evaluation data at {args.eval_dir} (expected ../shared/eval next to the repo)"
        )
    started = time.perf_counter()
    clusters = crawl_clusters(args.eval_dir, args.crawl) + neus_clusters(args.eval_dir, args.neus)
    clusters += [seeds_cluster(), inject_cluster()]
    with tempfile.TemporaryDirectory(prefix="brief-quality-") as tmp:
        base = args.keep or Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        for c in clusters:
            write_cluster(c, base)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(measure, clusters))
    seconds = time.perf_counter() - started
    if args.per_story:
        print(story_table(results))
        print(
            "columns: sent printed sentences; rep repeated pairs; dang dangling openers; cut cut-off; lab labels;"
            " opin opinion as fact; 1src wrong/all 'only one source' flags; meta sources with outlet+date;"
            " page/src page words over source words (! longer); R, R_lex, R_or roundup recall of brief, LexRank,"
            " oracle at the brief's length; R150, L150, O150 the same at 150 words; frm framing lines/outlets\n"
        )
    text, summary = totals(results, seconds)
    print(text)
    inj = next((r for r in results if r.kind == "inject" and r.ok), None)
    if inj:
        print(
            "\ninjection cluster:",
            ", ".join(
                f"{k}: {'PRINTED in ' + '/'.join(w) if w else 'not printed'}" for k, w in inj.injection
            ),
        )
    if args.examples:
        print(examples(results, args.examples))
    if args.json:
        summary["stories"] = [r.__dict__ for r in results]
        args.json.write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")


if __name__ == "__main__":
    main()
