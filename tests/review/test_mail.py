"""R-35 mail delivery: a mail server that is down or hangs never blocks the
review (Flask-Mail gets an SMTP timeout), and the email page works with CSRF on."""
import socket
import threading
import time

from intranet.extensions import db
from intranet.review.models import ReviewStep

from ..conftest import text_of
from .conftest import as_user, create_item, open_step, submit


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_r35_mail_server_down_does_not_block_submission(make_app, tmp_path):
    app = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(),
                   LANMU_ARCHIVE_DIR=str(tmp_path / "a"))
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        officer = as_user(app, "officer")
        item_id = create_item(officer)
        resp = submit(officer, item_id)
        assert "已提交审核" in text_of(resp)
        assert open_step(item_id).position == 1  # the step waits on the dashboard all the same


def test_r35_hanging_mail_server_is_cut_off_by_the_timeout(make_app, tmp_path):
    """A server that accepts the connection and never answers: without a timeout smtplib waits for ever."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    held = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)  # say nothing, ever
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        app = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=listener.getsockname()[1],
                       MAIL_TIMEOUT=1, LANMU_ARCHIVE_DIR=str(tmp_path / "a"))
        with app.app_context():
            from intranet.demo import load_demo
            load_demo()
            officer = as_user(app, "officer")
            item_id = create_item(officer)
            result = {}
            worker = threading.Thread(target=lambda: result.setdefault("resp", submit(officer, item_id)))
            started = time.monotonic()
            worker.start()
            worker.join(8)  # without the timeout the request would still be waiting here
            assert not worker.is_alive(), "the submission hung on the silent mail server"
            assert time.monotonic() - started < 5
            assert "已提交审核" in text_of(result["resp"])
            assert held, "the mail server was never contacted"
    finally:
        stop.set()
        t.join(2)
        for conn in held:
            conn.close()
        listener.close()


def test_r35_email_page_decides_with_csrf_protection_on(make_app, mailbox, tmp_path):
    app = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port,
                   WTF_CSRF_ENABLED=True, LANMU_ARCHIVE_DIR=str(tmp_path / "a"))
    with app.app_context():
        from intranet.demo import load_demo
        load_demo()
        # Draft and submit with CSRF off for brevity: a second app on the same database.
    helper = make_app(MAIL_SUPPRESS_SEND=False, MAIL_SERVER="127.0.0.1", MAIL_PORT=mailbox.port,
                      LANMU_ARCHIVE_DIR=str(tmp_path / "a"))
    with helper.app_context():
        officer = as_user(helper, "officer")
        item_id = create_item(officer)
        submit(officer, item_id)
    url = mailbox.links("proof1")["approve"]
    anonymous = app.test_client()
    with app.app_context():
        assert anonymous.post(url, data={"comment": ""}).status_code == 400  # no token: refused
        page = anonymous.get(url).get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        resp = anonymous.post(url, data={"comment": "", "csrf_token": token})
        assert "审核意见已记录" in text_of(resp)
        db.session.expire_all()
        first = db.session.execute(db.select(ReviewStep).filter_by(item_id=item_id, position=1)).scalar_one()
        assert first.decided_by.username == "proof1" and first.via == "email"
