"""Images placed in an item's body by the editor (R-20: each with a caption).

An image inserted in the editor is one of the item's attachments. The body
stores it by its *public* address (``/s/<site>/i/<item>/files/<attachment>``),
so the published page needs no rewriting and never shows the back-office
prefix (R-05). Before publication that address does not answer, so the
intranet pages and the editor show the same image through the intranet's
download address; saving turns those back into the public form.

- ``to_storage(body, item)``: editor/intranet addresses -> public addresses
  (called when a body is saved).
- ``for_editing(body, item)``: public addresses -> intranet addresses (what the
  editor's textarea holds).
- ``render(body, item, public=False, image_url=None)``: the body as Markup for a page, with
  each image's caption (the attachment's, the one source of truth) shown under
  it; returns (markup, ids of the attachments shown in the body) so a page can
  leave those out of its list of images.
Only attachments of the item itself are rewritten; everything else is kept.
"""
import re

from flask import current_app, url_for
from markupsafe import Markup, escape

_IMG = re.compile(r"<img\b[^>]*>", re.I)
_SRC = re.compile(r"""\ssrc\s*=\s*(["'])(.*?)\1""", re.I | re.S)
_ALT = re.compile(r"""\salt\s*=\s*(["']).*?\1""", re.I | re.S)


def _prefix():
    return current_app.config["LANMU_ADMIN_PREFIX"].rstrip("/")


def _intranet_pattern(item_id):
    # absolute (http://host/intranet/...) or relative, as the editor gives it back
    return re.compile(r"(?:https?://[^/\"'\s]+)?" + re.escape(_prefix()) +
                      rf"/items/{int(item_id)}/attachments/(\d+)(?![\d/])")


def _public_pattern(item_id):
    return re.compile(r"(?:https?://[^/\"'\s]+)?/s/[A-Za-z0-9_.-]+" + rf"/i/{int(item_id)}/files/(\d+)(?![\d/])")


def _image_ids(item):
    return {a.id for a in item.attachments if a.is_image}


def public_url(item, attachment_id):
    return url_for("public.attachment", code=item.column.site.code, item_id=item.id, attachment_id=attachment_id)


def intranet_url(item, attachment_id):
    return url_for("items.download", item_id=item.id, attachment_id=attachment_id)


def _rewrite(body, item, pattern, make):
    if not body or item is None or item.id is None:
        return body or ""
    ids = _image_ids(item)
    if not ids:
        return body

    def one_img(m):
        def one_url(u):
            aid = int(u.group(1))
            return make(item, aid) if aid in ids else u.group(0)
        return pattern.sub(one_url, m.group(0))
    return _IMG.sub(one_img, body)


def to_storage(body, item):
    if item is None or item.id is None:
        return body or ""
    return _rewrite(body, item, _intranet_pattern(item.id), public_url)


def for_editing(body, item):
    if item is None or item.id is None:
        return body or ""
    return _rewrite(body, item, _public_pattern(item.id), intranet_url)


def render(body, item, public=False, image_url=None):
    """(Markup, set of attachment ids shown in the body). ``image_url(item,
    attachment_id)`` overrides where the images are loaded from (the e-mail
    decision page serves them through its link)."""
    body = body or ""
    if item is None or item.id is None or not body:
        return Markup(body), set()
    images = {a.id: a for a in item.attachments if a.is_image}
    if not images:
        return Markup(body), set()
    pat_public, pat_intranet = _public_pattern(item.id), _intranet_pattern(item.id)
    shown = set()

    def one_img(m):
        tag = m.group(0)
        src = _SRC.search(tag)
        if not src:
            return tag
        url = src.group(2)
        hit = pat_public.fullmatch(url) or pat_intranet.fullmatch(url)
        if not hit or int(hit.group(1)) not in images:
            return tag
        att = images[int(hit.group(1))]
        shown.add(att.id)
        make = image_url or (public_url if public else intranet_url)
        new_url = make(item, att.id)
        tag = tag[:src.start(2)] + str(escape(new_url)) + tag[src.end(2):]
        caption = att.caption or ""
        alt = f' alt="{escape(caption)}"'
        tag = _ALT.sub(alt, tag, count=1) if _ALT.search(tag) else tag[:4] + alt + tag[4:]
        if not caption:
            return tag
        return (f'<span class="body-figure">{tag}'
                f'<span class="body-caption">{escape(caption)}</span></span>')
    return Markup(_IMG.sub(one_img, body)), shown
