"""Public pages at scale, against a floor measured in the same run.

    .venv/bin/python bench/public_pages.py [--orgs 100000] [--seconds 3] [--database-url URL]

On PostgreSQL the database must exist and be empty; it is VACUUM ANALYZEd after the load (SQLite: ANALYZE).
The organizations are indexed for the public lists and the search by the platform's own ``search.rebuild``.

Builds a migrated database (SQLite in a temporary folder by default) with N verified organizations,
rating records and calls, then drives the WSGI app in-process (no network, one thread) and prints
requests per second for each page next to the floor: a bare Flask route rendering a comparable
50-row table from memory with the same base template. The ratio floor/page is the figure to watch;
no timing is asserted anywhere.
"""
import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask import render_template_string  # noqa: E402

from grantportal import create_app  # noqa: E402
from grantportal.core.db import db, utcnow  # noqa: E402
from grantportal.core.districts import ZHONGSHAN  # noqa: E402
from grantportal.core.uscc import make_uscc  # noqa: E402

FLOOR_TEMPLATE = """{% extends "base.html" %}{% block content %}<div class="table-wrap"><table class="stack">
<thead><tr><th>名称</th><th>代码</th><th>类别</th><th>等级</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.name }}</td><td>{{ r.uscc }}</td><td>{{ r.kind }}</td><td>{{ r.grade }}</td></tr>
{% endfor %}</tbody></table></div>{% endblock %}"""


DISTRICTS = ["石岐", "东区", "西区", "南区", "五桂山", "火炬", "民众", "黄圃", "南头", "东凤", "阜沙", "小榄", "东升",
             "古镇", "横栏", "三角", "南朗", "港口", "大涌", "沙溪", "三乡", "板芙", "神湾", "坦洲"]
BRANDS = "明德仁爱博雅康宁和乐善美青禾同心启航晨曦阳光彩虹春晖暖阳益友星火恒信共享众力知行"
WORDS = ["长者关爱", "养老服务", "助残", "社区发展", "青少年成长", "家庭服务", "志愿者", "妇女儿童", "心理健康",
         "禁毒", "环保", "社会工作", "文化艺术", "乡村振兴", "慈善", "应急救援", "残疾人康复", "邻里互助"]
SUFFIXES = ["协会", "促进会", "服务中心", "社会工作服务中心", "服务社", "发展中心"]
FIELDS = ["养老服务", "助残服务", "社区治理", "青少年服务", "妇女儿童", "扶贫济困", "文化体育", "环境保护", "医疗卫生",
          "教育培训"]


def org_name(rnd):
    brand = rnd.choice(BRANDS) + rnd.choice(BRANDS)
    return f"中山市{rnd.choice(DISTRICTS)}{brand}{rnd.choice(WORDS)}{rnd.choice(SUFFIXES)}"


def build(app, n):
    from flask_migrate import upgrade

    from grantportal.calls.models import CallStatus
    from grantportal.core import search
    from grantportal.orgs.models import Organization, RatingRecord
    from tests.factories import CallFactory, UserFactory

    with app.app_context():
        upgrade()
        rnd = random.Random(7)
        kinds = ["social_service", "social_group", "foundation"]
        code = {"social_group": "1", "social_service": "2", "foundation": "3"}
        t0 = time.perf_counter()
        batch = []
        now = utcnow()
        org_table = Organization.__table__
        for i in range(n):
            kind = kinds[i % 3]
            batch.append({
                "uscc": make_uscc(code[kind], "442000", i), "name": org_name(rnd), "kind": kind,
                "registration_authority": "中山市民政局", "registered_on": date(2015, 1, 1) + timedelta(days=i % 3000),
                "legal_rep": "张三", "contact_name": "李四", "contact_phone": "13800000000",
                "address": "广东省中山市石岐街道孙文中路1号", "charter_scope": "社会服务",
                "service_fields": ",".join(rnd.sample(FIELDS, rnd.choice((1, 2)))), "district": rnd.choice(ZHONGSHAN),
                "status": "verified", "created_at": now,
            })
            if len(batch) == 5000:
                db.session.execute(sa.insert(org_table), batch)
                batch = []
        if batch:
            db.session.execute(sa.insert(org_table), batch)
        grades = ["5A", "4A", "3A", "2A", "1A"]
        ids = db.session.scalars(sa.select(Organization.id)).all()
        rows = [{"org_id": oid, "grade": rnd.choice(grades), "announced_on": date(2024, 6, 1),
                 "valid_from": date(2025, 1, 1), "valid_until": date(2029, 12, 31), "created_at": now}
                for oid in ids if rnd.random() < 0.5]
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(RatingRecord.__table__), rows[start:start + 5000])
        db.session.commit()
        t1 = time.perf_counter()
        written = search.rebuild(["org"])
        print(f"public index: {written['org']:,} organizations in {time.perf_counter() - t1:.1f} s")
        officer = UserFactory(officer=True)
        for i in range(60):
            CallFactory(created_by=officer, status=CallStatus.PUBLISHED if i % 6 else CallStatus.CLOSED)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum would, after a load
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(f"built {n:,} organizations, {len(rows):,} rating records, 60 calls "
              f"in {time.perf_counter() - t0:.1f} s")


def rate(client, path, seconds):
    client.get(path)  # warm up
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.status_code)
        count += 1
    return count / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database an earlier run built (same --database-url), without building")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": str(tmp / "files"), "RATELIMIT_ENABLED": False})

    @app.route("/_floor")
    def floor():
        rows = [{"name": f"中山市测试社会组织{i:07d}", "uscc": "53100000500019795A", "kind": "社会服务机构",
                 "grade": "4A"} for i in range(50)]
        return render_template_string(FLOOR_TEMPLATE, rows=rows)

    if not args.reuse:
        build(app, args.orgs)
    client = app.test_client()
    pages = [p for p in os.environ.get("BENCH_PAGES", "").split(",") if p] or [
        "/", "/calls/", "/orgs/", "/orgs/?page=100", "/orgs/?q=养老", "/orgs/?q=小榄明德",
        f"/orgs/?q={make_uscc('2', '442000', 123)[:16]}",
        "/orgs/?tier=4A", "/orgs/?tier=4A&sort=newest", "/orgs/?kind=foundation&q=助残", "/orgs/?district=小榄镇",
        "/orgs/?district=小榄镇&tier=5A", "/orgs/1", "/search?q=养老", "/search?q=社区&kind=org&sort=name",
    ]
    floor_rate = rate(client, "/_floor", args.seconds)
    print(f"{'page':<40} {'req/s':>8} {'floor/page':>10}")
    print(f"{'floor: bare Flask, 50-row table':<40} {floor_rate:8.0f} {'1.00':>10}")
    for path in pages:
        r = rate(client, path, args.seconds)
        print(f"{path:<40} {r:8.0f} {floor_rate / r:10.2f}")
    print(f"database: {sa.engine.make_url(url).get_backend_name()}, organizations: {args.orgs:,}")


if __name__ == "__main__":
    main()
