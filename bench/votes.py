"""Votes per second through the real route (确认投票: POST /votes/<round>/projects/<project>) against a bare Flask POST
floor, in the same run (issue 13).

    .venv/bin/python bench/votes.py [--voters 1000] [--projects 10] [--database-url URL] [--redis URL]

Builds a migrated database (SQLite in a temporary folder by default) with a call, ``--projects`` screened projects
in an open vote (no daily limit in the way) and ``--voters`` citizens, each signed in with a session of their own.
Then drives the WSGI app in-process (no network, one thread): every citizen votes for every project once, from
addresses spread over /24 networks, with the rate limits on — in Redis with ``--redis`` (REDIS_URL by default, as
several workers would share them; limits high enough that none refuses) — and the anomaly rules running. The floor
is a bare Flask route that takes a form POST and redirects. Every vote must be stored; no timing is asserted.
"""
import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask import redirect, request  # noqa: E402

from grantportal import create_app  # noqa: E402
from grantportal.core.db import db  # noqa: E402

HIGH = "100000 per minute"


def build(app, n_voters, n_projects):
    from flask_migrate import upgrade

    from grantportal.accounts.models import UserSession
    from tests import factories as f
    from tests.votes.conftest import make_vote

    with app.app_context():
        upgrade()
        call = f.CallFactory()
        f.close_applications(call)
        projects = [f.screened_application(call, number=f"{call.code}-2026-{i:04d}").id for i in range(n_projects)]
        rnd, _ = make_vote(call, call.created_by, per_day=n_projects, per_voter=n_projects)
        tokens = []
        for _ in range(n_voters):
            token = secrets.token_urlsafe(32)
            db.session.add(UserSession(id=token, user_id=f.CitizenFactory().user_id))
            tokens.append(token)
        db.session.commit()
        return rnd.id, projects, tokens


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL"), help="rate-limit storage (memory without)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": str(tmp / "files"), "WTF_CSRF_ENABLED": False, "TOTP_REQUIRED_ROLES": (),
                      "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": True,
                      "RATELIMIT_STORAGE_URI": args.redis or "memory://", "RATELIMIT_VOTE_VOTER": HIGH,
                      "RATELIMIT_VOTE_ADDRESS": HIGH, "RATELIMIT_VOTE_NETWORK": HIGH, "VOTE_CHALLENGE_VOTES": 10**9})

    @app.route("/_floor", methods=["POST"])
    def floor():
        return redirect(f"/_floor/{request.form.get('answer', '')}", 303)

    round_id, projects, tokens = build(app, args.voters, args.projects)
    client = app.test_client()
    n = len(tokens) * len(projects)
    start = time.perf_counter()
    for _ in range(n):
        assert client.post("/_floor", data={"answer": ""}).status_code == 303
    floor_rate = n / (time.perf_counter() - start)

    start = time.perf_counter()
    for i, token in enumerate(tokens):
        with client.session_transaction() as sess:  # a voter's own browser (the receipt's flash not shown here)
            sess.clear()
            sess["_user_id"], sess["_fresh"] = token, True
        address = {"REMOTE_ADDR": f"10.{i // 250 % 250}.{i % 250}.{i % 7 + 1}"}
        for project in projects:
            resp = client.post(f"/votes/{round_id}/projects/{project}", environ_base=address)
            assert resp.status_code == 303, (resp.status_code, resp.get_data(as_text=True)[:300])
    vote_rate = n / (time.perf_counter() - start)
    with app.app_context():
        from grantportal.votes.models import Vote

        stored = db.session.scalar(sa.select(sa.func.count()).select_from(Vote))
    assert stored == n, (stored, n)
    print(f"{'route':<60} {'req/s':>8} {'floor/route':>11}")
    print(f"{'floor: bare Flask form POST and redirect':<60} {floor_rate:8.0f} {'1.00':>11}")
    print(f"{'POST /votes/<round>/projects/<project> (确认投票)':<56} {vote_rate:8.1f} {floor_rate / vote_rate:11.2f}")
    print(f"database: {sa.engine.make_url(url).get_backend_name()}, votes: {n:,} ({len(tokens):,} voters × "
          f"{len(projects)} projects), rate limits: {'redis' if args.redis else 'memory'}")


if __name__ == "__main__":
    main()
