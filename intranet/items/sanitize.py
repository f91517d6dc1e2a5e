"""Rich text is sanitised on save (R-54): nh3 (Ammonia) keeps formatting and
drops scripts, event handlers and javascript: URLs."""
import html
import re

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "sub", "sup",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code",
    "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "a", "img", "figure", "figcaption", "font",
}
ALLOWED_ATTRIBUTES = {
    "*": {"style", "class", "title", "align"},
    "a": {"href", "target"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "col": {"span", "width"},
    "font": {"color", "size", "face"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Style values that can load or run code in some browser (IE expression(),
# XBL bindings, url() with any scheme): the whole style attribute is dropped.
_DANGEROUS_STYLE = re.compile(r"expression|javascript|vbscript|behavior|binding|url\s*\(|@import|\\", re.I)


# Word's own classes (MsoNormal, MsoTableGrid, ...) mean nothing on our pages:
# dropped when text is pasted from Word (its mso-* styles are dropped by the
# style property allow-list below).
_WORD_CLASS = re.compile(r"^(mso|western|cjk)", re.I)


def _filter_attribute(tag, attr, value):
    if attr == "style" and _DANGEROUS_STYLE.search(value):
        return None
    if attr == "class":
        kept = " ".join(c for c in value.split() if not _WORD_CLASS.match(c))
        return kept or None
    return value


def sanitize_html(raw):
    import nh3  # here, not at the top: only saving needs it, and a web worker that never saves saves 1.6 MB
    return nh3.clean(
        raw or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_filter_attribute,
        filter_style_properties={
            "color", "background-color", "font-weight", "font-style", "font-size", "font-family",
            "text-align", "text-indent", "text-decoration", "line-height", "margin", "margin-left",
            "padding", "width", "height", "border", "border-collapse", "vertical-align",
            "display", "visibility", "opacity", "position", "left", "top",  # kept so hidden-link checks can see them
        },
    )


_TAG = re.compile(r"<[^>]+>")


def html_to_text(raw):
    return html.unescape(_TAG.sub(" ", raw or ""))


def visible_text_length(raw):
    """Characters of real text in a body, ignoring tags and white space."""
    return len(re.sub(r"\s+", "", html_to_text(raw)).replace("\u00a0", ""))
