"""Turning a raw source span into the clean text of a finding (tags, bullets, emphasis, whitespace).

>>> clean_item("<p>• *Utveckla   resultatfokus* på hemsidan.</p>")
'Utveckla resultatfokus på hemsidan.'
"""
from __future__ import annotations

import html
import re

#: HTML element names: only these are markup; other tag-like text ("<Rubrik>", "< 5 % >") is kept as text
_HTML_NAMES = ("a|abbr|address|article|aside|b|big|blockquote|body|br|caption|center|cite|code|col|colgroup|dd|"
               "del|details|dfn|div|dl|dt|em|figcaption|figure|font|footer|h[1-6]|head|header|hr|html|i|img|ins|"
               "kbd|li|link|main|mark|meta|nav|ol|p|pre|q|s|samp|section|small|span|strike|strong|style|sub|"
               "summary|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul|var|wbr")
TAG = re.compile(rf"</?(?:{_HTML_NAMES})(?=[\s/>])[^<>]{{0,400}}?>|<!--.*?-->|<![A-Za-z][^<>]{{0,200}}>", re.I | re.S)
#: inline (phrasing) tags: removed without leaving a space, so ``”<i>allt</i>”`` stays ``”allt”``
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|u|s|span|a|sup|sub|small|mark|font)\b[^>]{0,400}?>", re.I)
BULLET_CHARS = "•●▪◦‣∙·"
_LEADING_BULLET = re.compile(rf"^\s*(?:[{BULLET_CHARS}]|[-*+](?=\s))\s*")
_MD_EMPH = re.compile(r"(?<![\w*])(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1(?![\w*])", re.S)
_STRAY_STARS = re.compile(r"(?<!\S)\*{1,3}|\*{1,3}(?!\S)")
_WS = re.compile(r"\s+")


def strip_tags(text: str) -> str:
    """Remove HTML tags and unescape entities.  Block tags (``<p>``, ``<li>``, ``<br>``...) leave a space
    where they separated words; inline tags (``<i>``, ``<b>``, ``<span>``...) leave nothing.  Text that only
    looks like a tag (no HTML element name) is kept, so nothing is dropped from a finding unsaid.

    >>> strip_tags("<p>kultur – ”<i>allt</i>”</p><p>Nästa</p>")
    ' kultur – ”allt”  Nästa '
    >>> strip_tags("<li>Andel <5 % och projekt <Trygg i Nacka></li>")
    ' Andel <5 % och projekt <Trygg i Nacka> '
    """
    return html.unescape(TAG.sub(" ", _INLINE_TAG.sub("", text)))


def strip_emphasis(text: str) -> str:
    """Remove markdown ``*``/``_`` emphasis markers, keeping the words."""
    if "*" not in text and "_" not in text:  # fast path (most items): both patterns need one of them
        return text
    prev = None
    while prev != text:
        prev, text = text, _MD_EMPH.sub(r"\2", text)
    return _STRAY_STARS.sub(" ", text)


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def clean_item(raw: str) -> str:
    """The text of a list item as the gold schema defines it: tags, bullet characters and markdown emphasis
    removed, runs of whitespace collapsed, trimmed."""
    text = strip_tags(raw)
    text = strip_emphasis(text)
    text = collapse_ws(text)
    while True:
        new = _LEADING_BULLET.sub("", text)
        if new == text:
            break
        text = new
    return text.strip()
