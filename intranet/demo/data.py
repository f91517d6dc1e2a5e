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
