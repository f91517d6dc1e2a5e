"""The built-in demo (R-14): the column table of regulation 000 附件1
(Hangzhou community youth clubs), the unit tree it implies, and one demo user
for every role."""
from ..org import roles
from ..sites import update_rules as r

DEMO_PASSWORD = "Lanmu@2026"

# (code, name, kind, parent code)
UNITS = [
    ("hz-office", "杭州市推进社区青少年俱乐部工作领导小组办公室", "city", None),
    ("hz-secrecy", "市领导小组办公室保密工作组", "department", "hz-office"),
    ("sc-office", "上城区推进社区青少年俱乐部工作领导小组办公室", "district", "hz-office"),
    ("xh-office", "西湖区推进社区青少年俱乐部工作领导小组办公室", "district", "hz-office"),
    ("gs-office", "拱墅区推进社区青少年俱乐部工作领导小组办公室", "district", "hz-office"),
    ("sc-hubin", "上城区湖滨街道湖滨社区青少年俱乐部", "community", "sc-office"),
    ("sc-qingbo", "上城区清波街道清波社区青少年俱乐部", "community", "sc-office"),
    ("xh-cuiyuan", "西湖区翠苑街道翠苑一区社区青少年俱乐部", "community", "xh-office"),
    ("gs-daguan", "拱墅区大关街道大关西苑社区青少年俱乐部", "community", "gs-office"),
]

# (username, name, [(unit code, role)])
USERS = [
    ("admin", "系统管理员", [("hz-office", roles.SYSADMIN)]),
    ("webmaster", "王网管", [("hz-office", roles.WEBMASTER)]),
    ("siteadmin", "赵专管", [("hz-office", roles.SITE_ADMIN)]),
    ("officer", "李信息", [("hz-office", roles.OFFICER)]),
    ("liaison", "陈联络", [("hz-office", roles.LIAISON)]),
    ("proof1", "周校对", [("hz-office", roles.PROOFREADER)]),
    ("proof2", "吴校对", [("hz-office", roles.PROOFREADER)]),
    ("head", "郑科长", [("hz-office", roles.DEPT_HEAD)]),
    ("secrecy", "孙保密", [("hz-office", roles.SECRECY_REVIEWER)]),
    ("leader", "钱分管", [("hz-office", roles.LEADER)]),
    ("principal", "冯主任", [("hz-office", roles.PRINCIPAL)]),
    ("sc_officer", "林信息（上城）", [("sc-office", roles.OFFICER)]),
    ("sc_proof", "何校对（上城）", [("sc-office", roles.PROOFREADER)]),
    ("sc_head", "高科长（上城）", [("sc-office", roles.DEPT_HEAD)]),
    ("sc_secrecy", "罗保密（上城）", [("sc-office", roles.SECRECY_REVIEWER)]),
    ("sc_leader", "梁分管（上城）", [("sc-office", roles.LEADER)]),
    ("xh_officer", "宋信息（西湖）", [("xh-office", roles.OFFICER)]),
    ("hubin_officer", "唐信息（湖滨社区）", [("sc-hubin", roles.OFFICER)]),
]

SITE = {"code": "youth", "name": "杭州市社区青少年俱乐部", "unit": "hz-office",
        "description": "杭州市社区青少年俱乐部网站（演示站点，栏目依据《网站管理及信息发布管理制度》附件1）"}

CITY = "hz-office"
DISTRICT = "sc-office"  # a district office stands for 区推进俱乐部工作领导小组办公室
SUMMER = "07-01"  # 每年暑假前

# (slug, name, parent slug, wanted type, fallback type, content, rule, responsible unit,
#  extra drafting units, staleness class)
COLUMNS = [
    ("about", "项目介绍", None, "page", "page", "俱乐部项目介绍", (r.YEARLY, None, ""), CITY, [], "personnel"),
    ("intro", "俱乐部简介", "about", "page", "page", "社区青少年俱乐部建设背景及已有成效的简介。",
     (r.YEARLY, None, ""), CITY, [], "personnel"),
    ("organisation", "组织机构", "about", "page", "page", "杭州市社区青少年俱乐部的组织机构图。",
     (r.TIMELY, None, ""), CITY, [], "personnel"),
    ("clubs", "俱乐部分布", "about", "article", "article",
     "分15个区县市展示俱乐部的基本信息（每个俱乐部有300字以内的简介，注明俱乐部活动室地址、联系电话、辅导员姓名）",
     (r.YEARLY, None, ""), DISTRICT, ["xh-office", "gs-office", "sc-hubin", "sc-qingbo", "xh-cuiyuan", "gs-daguan"],
     "personnel"),
    ("join", "如何加入", "about", "page", "page", "告知社区申请建立青少年俱乐部的流程，附有相关的表格下载",
     (r.TIMELY, None, ""), CITY, [], "notice"),
    ("notices", "通知公告", None, "notice", "article",
     "适宜对外公开的相关规定、办法及通知文件，包括培训、活动、会议等通知发布，各类评优公示，假期服务输送菜单发布等。",
     (r.TIMELY, None, ""), CITY, [], "notice"),
    ("documents", "规范性文件", "notices", "document", "article",
     "市、区推进工作领导小组及办公室拟定的规范性文件，应在印发后2个工作日内上网发布（制度第六条）。",
     (r.TIMELY, None, ""), CITY, ["sc-office", "xh-office", "gs-office"], "notice"),
    ("news", "最新动态", None, "article", "article", "俱乐部建设最新动态", (r.TIMELY, None, ""), CITY, [], "news"),
    ("progress", "建设进程", "news", "article", "article", "市、区召开俱乐部推进工作相关会议、领导实地调研、各类评优等工作。",
     (r.TIMELY, None, ""), CITY, ["sc-office", "xh-office", "gs-office"], "news"),
    ("activities", "俱乐部活动", "news", "article", "article", "各社区青少年俱乐部开展活动及相关建设工作。",
     (r.TIMELY, None, ""), DISTRICT, ["xh-office", "gs-office", "sc-hubin", "sc-qingbo", "xh-cuiyuan", "gs-daguan"],
     "news"),
    ("outlook", "八面来风", "news", "article", "article", "发布市、区相关部门组织的青少年校外活动预告及活动信息。",
     (r.TIMELY, None, ""), CITY, ["sc-office", "xh-office", "gs-office"], "news"),
    ("media", "媒体报道", "news", "article", "article", "电视、网站、报纸、广播等媒体对社区青少年俱乐部建设工作的相关报道。",
     (r.TIMELY, None, ""), CITY, ["sc-office", "xh-office", "gs-office"], "news"),
    ("photos", "图片新闻", "news", "gallery", "article", "俱乐部活动的图片新闻，每张图片须附文字说明。",
     (r.PER_WEEK, 1, ""), DISTRICT, ["xh-office", "gs-office", "sc-hubin", "sc-qingbo", "xh-cuiyuan", "gs-daguan"],
     "news"),
    ("videos", "活动视频", "news", "video", "article", "俱乐部重要会议、活动的相关视频。", (r.TIMELY, None, ""), CITY, [],
     "news"),
    ("history", "历史足迹", None, "article", "article", "自2009年起逐年罗列俱乐部建设工作大事记。", (r.YEARLY, None, ""),
     CITY, [], "personnel"),
    ("pioneers", "少先队风采", None, "article", "article", "社区少先队建设相关信息及优秀社区少先队辅导员、优秀社区少先队风采展示。",
     (r.TIMELY, None, ""), CITY, ["sc-office", "xh-office", "gs-office"], "news"),
    ("downloads", "相关下载", None, "download", "article",
     "各类红头文件，活动输送预约、暑期快乐活动券、成长大讲堂门票领取的表格（《青少年假日活动输送预约单》、《暑期快乐活动券领取单》、《成长大讲堂团体预约单》）。",
     (r.TIMELY, None, ""), CITY, [], "notice"),
    ("delivery", "活动输送预约", None, "article", "article", "暑期各企事业单位假日活动进社区菜单及《青少年假日活动输送预约单》。",
     (r.YEARLY_BEFORE, None, SUMMER), CITY, [], "notice"),
    ("lecture-tickets", "成长大讲堂门票领取", None, "article", "article", "成长大讲堂活动预告及《成长大讲堂团体预约单》。",
     (r.TIMELY, None, ""), CITY, [], "notice"),
    ("summer-vouchers", "暑期快乐活动券领取", None, "article", "article", "暑期快乐活动券领取通知及《暑期快乐活动券领取单》。",
     (r.YEARLY_BEFORE, None, SUMMER), CITY, [], "notice"),
    ("consult", "在线咨询", None, "mailbox", "page",
     "公众咨询俱乐部建设、活动报名等事项；自收到之日起5个工作日内答复，不属于本单位的3个工作日内转交。",
     (r.TIMELY, None, ""), CITY, [], "none"),
    ("faq", "常见问题", "consult", "article", "article", "由在线咨询中的常见问题整理而成。", (r.TIMELY, None, ""), CITY, [],
     "none"),
    ("links", "友情链接", None, "links", "page",
     "链接杭州青少年活动中心、社区青少年俱乐部、成长大讲堂、杭州市中学生社会实践、杭州青少年游学空间的微博。",
     (r.TIMELY, None, ""), CITY, [], "none"),
    ("contact", "联系我们", None, "page", "page", "市推进社区青少年俱乐部工作领导小组办公室地址、电话、传真。",
     (r.TIMELY, None, ""), CITY, [], "none"),
]

# A few published items so the public site is not empty at first start:
# (column slug, title, body, days ago)
SAMPLE_ITEMS = [
    ("progress", "全市社区青少年俱乐部建设推进会召开",
     "<p>近日，全市社区青少年俱乐部建设推进会在杭州青少年活动中心召开，各区、县（市）领导小组办公室负责人参加会议。"
     "会议总结了上半年俱乐部建设工作，部署了下一阶段重点任务。</p>", 3),
    ("activities", "湖滨社区青少年俱乐部开展暑期科普活动",
     "<p>湖滨社区青少年俱乐部组织辖区30余名青少年走进科技馆，开展“探索科学奥秘”暑期科普活动，"
     "孩子们在动手实验中感受科学的魅力。</p>", 5),
    ("intro", "俱乐部简介",
     "<p>杭州市社区青少年俱乐部建设自2009年启动，依托社区活动场所，为青少年提供课余活动、"
     "假期服务和成长指导，目前已覆盖全市各区、县（市）。</p>", 40),
    ("contact", "联系我们", "<p>地址：杭州市上城区某路1号 杭州青少年活动中心<br>电话：0571-00000000<br>传真：0571-00000001</p>", 60),
]


class Days:
    """A date relative to the day the demo is loaded (today + n days)."""
    def __init__(self, n):
        self.n = n


def _form(headers):
    return {"kind": "xlsx", "headers": headers}


def _image(rgb):
    return {"kind": "png", "rgb": rgb}


# Items with their type's own fields, files and images (one or more per type).
# Link addresses use the reserved .example domain: replace them with the real
# sites; the demo never makes the link check reach out to the internet.
# "at" is days ago, or a fixed datetime string for items that must sit on real
# dates (the documents, whose R-60 deadline depends on the 2026 calendar).
# Files: (file name, description or caption, spec).
TYPED_ITEMS = [
    {"column": "notices", "title": "关于开展2026年“快乐暑假”社区青少年俱乐部系列活动的通知", "at": 140,
     "body": "<p>各区推进社区青少年俱乐部工作领导小组办公室：为丰富青少年暑期生活，定于7月至8月在全市社区青少年俱乐部开展"
             "“快乐暑假”系列活动。请各区于6月25日前报送活动计划，活动期间做好安全保障工作。</p>",
     "extra": {"valid_from": Days(-140), "valid_until": Days(-80)}},
    {"column": "notices", "title": "2026年度优秀社区青少年俱乐部评选结果公示", "at": 3,
     "body": "<p>经各区推荐、市领导小组办公室评审，拟评定湖滨社区青少年俱乐部等10家俱乐部为2026年度优秀社区青少年俱乐部。"
             "公示期7天，如有异议，请在公示期内向市领导小组办公室反映。联系电话：0571-00000000。</p>",
     "extra": {"valid_from": Days(-3), "valid_until": Days(4)}},
    {"column": "notices", "title": "关于做好成长大讲堂门票领取工作的通知", "at": 10,
     "body": "<p>本期成长大讲堂将于下月举行，各社区青少年俱乐部可凭《成长大讲堂团体预约单》到杭州青少年活动中心领取门票。</p>",
     "extra": {}},
    {"column": "documents", "title": "关于印发《杭州市社区青少年俱乐部管理办法》的通知", "at": "2026-09-30 10:00",
     "body": "<p>各区推进社区青少年俱乐部工作领导小组办公室：现将《杭州市社区青少年俱乐部管理办法》印发给你们，请认真贯彻执行。</p>"
             "<p>一、俱乐部的设立。社区青少年俱乐部依托社区活动场所设立，须有固定的活动场地和专兼职辅导员。</p>"
             "<p>二、俱乐部的管理。俱乐部实行区、社区分级管理，活动信息按规定报送和发布。</p>",
     "extra": {"doc_number": "杭青俱办〔2026〕3号", "issuing_unit": "杭州市推进社区青少年俱乐部工作领导小组办公室",
               "issue_date": "2026-09-29", "red_header_title": "杭州市推进社区青少年俱乐部工作领导小组办公室文件"}},
    {"column": "documents", "title": "关于做好2026年冬季社区青少年俱乐部安全工作的通知", "at": "2026-11-04 09:00",
     "body": "<p>各区推进社区青少年俱乐部工作领导小组办公室：冬季来临，为确保俱乐部活动安全，现就有关工作通知如下："
             "一是开展一次安全隐患排查；二是落实活动安全责任人；三是做好冬季防火、防滑工作。</p>",
     "extra": {"doc_number": "杭青俱办〔2026〕5号", "issuing_unit": "杭州市推进社区青少年俱乐部工作领导小组办公室",
               "issue_date": "2026-10-30", "red_header_title": "杭州市推进社区青少年俱乐部工作领导小组办公室文件"}},
    {"column": "downloads", "title": "青少年假日活动输送预约单", "at": 30, "body": "",
     "extra": {"description": "各社区青少年俱乐部预约企事业单位假日活动进社区时填写，填好后报所在区领导小组办公室。"},
     "files": [("青少年假日活动输送预约单.xlsx", "预约单（Excel）",
                _form(["预约社区", "联系人", "联系电话", "活动名称", "预约日期", "参加人数", "备注"]))]},
    {"column": "downloads", "title": "暑期快乐活动券领取单", "at": 30, "body": "",
     "extra": {"description": "各社区领取暑期快乐活动券时填写，凭此单到区领导小组办公室领取。"},
     "files": [("暑期快乐活动券领取单.xlsx", "领取单（Excel）",
                _form(["领取社区", "领取人", "联系电话", "领取数量", "领取日期", "签字"]))]},
    {"column": "downloads", "title": "成长大讲堂团体预约单", "at": 30, "body": "",
     "extra": {"description": "学校、社区组织青少年集体参加成长大讲堂时填写，凭此单领取门票。"},
     "files": [("成长大讲堂团体预约单.xlsx", "团体预约单（Excel）",
                _form(["学校/社区", "带队老师", "联系电话", "讲座场次", "人数", "备注"]))]},
    {"column": "videos", "title": "全市社区青少年俱乐部建设推进会", "at": 3, "body": "",
     "extra": {"video_url": "https://video.example.gov.cn/youth/2026-tuijinhui.mp4",
               "video_caption": "全市社区青少年俱乐部建设推进会在杭州青少年活动中心召开，会议总结上半年工作并部署下一阶段任务。",
               "duration": "06:12"},
     "images": [("推进会封面.png", "推进会会场", _image((40, 90, 160)))]},
    {"column": "photos", "title": "湖滨社区青少年俱乐部暑期科普活动剪影", "at": 5, "source": "上城区湖滨街道湖滨社区青少年俱乐部",
     "body": "<p>湖滨社区青少年俱乐部组织辖区青少年走进科技馆，开展暑期科普活动。</p>",
     "images": [("科普活动1.png", "孩子们在科技馆体验静电实验", _image((200, 120, 40))),
                ("科普活动2.png", "辅导员为孩子们讲解天文知识", _image((60, 150, 90)))]},
    {"column": "links", "title": "杭州青少年活动中心", "at": 60, "body": "",
     "extra": {"url": "https://www.hzqsn.example/", "link_description": "杭州青少年活动中心官方网站"}},
    {"column": "links", "title": "成长大讲堂", "at": 60, "body": "",
     "extra": {"url": "https://czdjt.example/", "link_description": "成长大讲堂活动预告与报名"}},
    {"column": "links", "title": "杭州市中学生社会实践", "at": 60, "body": "",
     "extra": {"url": "https://shsj.example/", "link_description": "杭州市中学生社会实践活动平台"}},
    {"column": "links", "title": "杭州青少年游学空间（微博）", "at": 60, "body": "",
     "extra": {"url": "https://weibo.example/hzyouthtravel", "link_description": "杭州青少年游学空间官方微博"}},
    {"column": "faq", "title": "社区青少年俱乐部向谁申请建立？", "at": 45,
     "body": "<p><strong>问：</strong>社区想建立青少年俱乐部，向谁申请？</p><p><strong>答：</strong>向所在区推进社区青少年俱乐部工作领导小组办公室申请，"
             "申请表可在“相关下载”栏目下载。</p>"},
]
