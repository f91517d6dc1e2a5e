"""Roles (R-02), held per unit. Codes are stable identifiers; labels are what
people see."""

OFFICER = "officer"
LIAISON = "liaison"
PROOFREADER = "proofreader"
DEPT_HEAD = "dept_head"
SECRECY_REVIEWER = "secrecy_reviewer"
LEADER = "leader"
PRINCIPAL = "principal"
WEBMASTER = "webmaster"
SITE_ADMIN = "site_admin"
SYSADMIN = "sysadmin"

LABELS = {
    OFFICER: "信息员",
    LIAISON: "信息联络员",
    PROOFREADER: "校对",
    DEPT_HEAD: "科室负责人",
    SECRECY_REVIEWER: "保密审查员",
    LEADER: "分管领导",
    PRINCIPAL: "主要领导",
    WEBMASTER: "网站管理员",
    SITE_ADMIN: "网站专管员",
    SYSADMIN: "系统管理员",
}

ALL = list(LABELS)

# Roles whose holders may draft into the columns their unit is responsible for,
# without an explicit per-column grant.
DRAFTING_ROLES = {OFFICER, LIAISON}
