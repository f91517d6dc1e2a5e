"""What changed between two versions of an item (R-22): difflib over the
fields and over the body's text, line by line and, inside a changed line,
character by character (Chinese has no spaces to split words on)."""
import difflib
import html
import re

from markupsafe import Markup, escape

FIELD_LABELS = [
    ("title", "标题"), ("source", "信息来源"), ("publish_at", "发布时间"), ("created_date", "产生时间"),
    ("topic", "主题分类"), ("genre", "体裁"), ("doc_number", "文号"), ("red_header_title", "红头标题"),
    ("importance", "信息级别"), ("classification", "密级"), ("expires_at", "有效期至"),
    ("reprint_source_site", "来源网站"), ("reprint_url", "原文链接"), ("extra_json", "栏目专有字段"),
]

_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/li|/h[1-6]|/tr|/blockquote|/table)\s*>")
_TAG = re.compile(r"<[^>]+>")


def plain_text(body_html):
    text = _BLOCK_END.sub("\n", body_html or "")
    text = html.unescape(_TAG.sub("", text))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _lines(body_html):
    return plain_text(body_html).split("\n") if body_html else []


def _inline(a, b):
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            out.append(escape(a[i1:i2]))
        else:
            if i2 > i1:
                out.append(Markup("<del>") + escape(a[i1:i2]) + Markup("</del>"))
            if j2 > j1:
                out.append(Markup("<ins>") + escape(b[j1:j2]) + Markup("</ins>"))
    return Markup("").join(out)


def body_diff(old_html, new_html):
    """Rows (kind, Markup) with kind in same | add | del | change."""
    a, b = _lines(old_html), _lines(new_html)
    rows = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            rows.extend(("same", escape(line)) for line in a[i1:i2])
        elif op == "delete":
            rows.extend(("del", Markup("<del>") + escape(line) + Markup("</del>")) for line in a[i1:i2])
        elif op == "insert":
            rows.extend(("add", Markup("<ins>") + escape(line) + Markup("</ins>")) for line in b[j1:j2])
        else:
            pairs = min(i2 - i1, j2 - j1)
            for k in range(pairs):
                rows.append(("change", _inline(a[i1 + k], b[j1 + k])))
            rows.extend(("del", Markup("<del>") + escape(line) + Markup("</del>")) for line in a[i1 + pairs:i2])
            rows.extend(("add", Markup("<ins>") + escape(line) + Markup("</ins>")) for line in b[j1 + pairs:j2])
    return rows


def _value_labels():
    from ..items.models import CLASSIFICATION_LABELS, IMPORTANCE_LABELS
    return {"importance": IMPORTANCE_LABELS, "classification": {k: v for k, v in CLASSIFICATION_LABELS.items() if k}}


_VALUE_LABELS = _value_labels()


def _files(data):
    return [f"{a.get('filename')}" + (f"（{a.get('caption')}）" if a.get("caption") else "")
            for a in (data or {}).get("attachments", [])]


def compare(old, new):
    """old/new: snapshot dicts (Revision.data, Publication.snapshot). old None = nothing to compare with.

    Returns {"fields": [(label, old, new, inline Markup)], "body": rows, "files": (removed, added),
             "changed": bool}."""
    old = old or {}
    fields = []
    for name, label in FIELD_LABELS:
        o, n = old.get(name), new.get(name)
        if name in _VALUE_LABELS:  # the words reviewers read, not the stored codes ("normal")
            o, n = _VALUE_LABELS[name].get(o, o), _VALUE_LABELS[name].get(n, n)
        o = "" if o in (None, "{}") else str(o)
        n = "" if n in (None, "{}") else str(n)
        if o != n:
            fields.append((label, o, n, _inline(o, n)))
    body = body_diff(old.get("body", ""), new.get("body", ""))
    of, nf = _files(old), _files(new)
    removed = [f for f in of if f not in nf]
    added = [f for f in nf if f not in of]
    changed = bool(fields or removed or added or any(kind != "same" for kind, _ in body))
    return {"fields": fields, "body": body, "files": (removed, added), "changed": changed}
