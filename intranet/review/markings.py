"""Classified markings in an item's title and attachment names (R-24).

A deliberately narrow test: the marking forms used on classified papers
(“秘密★1年”, “机密★”, “绝密”, “内部资料”, “注意保存”, “机要”) in the title or a
file name. The content-checks feature scans bodies with its own lexicon; this
is the last guard of the publish step and must not block ordinary text such
as “保守国家秘密”."""
import re

_MARK = re.compile(r"(绝密|机密|秘密)\s*[★☆]"
                   r"|[【\[（(]\s*(绝密|机密|秘密|内部|机要)\s*[】\]）)]"
                   r"|内部资料|注意保存|内部文件|机要文件")


def find(item):
    reasons = []
    if _MARK.search(item.title or ""):
        reasons.append(f"标题含有密级标志：{item.title}")
    for a in item.attachments:
        if _MARK.search(a.filename or ""):
            reasons.append(f"附件名称含有密级标志：{a.filename}")
    return reasons
