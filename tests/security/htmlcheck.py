"""Finds anything executable in an HTML page, the way a browser would parse
it: script elements other than our own static files, event-handler
attributes, javascript:/vbscript:/data: URLs in link-like attributes, and the
elements that can run or load code (iframe srcdoc, object, embed, base, meta
refresh, form/button actions). Used by the XSS corpus test and the route walk."""
import re
from html.parser import HTMLParser

URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset",
             "lowsrc", "dynsrc", "ping", "codebase", "cite", "longdesc", "manifest", "archive"}
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|livescript|data\s*:\s*(text/html|image/svg|application))",
                        re.I)
ALLOWED_SCRIPT_SRC = re.compile(r"^/(static|bootstrap/static)/[\w./-]+\.js$")
DANGEROUS_TAGS = {"iframe", "frame", "object", "embed", "applet", "base", "frameset", "portal"}


def _normalise_url(value):
    # Browsers drop control characters and whitespace inside a scheme ("java\tscript:").
    return re.sub(r"[\x00-\x20]", "", value or "")


class _Finder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        tag = tag.lower()
        names = {k.lower(): (v or "") for k, v in attrs}
        if tag == "script":
            src = names.get("src", "")
            if not ALLOWED_SCRIPT_SRC.match(src):
                self.problems.append(f"<script src={src!r}>" if src else "inline <script>")
        if tag in DANGEROUS_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and names.get("http-equiv", "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")
        if tag in ("svg", "math") and any(k.startswith("on") for k in names):
            self.problems.append(f"<{tag} on...>")
        for key, value in names.items():
            if key.startswith("on"):
                self.problems.append(f"<{tag} {key}=...>")
            elif key in URL_ATTRS and BAD_SCHEME.match(_normalise_url(value)):
                self.problems.append(f"<{tag} {key}={value[:40]!r}>")
            elif key == "style" and re.search(r"expression\s*\(|javascript:|behavior\s*:|-moz-binding",
                                              value, re.I):
                self.problems.append(f"<{tag} style={value[:40]!r}>")
            elif key in ("formaction", "srcdoc"):
                self.problems.append(f"<{tag} {key}=...>")


def executable_parts(html):
    """A list of what could execute in the page; empty when the page is clean."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
