"""Excel exports (openpyxl): the month's results, the yearly summary, per-person
statistics and the reports. Each sheet holds the same numbers as the page;
figures without data ("无数据") are written as that text."""
from io import BytesIO

from .models import FIELD_LABELS
from .cycle import results

NO_DATA = "无数据"
PRIZE_LABELS = {1: "一等奖", 2: "二等奖", 3: "三等奖"}
HEADER_FILL_COLOR = "DDEBF7"


def Workbook():  # noqa: N802 - openpyxl's, imported on the first export (web workers stay ~6 MB smaller)
    from openpyxl import Workbook as _Workbook
    return _Workbook()


def _v(value):
    return NO_DATA if value is None else value


def _sheet(wb, title, heading, header, rows, first=False):
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL_COLOR)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r in rows:
        ws.append([_v(x) for x in r])
    for i, h in enumerate(header, 1):
        width = max([len(str(h))] + [len(str(_v(r[i - 1]))) for r in rows] + [4])
        ws.column_dimensions[get_column_letter(i)].width = min(50, width * 2 + 2)
    ws.freeze_panes = "A3"
    return ws


def _save(wb):
    buf = BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


MONTH_HEADER = ["名次", "单位", "明确分管领导", "建立责任制", "及时解决问题", "专人负责", "领导重视小计",
                "更新频率", "发布条数", "发布量得分", "总分", "自评总分", "调整说明"]


def month_rows(month_row):
    out = []
    for rank, s in results(month_row):
        notes = "；".join(f"{FIELD_LABELS.get(a.field, a.field)}：{a.reason}" for a in s.adjustments)
        out.append([rank, s.unit.name, s.leader_named, s.responsibility, s.problem_solving, s.dedicated_officer,
                    s.leadership, s.frequency, s.items, s.volume, s.total,
                    s.self_total if s.self_total is not None else "未自评", notes])
    return out


def month_workbook(month_row):
    wb = Workbook()
    _sheet(wb, "考核结果", f"{month_row.label}网站信息更新考核结果（{month_row.status_label}）", MONTH_HEADER,
           month_rows(month_row), first=True)
    return _save(wb)


YEAR_HEADER = ["名次", "单位", "年度总分", "考核月数", "月均得分", "更新频率得分", "发布条数", "奖项", "是否不及格"] + \
              [f"{m}月" for m in range(1, 13)]


def year_rows(summary):
    out = []
    for r in summary["rows"]:
        out.append([r["rank"], r["unit"], r["total"], r["months"], r["average"], r["frequency"], r["items"],
                    PRIZE_LABELS.get(r["prize"], ""), "不及格" if r["failing"] else ""] +
                   [r["by_month"].get(m, "") for m in range(1, 13)])
    return out


def year_workbook(summary):
    wb = Workbook()
    _sheet(wb, "年度汇总", f"{summary['year']}年度网站信息更新考核汇总", YEAR_HEADER, year_rows(summary), first=True)
    _sheet(wb, "限期整改", f"考核不及格单位（月均低于{summary['fail_below']}分）", ["单位", "月均得分", "年度总分"],
           [[r["unit"], r["average"], r["total"]] for r in summary["failing"]])
    return _save(wb)


PERSON_HEADER = ["姓名", "账号", "所在单位", "起草", "提交", "发布", "退回", "不予发布"]


def person_rows(stats, month=None):
    out = []
    for r in stats["rows"]:
        f = r["months"][month] if month else r["year"]
        out.append([r["name"], r["username"], r["units"], f["drafted"], f["submitted"], f["published"],
                    f["returned"], f["rejected"]])
    return out


def people_workbook(stats, replies=None):
    wb = Workbook()
    _sheet(wb, "全年", f"{stats['year']}年信息员报送统计", PERSON_HEADER, person_rows(stats), first=True)
    for m in range(1, 13):
        _sheet(wb, f"{m}月", f"{stats['year']}年{m}月信息员报送统计", PERSON_HEADER, person_rows(stats, m))
    _sheet(wb, "留言答复", f"{stats['year']}年各部门留言答复统计", REPLY_HEADER, reply_rows(replies))
    return _save(wb)


REPLY_HEADER = ["部门", "答复数", "按时", "超期", "按时率(%)", "平均答复工作日"]


def reply_rows(replies):
    if replies is None:
        return [[NO_DATA, None, None, None, None, None]]
    return [[r["unit"], r["answered"], r["on_time"], r["late"], r["on_time_rate"], r["average_workdays"]]
            for r in replies]


UNIT_HEADER = ["单位", "栏目数", "发布条数", "文件上网数", "按时上网率(%)", "答复留言数", "按时答复率(%)", "超期未更新天数"]
COLUMN_HEADER = ["网站", "栏目", "责任单位", "发布条数", "文件上网数", "按时上网率(%)", "答复留言数", "按时答复率(%)",
                 "超期未更新天数"]


def unit_rows(rep):
    return [[u["unit"], u["columns"], u["published"], u["doc_published"], u["doc_rate"], u["answered"],
             u["reply_rate"], u["stale_days"]] for u in rep["units"]]


def column_rows(rep):
    return [[c["site"], c["name"], c["unit"], c["published"], c["doc_published"], c["doc_rate"], c["answered"],
             c["reply_rate"], c["stale_days"] if c["stale_days"] is not None else "不适用"] for c in rep["columns"]]


def report_workbook(rep):
    wb = Workbook()
    _sheet(wb, "按单位", f"{rep['label']}信息发布与答复情况（按单位）", UNIT_HEADER, unit_rows(rep), first=True)
    _sheet(wb, "按栏目", f"{rep['label']}信息发布与答复情况（按栏目）", COLUMN_HEADER, column_rows(rep))
    _sheet(wb, "按月", f"{rep['label']}各单位按月发布数", ["单位"] + [f"{m}月" for m in rep["months"]],
           [[u["unit"]] + [u["by_month"].get(m, 0) for m in rep["months"]] for u in rep["units"]])
    return _save(wb)
