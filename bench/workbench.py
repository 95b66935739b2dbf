"""The officer's 待办 home, the navigation's unread count and a big call's application list at national
scale, against a floor measured in the same run.

    .venv/bin/python bench/workbench.py [--scale 1000000] [--seconds 3] [--database-url URL]

Builds a migrated database (SQLite in a temporary folder by default) with ``--scale`` applications and as
many notices (bulk inserts, not factories):
- organizations: one for every five applications, a few hundred still waiting for verification;
- calls: one a year for ten years; the current one holds a fifth of the applications (200,000 at full
  scale) and is being screened (a few hundred still to screen), the nine earlier ones are screened,
  reviewed and their results published; 3 % of each call's applications are drafts, 2 % withdrawn, 1 %
  returned, of the rest 85 % passed screening;
- notices: spread over one user for every twenty; the signed-in member has 200, 30 of them unread, the
  officer ten years of daily digests (3,650, 20 unread); two review rounds open past their deadline.
Then drives the WSGI app in-process (no network, one thread, signed in by posting the login form once per
client) and prints requests per second for each page next to the floor: a bare Flask route rendering a
20-row table from memory with the same base template. The ratio floor/page is the figure to watch; no
timing is asserted anywhere. On PostgreSQL the database must exist and be empty; it is VACUUM ANALYZEd
after loading (autovacuum may be off on the server; without statistics the plans are not the real ones).
"""
import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask import render_template_string  # noqa: E402

from grantportal import create_app  # noqa: E402
from grantportal.core.db import db, utcnow  # noqa: E402
from grantportal.core.uscc import make_uscc  # noqa: E402

BATCH = 5000
YEARS = 10
FLOOR_TEMPLATE = """{% extends "base.html" %}{% block content %}<div class="table-wrap"><table class="stack">
<thead><tr><th>申报编号</th><th>项目名称</th><th>申报机构</th><th>状态</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.number }}</td><td>{{ r.title }}</td><td>{{ r.org }}</td><td>{{ r.status }}</td></tr>
{% endfor %}</tbody></table></div>{% endblock %}"""


def insert(table, rows):
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


def build_orgs(n_orgs, n_pending, now):
    from grantportal.orgs.models import Organization

    rows = [{"uscc": make_uscc("2", "442000", 500_000 + i), "name": f"中山市测试社会工作服务中心{i:07d}",
             "kind": "social_service", "registration_authority": "中山市民政局",
             "registered_on": (now - timedelta(days=400 + i % 3000)).date(), "legal_rep": "张嘉慧琳",
             "contact_name": "李思远航", "contact_phone": "13800000000", "address": "广东省中山市石岐街道孙文中路1号",
             "charter_scope": "社会服务", "service_fields": "养老服务",
             "status": "pending" if i >= n_orgs - n_pending else "verified", "created_at": now}
            for i in range(n_orgs)]
    insert(Organization.__table__, rows)
    return db.session.scalars(sa.select(Organization.id).where(Organization.status == "verified")
                              .order_by(Organization.id)).all()


def build_applications(calls, current, n_apps, org_ids, member_org_id, creator_id, pending, now, rnd):
    """``calls``: the earlier calls (screened, reviewed, results published); ``current``: the call being
    screened, with a fifth of the applications and ``pending`` of them still to screen."""
    from grantportal.applications.models import Application

    table = Application.__table__
    sizes = [n_apps // 5] + [(n_apps - n_apps // 5) // len(calls)] * len(calls)
    seq = 0
    for call, size in zip([current] + calls, sizes):
        earlier = call is not current
        to_screen = set(rnd.sample(range(size), min(pending, size))) if not earlier else set()
        rows = []
        for i in range(size):
            seq += 1
            roll = rnd.random()
            status = ("draft" if roll < 0.03 else "withdrawn" if roll < 0.05 else "returned" if roll < 0.06
                      else "submitted")
            screening = "pending"
            if status == "submitted" and i not in to_screen:
                screening = "passed" if rnd.random() < 0.85 else "failed"
            reviewed = earlier and screening == "passed"
            at = call.published_at + timedelta(minutes=i % 40000)
            rows.append({
                "number": None if status == "draft" else f"{call.code}-{call.year}-{i + 1:06d}",
                "call_id": call.id, "org_id": member_org_id if seq % 200_000 == 7 else rnd.choice(org_ids),
                "level": "city" if i % 3 else "town", "category": "养老服务",
                "title": f"长者幸福食堂与居家探访计划{seq}",
                "summary": "为社区独居、空巢长者提供助餐、探访和健康管理服务。", "need_analysis": "", "objectives": "",
                "activity_plan": "", "beneficiaries": "", "area_served": "中山市石岐街道", "team": "",
                "total_budget": Decimal("80000.00"), "requested_amount": Decimal("40000.00"),
                "matched_amount": Decimal("40000.00"), "status": status, "screening": screening,
                "screening_override": False, "screened_at": None if screening == "pending" else at,
                "submitted_at": None if status == "draft" else at,
                "review_started_at": at + timedelta(days=30) if reviewed else None,
                "results_published_at": at + timedelta(days=60) if reviewed else None,
                "created_by_id": creator_id, "created_at": at, "updated_at": at, "version": 1,
            })
            if len(rows) == BATCH:
                insert(table, rows)
                rows = []
        insert(table, rows)


def build_notices(n_notices, user_ids, member_id, officer_id, now):
    from grantportal.core.notices import Notice

    table = Notice.__table__
    own = [(member_id, 200, 30), (officer_id, 3650, 20)]
    rest = n_notices - sum(n for _u, n, _r in own)
    rows = []
    for user_id, n, unread in own:
        for i in range(n):
            at = now - timedelta(days=n - i)
            rows.append({"user_id": user_id, "title": "资金已拨付", "body": "", "link": None, "created_at": at,
                         "read_at": None if i >= n - unread else at + timedelta(hours=2)})
    insert(table, rows)
    rows = []
    for i in range(rest):
        at = now - timedelta(minutes=rest - i)
        rows.append({"user_id": user_ids[i % len(user_ids)], "title": "申报已受理", "body": "", "link": None,
                     "created_at": at, "read_at": None if i % 50 == 0 else at + timedelta(hours=5)})
        if len(rows) == BATCH:
            insert(table, rows)
            rows = []
    insert(table, rows)


def build(app, scale):
    from flask_migrate import upgrade

    from grantportal.accounts.models import User
    from grantportal.calls.models import CallStatus
    from tests.factories import CallFactory, ReviewRoundFactory, UserFactory, hashed_password, member_of

    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        rnd = random.Random(7)
        now = utcnow()
        officer = UserFactory(officer=True, username="bench-officer")
        member = member_of(username="bench-member")
        calls = []
        for k in range(YEARS - 1):
            ago = 365 * (YEARS - 1 - k) + 100
            call = CallFactory(created_by=officer, status=CallStatus.CLOSED, year=2016 + k,
                               published_at=now - timedelta(days=ago),
                               setup__stages={"open_days": -ago, "close_days": -ago + 30})
            calls.append(call)
        current = CallFactory(created_by=officer, year=2026, setup__stages={"open_days": -40, "close_days": -5},
                              published_at=now - timedelta(days=40))
        for call in calls[-2:]:
            ReviewRoundFactory(call=call, opens_at=now - timedelta(days=20), closes_at=now - timedelta(days=2))
        n_orgs = max(scale // 5, 100)
        org_ids = build_orgs(n_orgs, max(10, min(300, scale // 3000)), now)
        build_applications(calls, current, scale, org_ids, member.org.id, officer.id,
                           max(10, min(400, scale // 2500)), now, rnd)
        users = [{"username": f"bench-user{i:07d}", "name": "王晓梦然", "email": None, "phone": None,
                  "role": "org_member", "password_hash": hashed_password(), "is_active": True, "created_at": now}
                 for i in range(max(scale // 20, 10))]
        insert(User.__table__, users)
        user_ids = db.session.scalars(sa.select(User.id).where(User.username.like("bench-user%"))).all()
        build_notices(scale, user_ids, member.id, officer.id, now)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum would, after a load
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(f"built {scale:,} applications in {YEARS} calls ({scale // 5:,} in the current one), "
              f"{n_orgs:,} organizations, {scale:,} notices over {len(user_ids):,} users "
              f"in {time.perf_counter() - t0:.1f} s")
        return current.id, calls[-1].id


def rate(client, path, seconds):
    client.get(path)  # warm up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        count += 1
    return count / (time.perf_counter() - start)


def signed_in(app, username):
    from tests.factories import PASSWORD

    client = app.test_client()
    resp = client.post("/login", data={"username": username, "password": PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1_000_000, help="applications, and as many notices")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": str(tmp / "files"), "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                      "TOTP_REQUIRED_ROLES": (), "SESSION_COOKIE_SECURE": False})

    @app.route("/_floor")
    def floor():
        rows = [{"number": f"BA100-2026-{i:06d}", "title": f"长者幸福食堂与居家探访计划{i}",
                 "org": f"中山市测试社会工作服务中心{i:07d}", "status": "资格审查通过"} for i in range(20)]
        return render_template_string(FLOOR_TEMPLATE, rows=rows)

    current_id, earlier_id = build(app, args.scale)
    officer, member = signed_in(app, "bench-officer"), signed_in(app, "bench-member")
    per_page = app.config["PAGE_SIZE"]
    deep = max(1, min(10_000, args.scale // 5 // per_page // 2))
    pages = [
        ("officer", officer, "/manage/"),
        ("officer", officer, "/manage/calls/"),
        ("officer", officer, f"/manage/calls/{current_id}/applications"),
        ("officer", officer, f"/manage/calls/{current_id}/applications?page={deep}"),
        ("officer", officer, f"/manage/calls/{current_id}/applications?status=submitted&screening=pending"),
        ("officer", officer, f"/manage/calls/{earlier_id}/applications"),
        ("member", member, "/inbox"),
        ("member", member, "/applications/"),
    ]
    floor_rate = rate(app.test_client(), "/_floor", args.seconds)
    print(f"{'page':<76} {'req/s':>8} {'floor/page':>10}")
    print(f"{'floor: bare Flask, 20-row table':<76} {floor_rate:8.0f} {'1.00':>10}")
    for who, client, path in pages:
        r = rate(client, path, args.seconds)
        print(f"{who + ' ' + path:<76} {r:8.1f} {floor_rate / r:10.2f}")
    print(f"database: {sa.engine.make_url(url).get_backend_name()}, applications: {args.scale:,}, "
          f"notices: {args.scale:,}")


if __name__ == "__main__":
    main()
