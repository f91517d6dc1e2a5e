"""Video columns (活动视频 / 视频点播): a video by its address on the media
server or a video platform, with a required caption (说明) and optional cover
images (each captioned, 002 篇二). Default update rule: timely; staleness: news."""
from urllib.parse import urlsplit

from intranet.columntypes import ColumnType, ExtraField
from intranet.sites import update_rules

VIDEO_EXTENSIONS = (".mp4", ".webm", ".ogg", ".m4v")


def safe_http_url(url):
    """The URL if it is http(s), else None (no javascript: or data: links)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


class VideoType(ColumnType):
    id = "video"
    label = "视频"
    description = "会议、活动视频：视频地址、视频说明、封面图片"
    extra_fields = [
        ExtraField("video_url", "视频地址", "url", required=True, help="视频文件或视频平台播放页的地址（http/https）"),
        ExtraField("video_caption", "视频说明", "textarea", required=True, help="视频的内容、时间、地点和人物"),
        ExtraField("duration", "时长", help="例如 05:32"),
    ]
    required = ("title", "source")
    body_required = False
    default_rule = (update_rules.TIMELY, None, "")
    default_staleness = "news"
    list_template = "video/list.html"
    detail_template = "video/detail.html"

    def validate(self, item, attachments):
        errors = super().validate(item, attachments)
        url = item.extra.get("video_url")
        if url and not safe_http_url(url):
            errors.append("视频地址须以 http:// 或 https:// 开头")
        return errors

    def player(self, item):
        """('video', url) for a file the browser can play, ('link', url) otherwise, or (None, None)."""
        url = safe_http_url(item.extra.get("video_url"))
        if url is None:
            return None, None
        return ("video" if urlsplit(url).path.lower().endswith(VIDEO_EXTENSIONS) else "link"), url


def register(registry):
    registry.register(VideoType)
