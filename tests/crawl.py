"""Crawl the site as each demo role: start from the menu, follow every internal link, record
each page's status and its visible text (for tests/test_crawl.py).

A route is visited at most ``PER_ROUTE`` times per role (two people's pages say what every
person's page says), which keeps a full crawl of a small demo county to a few hundred pages."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from shuangying.core.navigation import GROUPS

PER_ROUTE = 2
# Pages left out of the English scan, each with its reason (none today: the audit log shows
# object types and detail keys by their Chinese labels).
NOT_SCANNED: dict[str, str] = {}
SKIP_PREFIXES = ("/static/", "/api/", "/accounts/logout/", "/favicon.ico")
# Text inside these elements is data or code (a place token, a login name), not UI language,
# or text a person does not read: code, and <template> (an inert copy the page clones, such as a
# formset's empty row with its __prefix__ placeholders).
RAW_TAGS = {
    "script",
    "style",
    "code",
    "kbd",
    "samp",
    "pre",
    "svg",
    "textarea",
    "option",
    "template",
}
SHOWN_ATTRS = {"placeholder", "title", "aria-label", "alt"}


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class PageParser(HTMLParser):
    """Links and the text a person reads. Elements marked ``translate="no"`` (HTML's own mark
    for codes and names that stay as they are) and RAW_TAGS hold data, not UI language."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.labels: list[str] = []
        self._stack: list[tuple[str, bool]] = []
        self._label: list[str] | None = None

    @property
    def _raw(self) -> bool:
        return bool(self._stack) and self._stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "label":
            self._label = []
        raw = self._raw or tag in RAW_TAGS or attrs.get("translate") == "no"
        if tag not in VOID:
            self._stack.append((tag, raw))
        if raw:
            return
        for name in SHOWN_ATTRS:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in {"submit", "button"} and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "label" and self._label is not None:
            self.labels.append("".join(self._label).strip())
            self._label = None
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data):
        if self._label is not None:
            self._label.append(data)
        if not self._raw and data.strip():
            self.texts.append(data.strip())


@dataclass
class Visit:
    role: str
    url: str
    status: int
    source: str  # the page that linked here ("menu" for a menu entry)
    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl_as(role: str, client: Client) -> list[Visit]:
    home = client.get("/")
    start = PageParser()
    start.feed(home.content.decode())
    menu_urls = [u for u in start.links if route_of(urlsplit(u).path) in MENU_ROUTES]
    queue = deque([("/", "menu"), *((u, "menu") for u in menu_urls)])
    seen_urls: set[str] = set()
    per_route: dict[str, int] = {}
    visits = []
    while queue:
        url, source = queue.popleft()
        url = urldefrag(url).url
        if url in seen_urls:
            continue
        seen_urls.add(url)
        path = urlsplit(url).path
        key = route_of(path) or path
        if per_route.get(key, 0) >= PER_ROUTE:
            continue
        per_route[key] = per_route.get(key, 0) + 1
        response = client.get(url)
        visit = Visit(role, url, response.status_code, source)
        visits.append(visit)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            if response.streaming:
                b"".join(response.streaming_content)
            continue
        parser = PageParser()
        parser.feed(response.content.decode())
        visit.texts = parser.texts
        visit.labels = parser.labels
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if parts.path.startswith(SKIP_PREFIXES):
                continue
            queue.append((link, url))
    return visits


MENU_ROUTES = {entry.route for _label, entries in GROUPS for entry in entries}

# ASCII words a Chinese screen may show: codes, units, standards and brand names.
ALLOWED_WORDS = {
    "API",
    "TOTP",
    "Excel",
    "PDF",
    "QR",
    "ID",
    "IP",
    "URL",
    "SMS",
    "CSV",
    "xlsx",
    "XLSX",
    "GB",
    "T",
    "km",
    "kg",
    "mm",
    "cm",
    "ml",
    "No",
    "Ed",
    "OpenAPI",
    "Swagger",
    "JSON",
    "Google",
    "Authenticator",
    "Microsoft",
    "FreeOTP",
    "App",
    "app",
    "Ctrl",
}
TOKEN = re.compile(r"[A-Za-z0-9_\-]+")
WORD = re.compile(r"[A-Za-z]{2,}")


def english_words(text: str) -> list[str]:
    """Words of two or more Latin letters; a token holding a digit is a code (a plate
    晋L12345, a grid code JW1, a signed pass code), not language."""
    words = []
    for token in TOKEN.findall(text):
        if any(ch.isdigit() for ch in token):
            continue
        words.extend(w for w in WORD.findall(token) if w not in ALLOWED_WORDS)
    return words


# ASCII punctuation written against Chinese text: "姓名:" or "(可选)" where ":"/"(可选)" belong.
CJK = "\u4e00-\u9fff"
ASCII_PUNCT_IN_CHINESE = re.compile(rf"[{CJK}][,;:?!]|[,;?!][{CJK}]|\([{CJK}][^)]*\)")

# A count or amount of five digits or more written beside its unit without thousands separators
# ("20017 人" where "13,400 吨" sits beside it): the ``count`` filter writes 20,017.
UNITS = "人户条个吨件份次张台套双顶副桶壶元辆处项批名家"
BARE_BIG_NUMBER = re.compile(rf"(?<![\d,.\-:/A-Za-z_#])\d{{5,}}(?=\s?[{UNITS}])")
