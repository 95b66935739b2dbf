"""Generated permission matrix: every route in app.url_map × every role × own/other object."""
import importlib
import pkgutil
import secrets

import pytest

import tests.permissions as package
from grantportal.accounts.models import UserSession
from grantportal.core.db import db
from tests.render import queries_while_rendering


def _all_routes():
    rows = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("test_"):
            continue  # the tests, not the rows
        module = importlib.import_module(f"tests.permissions.{info.name}")
        rows.extend(getattr(module, "ROUTES", []))
    return rows


ROWS = _all_routes()


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method


def test_every_route_has_a_row(app):
    covered = {(r.endpoint, r.method) for r in ROWS}
    missing = sorted(set(_rules(app)) - covered)
    assert not missing, f"routes without a permission row in tests/permissions/: {missing}"


def sign_in(client, user):
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=token, user_id=user.id))
    db.session.commit()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True


def _url(app, row, world):
    values = row.params(world) if row.params else {}
    with app.test_request_context():
        from flask import url_for

        return url_for(row.endpoint, **values)


def check(resp, outcome):
    location = resp.headers.get("Location", "")
    if resp.status_code != outcome.status:
        return False
    if outcome.to:
        return outcome.to in location
    return not (outcome.allowed and "/login" in location)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_permission_row(app, client, world, row):
    """Every role gets exactly the expected status — and every page it gets is rendered without a query
    from its template (the view passes in what the page shows)."""
    url = _url(app, row, world)
    data = row.data(world) if row.data else {}
    failures, rendering_queries = [], []
    for role in row.roles:
        client.delete_cookie("gp_session")
        if role != "anonymous":
            sign_in(client, world.users[role])
        with queries_while_rendering(app) as seen:
            resp = client.open(url, method=row.method, data=data)
        resp.close()
        if not check(resp, row.expect[role]):
            failures.append(f"{role}: expected {row.expect[role]}, got {resp.status_code} "
                            f"{resp.headers.get('Location', '')}")
        rendering_queries += [f"{role} {resp.status_code} {template}: {sql}" for template, sql in seen]
    assert not failures, f"{row.method} {url}: " + "; ".join(failures)
    assert not rendering_queries, f"[{row.id}] {url} queries while rendering: " + "; ".join(rendering_queries)


POSTS = [r for r in ROWS if r.method == "POST"]


@pytest.mark.parametrize("row", POSTS, ids=lambda r: r.id)
def test_every_form_needs_a_csrf_token(make_app, world, row):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    role = next((r for r in row.roles if row.expect[r].allowed), "anonymous")
    if role != "anonymous":
        sign_in(client, world.users[role])
    url = _url(app, row, world)
    resp = client.post(url, data=row.data(world) if row.data else {})
    assert resp.status_code == 400, f"POST {url} as {role} without a CSRF token gave {resp.status_code}"
    assert "安全校验码" in resp.get_data(as_text=True)


EXPERT_ROWS = [r for r in ROWS if r.expect["expert"].allowed and not r.published]


@pytest.mark.parametrize("row", EXPERT_ROWS, ids=lambda r: r.id)
def test_a_conflicted_expert_never_sees_the_application(app, client, world, row):
    """Generated from the matrix: on every route an expert may use, an expert with a conflict against
    every applicant sees no application's content, not even where it is assigned to them."""
    from grantportal.experts.conflicts import new_conflict
    from grantportal.experts.models import ConflictSource

    for org in (world.org_a, world.org_b):
        db.session.add(new_conflict(world.expert_profile, world.officer, "测试：全面回避", ConflictSource.OFFICER,
                                    org=org))
    db.session.commit()
    url = _url(app, row, world)
    sign_in(client, world.expert)
    resp = client.open(url, method=row.method, data=row.data(world) if row.data else {})
    body = resp.get_data()  # bytes: a download (a call's 申报指南) is no text
    resp.close()
    for application in (world.app_a, world.app_a_submitted, world.app_b, world.app_b_submitted):
        for text in (application.title, application.need_analysis, application.team):
            assert text.encode() not in body, f"{row.method} {url} shows {text!r} to a conflicted expert"
