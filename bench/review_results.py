"""Results of a 10,000-application round with 7 submitted reviews each, against a floor measured in the
same run.

    .venv/bin/python bench/review_results.py [--apps 10000] [--experts 7] [--repeat 5] [--database-url URL]

Builds a migrated database (SQLite in a temporary folder by default) with one call, one round, N
applications, N × 7 assignments and submitted reviews (bulk inserts), then times:
- ``round_results(round)``: the one query (application_id, total) and the aggregation in Python;
- ``call_ranking(call)``: the same plus the applications' level and submission time, and the ranking;
- ``final_ranking(call)``: the same with the call's tier rules (bonus by grade, tier tie-break) and the
  matched-funds bonus, the applications spread over 2,000 organizations with rating records;
- ``generate(call)``: the award proposal — the final ranking, the budget walk and 10,000 award rows with
  their audit entries, flushed (rolled back after each run);
- the floor: the bare Python mean and trimmed mean over the same numbers already in memory (floats).
Prints the best of ``--repeat`` runs for each and the ratio to the floor; asserts nothing.
"""
import argparse
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from grantportal import create_app  # noqa: E402
from grantportal.core.db import db, utcnow  # noqa: E402


def build(app, n_apps, n_experts):
    from flask_migrate import upgrade

    from grantportal.applications.models import Application
    from grantportal.orgs.models import Grade
    from grantportal.review.models import Assignment, Review
    from tests.factories import (
        CallFactory,
        OrganizationFactory,
        RatingRecordFactory,
        ReviewRoundFactory,
        UserFactory,
    )

    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        officer = UserFactory(officer=True)
        call = CallFactory(created_by=officer)
        round_ = ReviewRoundFactory(call=call)
        orgs = [OrganizationFactory() for _ in range(2000)]
        grades = ["5A", "4A", "3A", "2A", "1A", None]
        for i, o in enumerate(orgs):
            if grades[i % 6]:
                RatingRecordFactory(org=o, grade=Grade(grades[i % 6]), announced_on=call.reference_date.replace(
                    year=call.reference_date.year - 2, month=6, day=1))
        call.tier_rules = {"bonus_by_grade": {"5A": "3", "4A": "2", "3A": "1"}, "tier_first_tiebreak": True,
                           "reserved_share_percent": "30", "cap_by_grade": {"1A": "30000"}}
        call.matched_bonus_per_wan, call.matched_bonus_cap = Decimal("1"), Decimal("5")
        experts = [UserFactory(expert=True) for _ in range(n_experts)]
        now = utcnow()
        rnd = random.Random(7)
        conn = db.session.connection()
        apps = [{"id": i + 1, "number": f"BENCH-{i + 1:06d}", "call_id": call.id, "org_id": orgs[i % 2000].id,
                 "level": "city" if i % 3 else "town", "title": f"测试项目{i}", "status": "submitted",
                 "screening": "passed", "created_by_id": officer.id, "created_at": now, "updated_at": now,
                 "submitted_at": now, "version": 1, "category": "", "summary": "", "need_analysis": "",
                 "objectives": "", "activity_plan": "", "beneficiaries": "", "area_served": "", "team": "",
                 "total_budget": Decimal("80000.00"), "requested_amount": Decimal(30000 + 1000 * (i % 50)),
                 "matched_amount": Decimal(50000 - 1000 * (i % 50)), "screening_override": False}
                for i in range(n_apps)]
        for start in range(0, n_apps, 5000):
            conn.execute(sa.insert(Application), apps[start:start + 5000])
        assignments, reviews = [], []
        aid = 0
        for app_row in apps:
            for e in experts:
                aid += 1
                assignments.append({"id": aid, "round_id": round_.id, "application_id": app_row["id"],
                                    "expert_id": e.id, "source": "draw", "active": True,
                                    "created_by_id": officer.id, "created_at": now})
                reviews.append({"id": aid, "assignment_id": aid, "status": "submitted",
                                "total": Decimal(rnd.randint(80, 190)) / 2, "comment": "", "submitted_at": now,
                                "updated_at": now, "version": 2})
        for start in range(0, len(assignments), 10000):
            conn.execute(sa.insert(Assignment), assignments[start:start + 10000])
            conn.execute(sa.insert(Review), reviews[start:start + 10000])
        db.session.commit()
        print(f"built {n_apps:,} applications × {n_experts} submitted reviews in {time.perf_counter() - t0:.1f} s")
        floats = {}
        for r in reviews:
            floats.setdefault(assignments[r["id"] - 1]["application_id"], []).append(float(r["total"]))
        return call.id, round_.id, floats


def _generate(call):
    """The award proposal for the call, flushed and then rolled back (so each run starts afresh)."""
    from grantportal.accounts.models import User
    from grantportal.awards.proposals.operations import generate

    officer = db.session.get(User, call.created_by_id)
    try:
        return generate(call, officer, utcnow())
    finally:
        db.session.rollback()


def floor(floats):
    """Bare Python over the numbers already in memory: mean and trimmed mean per application."""
    out = {}
    for app_id, xs in floats.items():
        s = sum(xs)
        out[app_id] = (s / len(xs), (s - max(xs) - min(xs)) / (len(xs) - 2))
    return out


def best(fn, repeat):
    import gc

    gc.collect()
    times = []
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--apps", type=int, default=10_000)
    parser.add_argument("--experts", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-review-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
                      "STORAGE_DIR": str(tmp / "files"), "RATELIMIT_ENABLED": False})
    call_id, round_id, floats = build(app, args.apps, args.experts)

    from grantportal.awards.proposals.ranking import final_ranking
    from grantportal.calls.models import Call
    from grantportal.review.models import ReviewRound
    from grantportal.review.results.aggregate import call_ranking, round_results

    with app.app_context():
        round_ = db.session.get(ReviewRound, round_id)
        call = db.session.get(Call, call_id)
        _ = round_.aggregation, [r.weight_percent for r in call.review_rounds]
        t_floor, _ = best(lambda: floor(floats), args.repeat)
        t_round, res = best(lambda: round_results(round_), args.repeat)
        t_rank, (by_level, _) = best(lambda: call_ranking(call), args.repeat)
        t_final, _ = best(lambda: final_ranking(call), args.repeat)
        t_generate, _ = best(lambda: _generate(call), max(1, args.repeat // 2))
    db_kind = url.split(":", 1)[0]
    print(f"database: {db_kind}; {len(res):,} applications, {sum(r.n for r in res.values()):,} scores")
    print(f"floor  (bare Python mean + trimmed mean, in memory): {t_floor * 1000:8.1f} ms")
    print(f"round_results(round)  (1 query + Decimal stats):     {t_round * 1000:8.1f} ms  "
          f"= {t_round / t_floor:5.1f} × floor")
    print(f"call_ranking(call)    (+ levels, final, tie-break):  {t_rank * 1000:8.1f} ms  "
          f"= {t_rank / t_floor:5.1f} × floor")
    print(f"final_ranking(call)   (+ tier rules, bonuses):       {t_final * 1000:8.1f} ms  "
          f"= {t_final / t_floor:5.1f} × floor")
    print(f"generate(call)        (+ budget walk, award rows):   {t_generate * 1000:8.1f} ms  "
          f"= {t_generate / t_floor:5.1f} × floor")
    print(f"ranked per level: {', '.join(f'{lv.label} {len(v):,}' for lv, v in by_level.items())}")


if __name__ == "__main__":
    main()
