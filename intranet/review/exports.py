"""Excel exports (openpyxl): approval forms (R-36) and the ledger (R-37)."""
from io import BytesIO

from ..items.models import IMPORTANCE_LABELS

FORM_HEADERS = ["发布编号", "信息标题", "网站", "栏目", "责任单位", "作者", "信息级别", "版本", "提交时间",
                "环节序号", "审核环节", "审核人", "审核意见", "意见内容", "审核时间", "方式", "发布时间", "发布人"]
LEDGER_HEADERS = ["时间", "操作", "信息标题", "网站", "栏目", "责任单位", "操作人", "版本", "说明", "首次发布时间",
                  "信息编号"]


def _fmt(dt):
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


def Workbook():  # noqa: N802 - openpyxl's, imported on the first export (web workers stay ~6 MB smaller)
    from openpyxl import Workbook as _Workbook
    return _Workbook()


def _finish(wb):
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    for ws in wb.worksheets:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for idx, col in enumerate(ws.columns, start=1):
            width = max((len(str(c.value or "")) for c in col), default=8)
            ws.column_dimensions[get_column_letter(idx)].width = min(60, max(8, width * 1.6))
            for c in col[1:]:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def form_rows(pub):
    """One row per step of the run that approved this publication."""
    run = pub.run
    steps = run.steps if run is not None else []
    base = [f"{pub.item_id}-{pub.number}", pub.title, pub.site.name, pub.column.name, pub.unit.name, pub.author.name,
            IMPORTANCE_LABELS.get(run.importance if run else "", ""), pub.revision_no,
            _fmt(run.submitted_at) if run else ""]
    tail = [_fmt(pub.published_at), pub.published_by.name if pub.published_by else "系统（定时发布）"]
    if not steps:
        return [base + ["", "", "", "", "", "", ""] + tail]
    return [base + [s.position, s.label, s.decided_by.name if s.decided_by else "", s.decision_label or s.status_label,
                    s.comment or "", _fmt(s.decided_at), {"web": "系统", "email": "邮件", "api": "接口"}.get(s.via or "", "")] + tail
            for s in steps]


def approval_forms_workbook(publications, secrecy_records):
    wb = Workbook()
    ws = wb.active
    ws.title = "信息发布审批表"
    ws.append(FORM_HEADERS)
    for pub in publications:
        for row in form_rows(pub):
            ws.append(row)
    ws2 = wb.create_sheet("保密审查记录")
    ws2.append(["信息编号", "信息标题", "版本", "保密审查员", "审查意见", "意见内容", "审查时间"])
    for r in secrecy_records:
        ws2.append([r.item_id, r.title, r.revision_no, r.reviewer.name, r.decision_label, r.comment or "",
                    _fmt(r.at)])
    return _finish(wb)


def ledger_row(e):
    return [_fmt(e.at), e.action_label, e.title, e.site.name, e.column.name, e.unit.name,
            e.user.name if e.user else "系统", e.revision_no, e.reason or "", _fmt(e.item.first_published_at), e.item_id]


def ledger_workbook(entries):
    wb = Workbook()
    ws = wb.active
    ws.title = "发布台账"
    ws.append(LEDGER_HEADERS)
    for e in entries:
        ws.append(ledger_row(e))
    return _finish(wb)
