"""What a question asks: its focus (the question inside a long post), its aspect, and whether it is
too short to answer.

Real help-desk questions are often a story followed by the question ("We treated ... and billed
... Can we bill 77370 now that treatment has ended?"). Ranking the whole post lets the story decide;
ranking the interrogative sentences lets the question decide. The aspect (documentation, timing,
units ...) is what the question wants to know about its codes, so that an entry about the right code
but another aspect is not presented as the answer.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from faqbot.codes import recognize
from faqbot.model import Aspect

# A post this long (in words) with several sentences is read for its focus.
LONG_QUESTION_WORDS = 20
# A focus with fewer content words than this ("Does anyone know if this is true?") takes the sentence
# before it too, and so on.
MIN_FOCUS_WORDS = 3
# Words that say nothing about the topic of a question.
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "if",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "may",
        "might",
        "must",
        "i",
        "we",
        "you",
        "he",
        "she",
        "it",
        "they",
        "me",
        "us",
        "my",
        "our",
        "your",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "how",
        "when",
        "why",
        "anyone",
        "someone",
        "anybody",
        "know",
        "knows",
        "think",
        "tell",
        "help",
        "please",
        "thanks",
        "thank",
        "true",
        "correct",
        "right",
        "wrong",
        "ok",
        "okay",
        "sure",
        "way",
        "any",
        "some",
        "all",
        "just",
        "also",
        "still",
        "ever",
        "really",
        "about",
        "on",
        "in",
        "at",
        "to",
        "for",
        "of",
        "with",
        "by",
        "from",
        "as",
        "not",
        "no",
        "yes",
        "advice",
        "advise",
        "thoughts",
        "ideas",
        "appreciated",
        "welcome",
        "question",
        "questions",
        "wondering",
        "clarify",
        "clarification",
    ]
)

_SENTENCE = re.compile(r"[^.?!\n]+[.?!]*")
_ASKING = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+|also\s+|then\s+)?(?:can|could|should|would|will|is|are|was|were|do|does|did|may|must|"
    r"how|what|when|which|who|why|where|has|have)\b"
    r"|\b(?:wondering|my question|question is|need to know|anyone know|does anyone|any(?:one| one) (?:have|had)|"
    r"help me|advise|please clarify|not sure (?:if|whether|how|what))\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)

# Cues for each aspect, most specific first: the first aspect whose cue matches is the question's.
# Matched on the lower-cased text. Scenario and definition come last: most questions also "ask what".
ASPECT_CUES: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
    (
        "payment",
        re.compile(
            r"\b(how much|payment (?:rate|amount)|fee schedule|allowable|allowed amount|rvus?|"
            r"apc|c-?apc|packaged (?:payment|into)|paid separately|separately (?:paid|payable)|how (?:is|are) .{0,30} paid)\b"
        ),
    ),
    (
        "coverage",
        re.compile(
            r"\b(prior auth\w*|pre-?auth\w*|preauthori\w*|authori[sz]ation|medical(?:ly)? necess\w*|lcd|ncd|covered|coverage|"
            r"non-?covered|(?:does|do|will|would) (?:medicare|medicaid|(?:the |our |a )?(?:payer|insurance|insurer)s?|aetna|uhc|"
            r"united(?:healthcare)?|cigna|humana|bcbs|anthem|tricare) (?:pay for|reimburse|cover))\b"
        ),
    ),
    # A modifier attached to a code ("77300-26") is read by code recognition; as an aspect, the
    # question must speak of modifiers ("modifier 59", "mod 25", "XS", "ABN").
    ("modifier", re.compile(r"\b(modifiers?|mod\s?\d\d|x\{?(?:e|s|p|u)\}?(?!\w)|abn)\b")),
    (
        "documentation",
        re.compile(
            r"\b(document\w*|notes|(?:progress|treatment|sim|simulation|physician|procedure) note|charted|signatures?|"
            r"sign(?:s|ed)? off|co-?sign\w*|who signs|supervis\w*|physician order|(?:an?|the) order|ordered by|attest\w*|"
            r"audit\w*|medical records?|in person|face[- ]to[- ]face|remotely|remote (?:review|reading|access)|"
            r"review(?:ed|s)? (?:the )?images?|requirements?|must include|need to include|"
            r"who (?:can|may|must|should) (?:bill|perform|do|sign|review))\b"
        ),
    ),
    (
        "timing",
        re.compile(
            r"\b(after (?:the )?(?:treatment|course|tx|therapy|last|completion)|(?:treatment|course|therapy) (?:has )?"
            r"(?:ended|end|finished|completed|was completed|is over)|boost|re-?plans?|re-?planning|re-?simulat\w*|"
            r"interrupt\w*|break in|resum\w*|restart\w*|(?:what|which) (?:date of service|dos|date)|(?:date of service|dos) (?:should|to use|do we use)|mid-?course|re-?irradiat\w*|re-?treat\w*|"
            r"second course|new course|second plan|another plan|last week|final week|first week|before (?:the )?(?:plan|treatment|simulation|start)|"
            r"same week|which day|what day)\b"
        ),
    ),
    (
        "setting",
        re.compile(
            r"\b(hospital (?:vs\.?|versus|or) |freestanding (?:vs\.?|versus|or) |place of service|pos \d\d|global(?:ly)?|split[- ]bill\w*|"
            r"technical component|professional component|provider[- ]based|site of service|in a hospital setting)\b"
        ),
    ),
    (
        "frequency",
        re.compile(
            r"\b(how many|how often|how frequently|frequently|units?|per (?:week|course|fraction|day|session|plan|field|port|treatment)|"
            r"(?:billed|charged|reported|paid|payable) (?:weekly|daily|every|more than once|again)|"
            r"once|twice|more than one|mue|frequency|limit\w*|times|every (?:week|day|five|5))\b"
        ),
    ),
    (
        "combination",
        re.compile(
            r"\b((?:does|do|is|are) (?:\w+ ){0,3}includ\w* (?:\w+ ){0,2}\d+|together|alone|by itself|on its own|stand-?alone|without|same (?:day|date|claim|encounter|course)|along with|bundl\w*|separately|in addition to|ncci|edits?|"
            r"(?:bill|billed|billable|report|reported|charge|charged|code|coded|paid|denied) (?:it )?with|included in|"
            r"primary (?:code|service|procedure)|plus)\b"
        ),
    ),
    # "What (exactly) constitutes X, and how do we report it?" asks first what X is.
    ("definition", re.compile(r"\bwhat (?:exactly )?(?:constitutes|counts as|qualifies as|is considered)\b")),
    (
        "scenario",
        re.compile(
            r"\b(how (?:do|should|would|can) (?:i|we|you) (?:code|bill|charge|report)|what (?:cpt |hcpcs )?codes? "
            r"(?:do|should|would|can|to)|which codes?|codes? (?:that |which )?(?:(?:may|can|should|could|would|to|are|is) )?(?:be )?"
            r"(?:used|needed|billed|reported|charged|bill)\b|charges? for|coding for|(?:billing|cpt|hcpcs) codes? for|"
            r"code this|bill this)\b"
        ),
    ),
    (
        "definition",
        re.compile(
            r"\b(what (?:is|are|does)|what (?:kind|type|sort) of|what's|whats|difference|differ|vs\.?|versus|define|definition|meaning|means|describe|"
            r"description|explain|stands? for|def|mean|constitutes|counts as|qualifies as)\b"
        ),
    ),
)
_CUES = dict(ASPECT_CUES)


@dataclass(frozen=True, slots=True)
class QuestionReading:
    """How faqbot reads one question."""

    focus: str  # the part that asks (the whole text for a short question)
    aspect: Aspect | None  # what it wants to know, None when no cue says
    long: bool  # a long post whose focus was read out of it


_CODE_LIKE = re.compile(r"\b(?:cpt|hcpcs|code|codes|[a-z]?\d{4,5}[a-z]?)\b|[^\w\s]", re.IGNORECASE)


# The modifiers faqbot recognises written onto a code or listed after a named one (a regex alternation).
_MODIFIERS = r"26|tc|59|76|77|25|52|53|x[espu]|g[acz]|kx|p[on]"
# A modifier written onto a code: "77417-26", "77300-59".
_ATTACHED_MODIFIER = re.compile(rf"\b[0-9a-z]\d{{3}}[0-9a-z]-(?:{_MODIFIERS})\b")


def question_aspect(text: str) -> Aspect | None:
    """The first aspect (in :data:`ASPECT_CUES` order) whose cue the text matches, except that a
    question about a code with a modifier on it ("policy on 77417-26?") and no other aspect asks about
    the modifier; ``definition`` for a bare code ("77300?", "cpt g6012"); else None."""
    lowered = text.lower()
    found: Aspect | None = next((aspect for aspect, cue in ASPECT_CUES if cue.search(lowered)), None)
    if found in (None, "definition") and _ATTACHED_MODIFIER.search(lowered):
        return "modifier"
    if found is None and lowered.strip() and not _CODE_LIKE.sub(" ", lowered).split():
        return "definition"
    return found


_MODIFIER_NAMED = re.compile(
    rf"\b(?:modifiers?|mod)\s*-?\s*([a-z0-9]{{2}})\b|-({_MODIFIERS})\b|"
    r"\b(x[espu]|ga|gz|kx|gc|po|pn|tc)\b",
    re.IGNORECASE,
)


# More modifiers listed after a named one: "modifier 59 or 76", "modifiers 26, TC and 59".
_MODIFIER_LISTED = re.compile(
    rf"\s*(?:,|/|\bor\b|\band\b|,\s*(?:or|and)\b)\s*-?({_MODIFIERS})\b",
    re.IGNORECASE,
)


def modifiers_named(text: str) -> frozenset[str]:
    """The modifiers a question names ("modifier 59", "-XS", "GA", "modifier 59 or 76"), upper-cased."""
    named: set[str] = set()
    for m in _MODIFIER_NAMED.finditer(text):
        named.add(next(g for g in m.groups() if g).upper())
        end = m.end()
        while listed := _MODIFIER_LISTED.match(text, end):
            named.add(listed.group(1).upper())
            end = listed.end()
    return frozenset(named)


def text_covers(aspect: Aspect, text: str, question: str = "") -> bool:
    """Whether a text (an entry's answer) speaks to the ``aspect`` of ``question`` at all, by the same
    cues; for a modifier question, whether it names a modifier the question names."""
    if aspect == "modifier":
        named = modifiers_named(question)
        if named:
            return any(re.search(rf"\b{m}\b", text, re.IGNORECASE) for m in named)
    return bool(_CUES[aspect].search(text.lower()))


def _content_words(text: str) -> int:
    return len(_WORD.findall(text))


def _topic_words(text: str) -> int:
    return sum(1 for word in _WORD.findall(text.lower()) if word not in _FILLER)


def _asking_groups(text: str) -> tuple[list[str], list[list[int]]] | None:
    """A long post's sentences, and for each sentence that asks, the indices it is read with (the
    sentences before it when it is too short to say anything alone); None for a short question."""
    sentences = [s.strip() for s in _SENTENCE.findall(text) if s.strip()]
    if _content_words(text) < LONG_QUESTION_WORDS or len(sentences) < 2:
        return None
    asking = [i for i, s in enumerate(sentences) if s.endswith("?") or _ASKING.search(s)]
    if not asking:
        asking = [len(sentences) - 1]
    groups = []
    for i in asking:
        group = [i]
        words = _topic_words(sentences[i])
        while words < MIN_FOCUS_WORDS and i > 0:
            i -= 1
            group.append(i)
            words += _topic_words(sentences[i])
        groups.append(sorted(group))
    return sentences, groups


def question_focus(text: str) -> tuple[str, bool]:
    """The interrogative sentences of a long post (with the sentence before them when they are too
    short to say anything alone), and whether the text was long enough to need it."""
    found = _asking_groups(text)
    if found is None:
        return text, False
    sentences, groups = found
    chosen = sorted({i for group in groups for i in group})
    return " ".join(sentences[i] for i in chosen), True


def asking_parts(text: str) -> tuple[str, ...]:
    """Each question a long post asks, as its own text ("Is 77300 bundled into 77301? Also, can we bill
    77300 with 77321?" asks two); empty for a short question or a post that asks one thing."""
    found = _asking_groups(text)
    if found is None or len(found[1]) < 2:
        return ()
    sentences, groups = found
    parts = [" ".join(sentences[i] for i in group) for group in groups]
    return tuple(dict.fromkeys(parts))


def asked_codes(
    text: str, reading: QuestionReading, known: Collection[str], whole: tuple[str, ...] | None = None
) -> tuple[str, ...]:
    """The known codes a question asks about: those of its focus, or of the whole text when the focus
    names none (a long post names codes as context; the sentence that asks names the ones asked).
    ``whole``: the whole text's known codes, when the caller has them already."""
    whole = recognize(text, known).codes if whole is None else whole
    if not reading.long:
        return whole
    return recognize(reading.focus, known).codes or whole


def read_question(text: str) -> QuestionReading:
    focus, long = question_focus(text)
    return QuestionReading(
        focus=focus, aspect=question_aspect(focus) or (question_aspect(text) if long else None), long=long
    )
