"""Drafting items: create, edit (every save a revision), attachments and images
with captions, revision history (R-20, R-22, R-23, R-25)."""
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user, login_required

from .. import audit
from ..columntypes import get_type
from ..extensions import db
from ..org.permissions import can_draft, can_edit_item, can_view_item
from ..signals import item_edited
from ..sites.models import Column, Site
from ..ui import id_arg
from . import bodyimages, storage
from .forms import CaptionForm, NewItemForm, UploadForm, make_item_form
from .models import DRAFT, EDITABLE, RETURNED, STATUS_LABELS, Attachment, Item, Revision
from .service import create_item, fill_form, record_revision, submission_errors, update_item

bp = Blueprint("items", __name__, url_prefix="/items")


def _item_or_404(item_id):
    item = db.session.get(Item, item_id)
    if item is None:
        abort(404)
    if not can_view_item(current_user, item):
        abort(403)
    return item


def draftable_columns(user):
    """The live columns `user` may draft into (can_draft: a drafting role in the
    column's unit, or a grant), in one query whatever the number of columns."""
    from sqlalchemy.orm import contains_eager

    from ..org import roles
    from ..sites.models import ColumnGrant
    if not user.is_authenticated:
        return []
    units = sorted({m.unit_id for m in user.memberships if m.role in roles.DRAFTING_ROLES})
    # by unit or by grant: a union of two index lookups (an OR of the two would scan every column)
    mine = db.union(db.select(Column.id).filter(Column.unit_id.in_(units)),
                    db.select(ColumnGrant.column_id).filter(ColumnGrant.user_id == user.id,
                                                            ColumnGrant.permission == ColumnGrant.DRAFT))
    cols = db.session.execute(
        db.select(Column).join(Column.site).options(contains_eager(Column.site))
        .filter(Column.id.in_(mine), Column.archived.is_(False), Site.active.is_(True))
        .order_by(Column.site_id, Column.sort_order, Column.id)).scalars()
    return [c for c in cols if get_type(c.type).has_items]


@bp.route("/")
@login_required
def index():
    status = request.args.get("status") or ""
    stmt = db.select(Item).filter(Item.author_id == current_user.id).order_by(Item.updated_at.desc())
    if status in STATUS_LABELS:
        stmt = stmt.filter(Item.status == status)
    items = db.session.execute(stmt.limit(200)).scalars().all()
    return render_template("items/index.html", items=items, status=status, statuses=STATUS_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    column_id = id_arg("column")
    if not column_id:
        form = NewItemForm(meta={"csrf": False}, formdata=None)
        cols = draftable_columns(current_user)
        if not cols:
            flash("您还没有可以报送信息的栏目，请联系网站管理员授权。", "warning")
        return render_template("items/choose_column.html", columns=cols, form=form)
    column = db.session.get(Column, column_id)
    if column is None:
        abort(404)
    if not can_draft(current_user, column):
        abort(403, "您没有向该栏目报送信息的权限。")
    ctype = get_type(column.type)
    form = make_item_form(ctype)
    if request.method == "GET":
        form.source.data = column.unit.name
    if form.validate_on_submit():
        item = create_item(column, current_user, form)
        db.session.commit()
        flash("草稿已保存。可以继续上传附件和图片。", "success")
        return redirect(url_for("items.edit", item_id=item.id))
    elif request.method == "POST":
        flash("保存失败，请按提示修改后重新保存（已填写的内容已保留）。", "danger")
    return render_template("items/edit.html", form=form, column=column, item=None, ctype=ctype)


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id):
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        if item.status not in EDITABLE:
            abort(403, f"该信息当前状态为“{item.status_label}”，不能修改。")
        abort(403)
    ctype = get_type(item.type)
    form = make_item_form(ctype, obj=item)
    if request.method == "GET":
        fill_form(form, item, ctype)
        form.body.data = bodyimages.for_editing(item.body, item)
    if form.validate_on_submit():
        rev = update_item(item, current_user, form)
        db.session.commit()
        flash("已保存为新版本。" if rev else "内容没有变化。", "success" if rev else "info")
        return redirect(url_for("items.edit", item_id=item.id))
    elif request.method == "POST":
        flash("保存失败，请按提示修改后重新保存（已填写的内容已保留）。", "danger")
    return render_template("items/edit.html", form=form, column=item.column, item=item, ctype=ctype,
                           upload_form=UploadForm(), caption_form=CaptionForm(),
                           missing=submission_errors(item))


@bp.route("/<int:item_id>")
@login_required
def view(item_id):
    item = _item_or_404(item_id)
    return render_template("items/view.html", item=item, ctype=get_type(item.type),
                           can_edit=can_edit_item(current_user, item), missing=submission_errors(item))


@bp.route("/<int:item_id>/revisions/<int:number>")
@login_required
def revision(item_id, number):
    item = _item_or_404(item_id)
    rev = db.session.execute(db.select(Revision).filter_by(item_id=item.id, number=number)).scalar()
    if rev is None:
        abort(404)
    return render_template("items/revision.html", item=item, rev=rev, data=rev.data)


@bp.route("/<int:item_id>/attachments", methods=["POST"])
@login_required
def upload(item_id):
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        abort(403)
    form = UploadForm()
    if not form.validate_on_submit() or not form.file.data or not form.file.data.filename:
        flash("请选择要上传的文件。", "danger")
        return redirect(url_for("items.edit", item_id=item.id))
    try:
        fields = storage.store(form.file.data)
    except storage.UploadRefused as exc:
        flash(f"上传失败：{exc}", "danger")
        return redirect(url_for("items.edit", item_id=item.id))
    caption = (form.caption.data or "").strip()
    if fields["is_image"] and not caption:
        flash("上传图片须填写图片说明。", "danger")
        return redirect(url_for("items.edit", item_id=item.id))
    att = Attachment(item_id=item.id, caption=caption, uploaded_by_id=current_user.id, **fields)
    db.session.add(att)
    db.session.flush()
    db.session.refresh(item)
    record_revision(item, current_user, f"上传{'图片' if att.is_image else '附件'}：{att.filename}")
    audit.record("attachment_added", item, detail={"filename": att.filename, "sha256": att.sha256})
    item_edited.send(current_app._get_current_object(), item=item, user=current_user)
    db.session.commit()
    flash(f"已上传“{att.filename}”。", "success")
    return redirect(url_for("items.edit", item_id=item.id))


@bp.route("/<int:item_id>/attachments/image", methods=["POST"])
@login_required
def upload_image(item_id):
    """The editor's image upload (JSON): the image becomes an attachment of the
    item with its caption (required, 002 篇二), checked like every upload
    (R-53), and the editor places it in the body."""
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        return jsonify(ok=False, error=f"该信息当前状态为“{item.status_label}”，不能修改。"), 403
    upload = request.files.get("file")
    caption = (request.form.get("caption") or "").strip()
    if upload is None or not upload.filename:
        return jsonify(ok=False, error="请选择要插入的图片。"), 400
    if not caption:
        return jsonify(ok=False, error="请填写图片说明：每张图片都须附文字说明。"), 400
    if len(caption) > 300:
        return jsonify(ok=False, error="图片说明不能超过300字。"), 400
    try:
        fields = storage.store(upload)
    except storage.UploadRefused as exc:
        return jsonify(ok=False, error=f"上传失败：{exc}"), 400
    if not fields["is_image"]:
        return jsonify(ok=False, error="只能在正文中插入图片（JPG、PNG、GIF、WebP）；其他文件请在“附件与图片”中上传。"), 400
    att = Attachment(item_id=item.id, caption=caption, uploaded_by_id=current_user.id, **fields)
    db.session.add(att)
    db.session.flush()
    db.session.refresh(item)
    record_revision(item, current_user, f"插入图片：{att.filename}")
    audit.record("attachment_added", item, detail={"filename": att.filename, "sha256": att.sha256,
                                                   "caption": caption, "via": "editor"})
    item_edited.send(current_app._get_current_object(), item=item, user=current_user)
    db.session.commit()
    return jsonify(ok=True, id=att.id, url=bodyimages.intranet_url(item, att.id), caption=caption,
                   filename=att.filename, revision_no=item.revision_no)


@bp.app_template_global("item_body")
def item_body(item, body=None, public=False, link_token=None):
    """The body of an item (or of one of its revisions: ``body``) for a page,
    with the editor's images and their captions (bodyimages.render); with
    ``link_token`` the images come through that e-mail decision link."""
    image_url = None
    if link_token:
        def image_url(it, attachment_id):
            return url_for("review.link_file", token=link_token, attachment_id=attachment_id)
    return bodyimages.render(item.body if body is None else body, item, public=public, image_url=image_url)[0]


@bp.app_template_global("body_image_ids")
def body_image_ids(item, body=None):
    """Attachments shown in the body (pages leave them out of their image list)."""
    return bodyimages.render(item.body if body is None else body, item)[1]


def _attachment_or_404(item, attachment_id):
    att = db.session.get(Attachment, attachment_id)
    if att is None or att.item_id != item.id:
        abort(404)
    return att


@bp.route("/<int:item_id>/attachments/<int:attachment_id>/caption", methods=["POST"])
@login_required
def caption(item_id, attachment_id):
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        abort(403)
    att = _attachment_or_404(item, attachment_id)
    form = CaptionForm()
    if form.validate_on_submit():
        att.caption = form.caption.data.strip()
        record_revision(item, current_user, f"修改图片说明：{att.filename}")
        item_edited.send(current_app._get_current_object(), item=item, user=current_user)
        audit.record("caption_changed", item, detail={"filename": att.filename, "caption": att.caption})
        db.session.commit()
        flash("图片说明已保存。", "success")
    else:
        flash("请填写图片说明。", "danger")
    return redirect(url_for("items.edit", item_id=item.id))


@bp.route("/<int:item_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(item_id, attachment_id):
    item = _item_or_404(item_id)
    if not can_edit_item(current_user, item):
        abort(403)
    att = _attachment_or_404(item, attachment_id)
    name = att.filename
    db.session.delete(att)
    db.session.flush()
    db.session.refresh(item)
    record_revision(item, current_user, f"删除附件：{name}")
    audit.record("attachment_removed", item, detail={"filename": name})
    item_edited.send(current_app._get_current_object(), item=item, user=current_user)
    db.session.commit()
    flash(f"已删除“{name}”。", "success")
    return redirect(url_for("items.edit", item_id=item.id))


@bp.route("/<int:item_id>/attachments/<int:attachment_id>")
@login_required
def download(item_id, attachment_id):
    item = _item_or_404(item_id)
    att = _attachment_or_404(item, attachment_id)
    path = storage.path_of(att)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype=att.mime, as_attachment=not att.is_image, download_name=att.filename)


@bp.route("/<int:item_id>/delete", methods=["POST"])
@login_required
def delete(item_id):
    item = _item_or_404(item_id)
    if item.status not in (DRAFT, RETURNED) or item.author_id != current_user.id:
        abort(403, "只有作者可以删除尚未提交的草稿。")
    if item.first_published_at is not None:
        abort(403, "发布过的信息须永久归档，不能删除。")
    audit.record("item_deleted", item, detail={"title": item.title})
    db.session.delete(item)
    db.session.commit()
    flash("草稿已删除。", "success")
    return redirect(url_for("items.index"))
