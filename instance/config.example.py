# Copy to instance/config.py and adjust. Environment variables LANMU_* override these.
SECRET_KEY = "change-me-to-a-long-random-string"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://lanmu:secret@127.0.0.1:5432/lanmu"
# SESSION_COOKIE_SECURE = True          # behind HTTPS
# LANMU_ADMIN_PREFIX = "/manage-8f3a"   # R-05: do not advertise the back office
# MAIL_SERVER = "smtp.example.gov.cn"
# MAIL_PORT = 25
# MAIL_DEFAULT_SENDER = "网站信息发布系统 <noreply@example.gov.cn>"
