"""No queries while a template renders (issue 10): templates format what their view passed in.

Two guards. The template globals, filters and context processors are exactly the formatting ones that
``core/templating.py`` registers and the main menu of ``core/navigation.py`` (plus Flask's, Flask-WTF's and
Flask-Login's own), so no domain slips a query into a page through a global. And the pages that used to
query from their templates — the application's detail page, the organization lists and pages, the call's
public page — are rendered with every SQL statement counted between ``before_render_template`` and
``template_rendered``: none may run."""
from datetime import date, timedelta
from types import SimpleNamespace

import jinja2.defaults
import pytest
import sqlalchemy as sa
from flask import current_app, render_template_string

from grantportal.awards.proposals import operations as award_ops
from grantportal.awards.proposals import publicity
from grantportal.awards.proposals.queries import proposal_of
from grantportal.core import templating
from grantportal.core.db import db, utcnow
from grantportal.documents import operations as document_ops
from grantportal.funding.contracts.operations import issue_contract
from grantportal.orgs.models import Grade, Organization
from grantportal.review.models import ReviewRound
from tests import factories as f
from tests.permissions.world import built_once, restore_world
from tests.render import queries_while_rendering

FLASK_GLOBALS = {"url_for", "get_flashed_messages", "config", "request", "session", "g"}
CSRF_GLOBALS = {"csrf_token", "csrf_meta_tag"}
CONTEXT_PROCESSORS = [
    "flask.templating._default_template_ctx_processor",
    "flask_wtf.csrf.CSRFProtect.init_app.<locals>.<lambda>",  # csrf_token
    "flask_login.utils._user_context_processor",  # current_user
    "grantportal.core.templating.init_app.<locals>.site",  # site_name, bureau_name (configuration)
    "grantportal.core.navigation.init_app.<locals>.navigation",  # nav: the links the user's permissions allow
]


def _name(fn):
    return f"{fn.__module__}.{fn.__qualname__}"


def test_templates_get_only_the_formatting_filters_and_no_globals_of_ours(app):
    env = app.jinja_env
    assert set(env.globals) == set(jinja2.defaults.DEFAULT_NAMESPACE) | FLASK_GLOBALS | CSRF_GLOBALS
    ours = {name for name, fn in env.filters.items() if jinja2.defaults.DEFAULT_FILTERS.get(name) is not fn}
    assert ours == set(templating.FILTERS)
    for name, fn in templating.FILTERS.items():
        assert env.filters[name] is fn
        assert fn.__module__.startswith("grantportal.core."), f"filter {name} formats in core only"
    assert set(env.tests) == set(jinja2.defaults.DEFAULT_TESTS)


def test_no_blueprint_adds_a_context_processor(app):
    processors = app.template_context_processors
    assert [_name(p) for p in processors[None]] == CONTEXT_PROCESSORS
    for blueprint, added in processors.items():
        if blueprint is not None:
            assert [_name(p) for p in added] == ["flask.templating._default_template_ctx_processor"], blueprint


def test_the_counter_sees_a_lazy_load_in_a_template(app):
    """The guard below is not vacuous: a template that walks a relationship not loaded is caught."""
    org = f.OrganizationFactory()
    f.RatingRecordFactory(org=org)
    with app.test_request_context():
        db.session.expire_all()
        org = db.session.get(Organization, org.id)
        with queries_while_rendering(app) as seen:
            html = render_template_string("{% for r in org.ratings %}{{ r.grade.label }}{% endfor %}", org=org)
    assert html == "4A"
    assert len(seen) == 1 and "rating_record" in seen[0][1]


def _get(client, url, app):
    with queries_while_rendering(app) as seen:
        resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True), seen


def _final_with_everything():
    current_app.config.update(JOBS_SYNC=True, PUBLIC_BASE_URL="https://gp.example.cn")
    call, (award, _other) = f.final_awards()
    officer = call.created_by
    rnd = db.session.scalar(sa.select(ReviewRound).where(ReviewRound.call_id == call.id))
    rnd.results_published_at = utcnow() - timedelta(days=25)
    issue_contract(award, officer, date(2026, 7, 1))
    db.session.commit()
    document_ops.issue_document(award, document_ops.notice_kind(award), officer)
    db.session.commit()
    return SimpleNamespace(made=(call, award))


@pytest.fixture(scope="module")
def everything_snapshot(database, tmp_path_factory):
    return built_once(database, tmp_path_factory, _final_with_everything)


@pytest.fixture
def final_with_everything(app, everything_snapshot):
    """A final award with a contract and documents issued, in a call whose round results are published (built once
    per module, restored for this test): (call, award)."""
    app.config.update(JOBS_SYNC=True, PUBLIC_BASE_URL="https://gp.example.cn")
    call, award = restore_world(everything_snapshot).made
    return call, award


def test_the_application_page_asks_before_it_renders(client, auth, app, final_with_everything):
    call, award = final_with_everything
    member = f.member_of(award.application.org)
    auth.login(member)
    html, seen = _get(client, f"/applications/{award.application_id}", app)
    assert seen == []
    assert 'id="review-results"' in html and "专家一" in html  # the published round's results
    assert 'id="award"' in html and "最终评审结果" in html  # the award
    assert "下载 PDF" in html and "合同签署" in html  # its documents and contract
    auth.logout()
    auth.login(call.created_by)
    html, seen = _get(client, f"/applications/{award.application_id}", app)
    assert seen == [] and 'id="award"' in html


def test_an_application_before_results_renders_without_queries(client, auth, app):
    application = f.ApplicationFactory()
    auth.login(f.member_of(application.org))
    html, seen = _get(client, f"/applications/{application.id}", app)
    assert seen == []
    assert 'id="award"' not in html and 'id="review-results"' not in html


def test_the_call_page_asks_for_its_published_proposal(client, app, final_with_everything):
    call, _award = final_with_everything
    html, seen = _get(client, f"/calls/{call.id}", app)
    assert seen == []
    assert "评审结果公告（最终）" in html and "项目执行公开" in html
    other = f.CallFactory()
    html, seen = _get(client, f"/calls/{other.id}", app)
    assert seen == [] and "拟资助项目公示" not in html


def test_a_call_in_publicity_shows_the_publicity_link(client, app):
    call, _apps = f.ranked_call([dict(total=90)])
    now = utcnow()
    award_ops.generate(call, call.created_by, now - timedelta(days=2))
    f.confirm_calendar_around(now - timedelta(days=1))
    publicity.publish(proposal_of(call), call.created_by, now - timedelta(days=1), 5)
    db.session.commit()
    html, seen = _get(client, f"/calls/{call.id}", app)
    assert seen == [] and "拟资助项目公示" in html and "公示期至" in html


def _rated_orgs(n):
    orgs = []
    for i in range(n):
        org = f.OrganizationFactory()
        f.RatingRecordFactory(org=org, grade=[Grade.A3, Grade.A4, Grade.A5][i % 3])
        f.RatingRecordFactory(org=org, grade=Grade.A3, announced_on=date(2015, 6, 1))  # long expired
        f.AnnualInspectionFactory(org=org)
        orgs.append(org)
    return orgs


def test_the_organization_lists_render_without_queries(client, auth, app):
    _rated_orgs(5)
    html, seen = _get(client, "/orgs/", app)
    assert seen == [] and html.count('<span class="tier">') == 5
    auth.login(f.UserFactory(officer=True))
    html, seen = _get(client, "/manage/orgs/", app)
    assert seen == [] and html.count('<span class="tier">') == 5


def test_the_organization_pages_render_without_queries(client, auth, app):
    org = _rated_orgs(1)[0]
    f.SanctionFactory(org=org)
    member = f.member_of(org)
    auth.login(member)
    html, seen = _get(client, "/org/", app)
    assert seen == [] and "已过期" in html and "有效" in html
    auth.logout()
    auth.login(f.UserFactory(officer=True))
    html, seen = _get(client, f"/manage/orgs/{org.id}", app)
    assert seen == [] and "已过期" in html
    auth.logout()
    html, seen = _get(client, f"/orgs/{org.id}", app)
    assert seen == []
