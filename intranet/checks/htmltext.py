"""Plain text of an HTML body, with a map back to the source.

Every text check works on plain text; finding offsets are offsets into the
string this module produces. How the plain text is made:

* the text of every text node, entities decoded (``&amp;`` -> ``&``), in
  document order, whitespace kept as it is (not collapsed);
* a ``\\n`` where a block element (p, div, h1-h6, li, tr, br, ...) starts or
  ends, unless the text already ends with one; a ``\\t`` before a table cell;
* nothing from ``<script>``/``<style>``, comments or attribute values (hidden
  text *is* included: hidden spam must be checked too).

So a heading or paragraph always starts a line, which the classified-marking
check relies on. The parser is the standard library's ``html.parser`` with
``convert_charrefs=False`` so that every text node and every entity arrives
as its own event with a known source position; ``segments`` record, for each
piece of plain text, where it came from, which is how masking edits an HTML
body without touching its tags (``replace_spans``).

The same walk collects the links of the body with whether they are hidden
(see ``links.py``).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Optional

BLOCK_TAGS = frozenset("""
address article aside blockquote body caption center dd details dialog div dl dt
fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 head header hr html li
main nav ol p pre section summary table tbody tfoot thead title tr ul
""".split())
CELL_TAGS = frozenset(("td", "th"))
SKIP_TAGS = frozenset(("script", "style", "template", "noscript"))
VOID_TAGS = frozenset("""
area base br col embed hr img input link meta param source track wbr
""".split())
# Which attribute of which tag holds a link.
LINK_ATTRS = {
    "a": "href", "area": "href", "img": "src", "iframe": "src", "frame": "src",
    "embed": "src", "source": "src", "video": "src", "audio": "src",
    "object": "data",
}

_LOOKS_LIKE_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>|/[A-Za-z][A-Za-z0-9]*\s*>|!--)")


def looks_like_html(text: str) -> bool:
    """True if the text contains at least one tag or comment."""
    return "<" in text and _LOOKS_LIKE_HTML.search(text) is not None


@dataclass(slots=True)
class Segment:
    """A piece of plain text and the source range it came from."""
    plain_start: int
    plain_end: int
    raw_start: int
    raw_end: int
    exact: bool  # the source range is exactly the plain text (no entities)


@dataclass(slots=True)
class Link:
    url: str
    tag: str                      # a, img, iframe, ...
    source_offset: int            # offset of the tag in the HTML source
    plain_start: int              # anchor text span in the plain text
    plain_end: int
    text: str = ""                # anchor text
    hidden: Optional[str] = None  # why it is hidden (CSS/attribute), or None


@dataclass
class HtmlText:
    text: str
    segments: list[Segment] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


# --- hidden elements -----------------------------------------------------

_NUM = re.compile(r"^\s*([-+]?\d*\.?\d+)\s*([a-z%]*)")
_UNIT_PX = {"": 1.0, "px": 1.0, "pt": 1.333, "em": 16.0, "rem": 16.0, "%": 0.0,
            "vw": 10.0, "vh": 10.0, "cm": 37.8, "mm": 3.78, "in": 96.0}
OFFSCREEN_PX = -500  # an offset this far left/up hides the element


def _length(value: str) -> Optional[float]:
    """CSS length in approximate px, or None if it is not a plain length."""
    m = _NUM.match(value)
    if not m:
        return None
    number = float(m.group(1))
    return number * _UNIT_PX.get(m.group(2), 1.0) if m.group(2) != "%" else number


def parse_style(style: str) -> dict[str, str]:
    decls = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            value = value.replace("!important", "").strip().lower()
            decls[name.strip().lower()] = " ".join(value.split())
    return decls


def hidden_reason(attrs: dict[str, Optional[str]]) -> Optional[str]:
    """Why an element with these attributes is invisible, or None.

    Covers the tricks used for hidden links (暗链): display:none,
    visibility:hidden, font-size:0, opacity:0, far off-screen positions and
    negative text-indent, zero (or 1px) boxes with overflow:hidden, clip to
    nothing, the ``hidden`` attribute, and text coloured like its own
    background. Styles from <style> sheets or classes are not evaluated (the
    editor's sanitiser removes them).
    """
    if "hidden" in attrs:
        return "hidden 属性"
    style = attrs.get("style")
    if not style:
        return None
    d = parse_style(style)
    if d.get("display") == "none":
        return "display:none"
    if d.get("visibility") in ("hidden", "collapse"):
        return "visibility:hidden"
    size = d.get("font-size")
    if size is not None and (n := _length(size)) is not None and n <= 0.5:
        return "font-size:0"
    opacity = d.get("opacity")
    if opacity is not None and (n := _length(opacity)) is not None and n < 0.1:
        return "opacity:0"
    for prop in ("left", "top", "right", "bottom", "margin-left", "margin-top", "text-indent"):
        value = d.get(prop)
        if value is not None and (n := _length(value)) is not None and n <= OFFSCREEN_PX:
            return f"{prop}:{value}（移出可视区域）"
    if d.get("overflow") == "hidden" or d.get("overflow-x") == "hidden" or d.get("overflow-y") == "hidden":
        for prop in ("width", "height", "max-width", "max-height"):
            value = d.get(prop)
            if value is not None and (n := _length(value)) is not None and n <= 2:
                return f"{prop}:{value};overflow:hidden"
    clip = d.get("clip", "").replace(",", " ")
    if clip.startswith("rect(") and all(_length(v) == 0 for v in clip[5:].rstrip(")").split()):
        return "clip:rect(0 0 0 0)"
    color = d.get("color")
    background = d.get("background-color") or d.get("background")
    if color and background and color == background:
        return "文字颜色与背景色相同"
    return None


# --- the walk --------------------------------------------------------------

class _Walker(HTMLParser):
    def __init__(self, source: str):
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0]
        pos = source.find("\n")
        while pos != -1:
            self.line_starts.append(pos + 1)
            pos = source.find("\n", pos + 1)
        self.parts: list[str] = []
        self.length = 0
        self.segments: list[Segment] = []
        self.links: list[Link] = []
        # open elements: (tag, effective hidden reason, index of its Link or -1)
        self.stack: list[tuple[str, Optional[str], int]] = []
        self.skip_depth = 0

    # position of the event being handled
    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _emit_text(self, text: str, raw_len: int, is_data: bool) -> None:
        """Append a text node (or a decoded reference) that takes raw_len
        characters of the source at the current position."""
        if self.skip_depth or not text:
            return
        raw_start = self._offset()
        raw_end = raw_start + raw_len
        exact = is_data and self.source[raw_start:raw_end] == text
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        self.segments.append(Segment(start, self.length, raw_start, raw_end, exact))

    def _break(self, char: str) -> None:
        # block boundaries are synthetic: no source range, no segment
        if char == "\n":
            if self.length and not self.parts[-1].endswith("\n"):
                self.parts.append("\n")
                self.length += 1
        else:
            self.parts.append(char)
            self.length += 1

    def _hidden(self) -> Optional[str]:
        return self.stack[-1][1] if self.stack else None

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, self_closing=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, self_closing=True)

    def _start(self, tag, attrs, self_closing):
        attr_map = {k: v for k, v in attrs}
        if tag in SKIP_TAGS:
            if not self_closing:
                self.skip_depth += 1
            return
        if tag == "br":
            self._break("\n")
        elif tag in BLOCK_TAGS:
            self._break("\n")
        elif tag in CELL_TAGS:
            if self.length and not self.parts[-1].endswith(("\n", "\t")):
                self._break("\t")
        hidden = self._hidden() or hidden_reason(attr_map)
        link_index = -1
        attr = LINK_ATTRS.get(tag)
        if attr and attr_map.get(attr):
            link_index = len(self.links)
            self.links.append(Link(url=attr_map[attr].strip(), tag=tag,
                                   source_offset=self._offset(),
                                   plain_start=self.length, plain_end=self.length,
                                   hidden=hidden))
        if not self_closing and tag not in VOID_TAGS:
            self.stack.append((tag, hidden, link_index))

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
            return
        # pop up to the matching open tag; ignore a stray end tag
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _tag, _hidden, link_index in self.stack[i:]:
                    if link_index >= 0:
                        self.links[link_index].plain_end = self.length
                del self.stack[i:]
                break
        if tag in BLOCK_TAGS:
            self._break("\n")

    def handle_data(self, data):
        # with convert_charrefs=False, data is a verbatim slice of the source
        self._emit_text(data, len(data), is_data=True)

    def _reference(self, prefix: str, name: str) -> None:
        # The parser hands us the name only; the source has it with or
        # without ";" ("&amp" occurs). Decode it as written, as a browser does.
        offset = self._offset()
        raw_len = len(prefix) + len(name)
        if self.source.startswith(";", offset + raw_len):
            raw_len += 1
        self._emit_text(html.unescape(self.source[offset:offset + raw_len]), raw_len, is_data=False)

    def handle_entityref(self, name):
        self._reference("&", name)

    def handle_charref(self, name):
        self._reference("&#", name)

    def finish(self) -> HtmlText:
        self.close()
        text = "".join(self.parts)
        for _tag, _hidden, link_index in self.stack:  # unclosed <a>
            if link_index >= 0:
                self.links[link_index].plain_end = len(text)
        for link in self.links:
            link.text = text[link.plain_start:link.plain_end]
        return HtmlText(text=text, segments=self.segments, links=self.links)


def extract(source: str) -> HtmlText:
    """Plain text, source segments and links of an HTML fragment or page."""
    walker = _Walker(source)
    walker.feed(source)
    return walker.finish()


def html_to_text(source: str) -> str:
    return extract(source).text


def replace_spans(source: str, doc: HtmlText, replacements: list[tuple[int, int, str]]) -> str:
    """Apply (plain_start, plain_end, new_text) edits to the HTML source.

    Only text nodes change; tags and attributes are left as they are. A span
    that crosses tags is edited piece by piece: when the new text has the same
    length as the old (masking keeps lengths), each character lands in the
    text node it replaces; otherwise the whole new text goes into the first
    piece and the other pieces are emptied. A text node is written back as it
    was written, with only the new characters escaped; a decoded entity that
    is edited is written escaped.
    """
    if not replacements:
        return source
    # per segment: its characters as they will be written
    seg_chars: dict[int, list[str]] = {}
    for p_start, p_end, new in sorted(replacements):
        same_length = len(new) == p_end - p_start
        first = True
        for si, seg in enumerate(doc.segments):
            if seg.plain_end <= p_start or seg.plain_start >= p_end:
                continue
            chars = seg_chars.get(si)
            if chars is None:
                if seg.exact:
                    chars = list(source[seg.raw_start:seg.raw_end])
                else:
                    chars = [html.escape(c, quote=False)
                             for c in doc.text[seg.plain_start:seg.plain_end]]
                seg_chars[si] = chars
            lo = max(p_start, seg.plain_start)
            hi = min(p_end, seg.plain_end)
            for pos in range(lo, hi):
                if same_length:
                    chars[pos - seg.plain_start] = html.escape(new[pos - p_start], quote=False)
                else:
                    chars[pos - seg.plain_start] = ""
            if not same_length and first:
                chars[lo - seg.plain_start] = html.escape(new, quote=False)
            first = False
    out = []
    last = 0
    for si in sorted(seg_chars):
        seg = doc.segments[si]
        out.append(source[last:seg.raw_start])
        out.append("".join(seg_chars[si]))
        last = seg.raw_end
    out.append(source[last:])
    return "".join(out)
