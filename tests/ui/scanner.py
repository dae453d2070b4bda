"""What a reader must never see: numbers and dates the English/ISO way, the word None, and codes.

``visible_text(html)`` keeps what a browser shows (text, button values, titles, labels for assistive
technology); ``findings(text)`` lists every offending fragment. The allow-list is short and says why.
"""

import re
from html.parser import HTMLParser

from core.labels import EVENT_LABELS

# --- what is wrong, each with a name for the failure message
PATTERNS = {
    "amount with a decimal point (€ 31.93)": re.compile(r"€\s?-?\d+(?:,\d{3})*\.\d{1,2}\b"),
    "amount without thousands separator (33725175,00)": re.compile(r"(?<![\d.])\d{4,},\d{1,2}\b"),
    "percentage with a decimal point (0.0%)": re.compile(r"\d\.\d+\s?%"),
    "decimal point (67.55, 412.5)": re.compile(r"(?<![\w.])\d+\.\d{1,2}(?![\d.])"),
    "ISO date in text (2026-12-03)": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "the word None": re.compile(r"\bNone\b"),
    "snake_case code": re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b"),
    "UPPER_SNAKE code": re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b"),
    "audit event code (agreement.offered)": re.compile(
        r"\b(?:" + "|".join(re.escape(code) for code in EVENT_LABELS) + r")\b"
    ),
}

# --- what may look like it, and why
ALLOWED_TOKENS = [
    # a file name keeps the name it has on disk (an export's file, an uploaded document)
    re.compile(r"^[\w.-]+\.(?:pdf|xlsx|csv|png|jpe?g|odt|docx?)$", re.I),
    # addresses: URLs of reference sources and e-mail addresses are copied, not read as words
    re.compile(r"^(?:https?://|www\.)\S+$"),
    re.compile(r"^\S+@\S+$"),
]


def _allowed(text: str, start: int, end: int) -> bool:
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    token = text[left : right if right != -1 else len(text)].strip("()[],;:'\"")
    return any(pattern.match(token) for pattern in ALLOWED_TOKENS)


def findings(text: str) -> list[str]:
    found = []
    for name, pattern in PATTERNS.items():
        for match in pattern.finditer(text):
            if _allowed(text, match.start(), match.end()):
                continue
            context = text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
            found.append(f"{name}: {match.group(0)!r} in …{context}…")
    return found


class _Visible(HTMLParser):
    # not shown as text: code, styles, the stored JSON of an audit event (<pre>: the record as it is
    # hashed, shown for auditors byte for byte) and the contents of form fields being edited
    SKIP = {"script", "style", "template", "pre", "textarea", "noscript", "head"}
    ATTRIBUTES = {"title", "alt", "aria-label", "placeholder"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in self.SKIP:
            self.skipping.append(tag)
            return
        if self.skipping:
            return
        for name in self.ATTRIBUTES & attributes.keys():
            self.parts.append(attributes[name] or "")
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())
