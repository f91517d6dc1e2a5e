"""Real peers for tests: a fake WeCom server and an SMTP server, plus a clock.

Fixtures live next to their fakes (``wecom_server`` in
:mod:`tests.fakes.wecom_server`, ``smtp_server`` in
:mod:`tests.fakes.smtp_server`), not in a conftest: import the fixture into
the test module that uses it, e.g.
``from tests.fakes import wecom_server  # noqa: F401``.
"""

from tests.fakes.clock import FakeClock
from tests.fakes.smtp_server import FakeSMTP, ReceivedMail, smtp_server
from tests.fakes.wecom_server import Delivered, FakeWeCom, wecom_server

__all__ = ["Delivered", "FakeClock", "FakeSMTP", "FakeWeCom", "ReceivedMail", "smtp_server", "wecom_server"]
