"""Plain text with the findings marked: ``<mark>`` spans for the editor's
content-check panel (R-50: "the position highlighted"). Pure; escapes all text."""
from __future__ import annotations

from markupsafe import Markup, escape


def highlight(text: str, findings, *, id_prefix: str = "chk") -> tuple[Markup, dict]:
    """(markup, anchors): ``text`` escaped, every stretch covered by at least
    one finding wrapped in ``<mark class="check-block|check-warn">`` with the
    findings' messages as its title. Overlapping findings split the text at
    every boundary, so marks never nest. ``anchors`` maps the index of each
    finding (in the order given) to the id of the mark where it starts;
    findings with an empty span (an image link) have no anchor."""
    spans = sorted((f.start, f.end, i) for i, f in enumerate(findings)
                   if 0 <= f.start < f.end <= len(text))
    if not spans:
        return Markup(escape(text)), {}
    cuts = sorted({0, len(text), *(s for s, _e, _i in spans), *(e for _s, e, _i in spans)})
    out = []
    anchors = {}
    active: list[tuple[int, int]] = []   # (end, index)
    nxt = 0
    for a, b in zip(cuts, cuts[1:]):
        active = [(e, i) for e, i in active if e > a]
        starting = []
        while nxt < len(spans) and spans[nxt][0] == a:
            _s, e, i = spans[nxt]
            active.append((e, i))
            starting.append(i)
            nxt += 1
        piece = escape(text[a:b])
        if not active:
            out.append(piece)
            continue
        members = sorted(i for _e, i in active)
        severity = "block" if any(findings[i].severity == "block" for i in members) else "warn"
        messages = []
        for i in members:
            if findings[i].message not in messages:
                messages.append(findings[i].message)
        mark_id = f"{id_prefix}-{a}"
        for i in starting:
            anchors[i] = mark_id
        out.append(Markup('<mark class="check-{}" id="{}" title="{}" data-findings="{}">{}</mark>').format(
            severity, mark_id, "\n".join(messages), " ".join(map(str, members)), piece))
    return Markup("").join(out), anchors
