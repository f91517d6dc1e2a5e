import pytest

from .helpers import UNITS


@pytest.fixture
def assess_app(make_app):
    """An app assessing three district offices, with the demo loaded."""
    from intranet.demo import load_demo
    app = make_app(LANMU_ASSESSMENT_UNITS=UNITS)
    with app.app_context():
        load_demo()
        yield app


@pytest.fixture
def aclient(assess_app):
    return assess_app.test_client()
