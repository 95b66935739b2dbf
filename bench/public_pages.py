"""Every public page at national scale, against a floor measured in the same run (issue 12).

    .venv/bin/python bench/public_pages.py [--orgs 1000000] [--apps 1000000] [--scores 5000000]
        [--contracts 100000] [--seconds 3] [--database-url URL] [--reuse] [--profile]

Builds a migrated database (SQLite in a temporary folder by default; on PostgreSQL the database must exist and
be empty) with bulk inserts, not factories:
- ``--orgs`` verified organizations (names "中山市+镇街+字号+领域+类别", 镇街, service fields), 60 % of them with a
  rating history of one to three records (earlier ones expired; half of all organizations have a grade in force);
- ten years of calls with final results, three a year (公益创投, 政府购买服务, 社区微创投), growing year by year, with
  ``--apps`` applications in all (varied titles, summaries, service fields, 镇街, amounts; from a third of the
  organizations, so each has several over the years); 3 % drafts, 2 % withdrawn, of the rest as many pass
  eligibility screening as ``--scores`` allows, the others fail it;
- one closed first round per call with a five-criterion rubric; per screened application one logged draw
  (12 candidates with their loads, 1–2 excluded, a seed; the panel is what the platform's ``pick`` gives),
  three assignments and three submitted reviews with a score per criterion: ``--scores`` expert scores in all
  (15 per reviewed application), from a pool of experts;
- the awards of each call from the platform's own ``final_ranking`` (rank, final score, bonus, grade) and a budget
  walk in rank order: ``--contracts`` selected projects in all, three reserves per level, the rest not selected;
  the proposal published and confirmed, with its two public revisions;
- for every selected project a contract in force (closed for past years, active for the current one), three
  tranches (50/30/20), their payments, a few recoveries, evaluations (中期评估, 结项验收), four reports, matched
  funds for 30 %, and two issued documents (the contract and the selection notice) for ``/verify``;
Then the platform's own ``search.rebuild`` indexes organizations, calls and projects; PostgreSQL is VACUUM
ANALYZEd (SQLite: ANALYZE).

Before measuring, the biggest call's public checks (复核 of its score table and draw record) are computed and kept as
the job does after publication, and the time each took is printed. Drives the WSGI app in-process (no network, one
thread) and prints requests per second for each page next to the floor — a bare Flask route rendering a comparable
50-row table from memory with the same base template — with the goal (lists, search and filters ≤ 2.0, detail pages
and the home page ≤ 1.5), twice: *rendered* — an app with the page store off (PAGE_CACHE_SECONDS=0), so each
request makes the page: the work when a page is first asked for after public data changed — and *kept* — the app as
deployed, where an anonymous visitor gets the page kept in the page store (core/pagecache.py; here in the process's
memory, in production in Redis) until public data changes. Downloads are streamed to the end: time per 10,000
records, and the peak memory the request allocated (tracemalloc, a second run). With ``--profile`` each page over
its goal (rendered) is then profiled once: SQL statements (count, time, rows, the plan of the slowest) and the
functions that took the time. ``BENCH_PAGES`` (labels or paths, separated by commas) measures only those pages and
downloads.
No timing is asserted anywhere.
"""
import argparse
import cProfile
import hashlib
import io
import os
import pstats
import random
import sys
import tempfile
import time
import tracemalloc
import unicodedata
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
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

BATCH = 5000
DISTRICTS = ["石岐", "东区", "西区", "南区", "五桂山", "火炬", "民众", "黄圃", "南头", "东凤", "阜沙", "小榄", "东升",
             "古镇", "横栏", "三角", "南朗", "港口", "大涌", "沙溪", "三乡", "板芙", "神湾", "坦洲"]
BRANDS = "明德仁爱博雅康宁和乐善美青禾同心启航晨曦阳光彩虹春晖暖阳益友星火恒信共享众力知行"
WORDS = ["长者关爱", "养老服务", "助残", "社区发展", "青少年成长", "家庭服务", "志愿者", "妇女儿童", "心理健康",
         "禁毒", "环保", "社会工作", "文化艺术", "乡村振兴", "慈善", "应急救援", "残疾人康复", "邻里互助"]
SUFFIXES = ["协会", "促进会", "服务中心", "社会工作服务中心", "服务社", "发展中心"]
FIELDS = ["养老服务", "助残服务", "社区治理", "青少年服务", "妇女儿童", "扶贫济困", "文化体育", "环境保护", "医疗卫生",
          "教育培训"]
# applications: topic per service field, a project name in quotes, a kind of project
TOPICS = {
    "养老服务": ["长者幸福食堂", "独居长者居家探访", "认知障碍长者照护", "银龄志愿互助", "长者智能手机课堂"],
    "助残服务": ["残障人士就业支持", "心智障碍青年融合", "特殊儿童康复训练", "无障碍出行陪伴", "残疾人家庭喘息服务"],
    "社区治理": ["社区议事厅", "楼道自治小组培育", "新市民融入", "社区规划师", "邻里守望互助网络"],
    "青少年服务": ["四点半课堂", "青少年网络素养", "困境儿童关爱", "青少年心理成长", "流动儿童阅读"],
    "妇女儿童": ["妇女创业赋能", "家庭教育指导", "反家暴支持", "单亲妈妈互助", "儿童友好社区"],
    "扶贫济困": ["困难家庭精准帮扶", "临时救助转介", "低保家庭就业", "失独家庭陪伴", "困境老人兜底关怀"],
    "文化体育": ["社区粤剧传承", "乡村文化振兴", "全民健身指导", "非遗手工作坊", "社区合唱团"],
    "环境保护": ["垃圾分类督导", "河涌守护", "环保酵素推广", "绿色社区营造", "旧物回收再生"],
    "医疗卫生": ["慢病管理", "心理疏导热线", "社区急救培训", "家庭医生随访协助", "安宁疗护陪伴"],
    "教育培训": ["社工人才培养", "志愿者能力建设", "社会组织孵化", "基层干部培训", "新就业群体技能提升"],
}
PROJECT_KINDS = ["计划", "项目", "行动", "服务项目", "试点项目", "赋能计划", "关爱行动"]
GROUPS = ["独居、空巢长者", "残障人士及其家庭", "社区居民", "困境儿童", "外来务工人员", "单亲家庭", "低收入家庭",
          "青少年", "新市民", "社区志愿者"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力志永健世广义兴良海山仁波宁贵福生龙"
# the calls of a year: name, code, kind, share of the year's applications
CALL_KINDS = [("公益创投活动", "GY", "venture", 0.6), ("政府购买社会组织服务项目", "GM", "purchase", 0.3),
              ("社区微创投", "WC", "venture", 0.1)]
YEARS = 10
PANEL = 3
RUBRIC = [("需求分析", 20), ("项目设计", 30), ("执行能力", 20), ("预算合理性", 15), ("社会效益", 15)]
SCORES_PER_APP = PANEL * len(RUBRIC)
RESERVES = 3
REVIEW_COMMENT = "项目需求分析清楚，服务设计可行，建议细化成效指标。"
CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
UPLOAD = b"%PDF-1.7\n% bench contract\n" + bytes(random.Random(12).getrandbits(8) for _ in range(200_000))
# tables given explicit ids by the bulk load (PostgreSQL: their sequences are moved past them afterwards), in
# the order of their foreign keys
ID_TABLES = ["application", "draw", "assignment", "review", "review_score", "award", "issued_document", "contract",
             "tranche", "payment", "recovery", "evaluation", "report", "matched_fund"]


def org_name(rnd):
    brand = rnd.choice(BRANDS) + rnd.choice(BRANDS)
    return f"中山市{rnd.choice(DISTRICTS)}{brand}{rnd.choice(WORDS)}{rnd.choice(SUFFIXES)}"


def person(rnd):
    return rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))


def insert(table, rows):
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(table), rows[start:start + BATCH])


class Rows:
    """Rows for one table, with ids handed out from ``first``; when ``BATCH`` are waiting, ``full()`` is called
    (which inserts every table's waiting rows, in the order of their foreign keys)."""

    def __init__(self, table, first, full):
        self.table, self.next_id, self.rows, self.full = table, first, [], full

    def add(self, **row):
        row["id"] = self.next_id
        self.next_id += 1
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.full()
        return row["id"]

    def flush(self):
        if self.rows:
            db.session.execute(sa.insert(self.table), self.rows)
            self.rows = []


def build_orgs(n, rnd, now):
    from grantportal.orgs.models import Organization, RatingRecord

    kinds = ["social_service", "social_group", "foundation"]
    code = {"social_group": "1", "social_service": "2", "foundation": "3"}
    batch = []
    for i in range(n):
        kind = kinds[i % 3]
        batch.append({
            "uscc": make_uscc(code[kind], "442000", i), "name": org_name(rnd), "kind": kind,
            "registration_authority": "中山市民政局", "registered_on": date(2012, 1, 1) + timedelta(days=i % 4000),
            "legal_rep": person(rnd), "contact_name": person(rnd), "contact_phone": f"138{rnd.randrange(10**8):08d}",
            "address": f"广东省中山市{rnd.choice(ZHONGSHAN)}{rnd.choice(BRANDS)}{rnd.choice(BRANDS)}路"
                       f"{rnd.randint(1, 300)}号",
            "charter_scope": "社会服务",
            "service_fields": ",".join(rnd.sample(FIELDS, rnd.choice((1, 2)))), "district": rnd.choice(ZHONGSHAN),
            "status": "verified", "created_at": now,
        })
        if len(batch) == BATCH:
            insert(Organization.__table__, batch)
            batch = []
    insert(Organization.__table__, batch)
    grades = ["5A", "4A", "3A", "2A", "1A"]
    periods = [(date(2024, 6, 1), date(2025, 1, 1), date(2029, 12, 31)),
               (date(2019, 6, 1), date(2020, 1, 1), date(2024, 12, 31)),
               (date(2014, 6, 1), date(2015, 1, 1), date(2019, 12, 31))]
    ids = db.session.scalars(sa.select(Organization.id).order_by(Organization.id)).all()
    rows = []
    for oid in ids:
        roll = rnd.random()
        if roll < 0.5:  # a grade in force, with 0–2 earlier ones
            history = periods[:rnd.choice((1, 1, 2, 2, 3))]
        elif roll < 0.6:  # earlier grades only, expired
            history = periods[1:rnd.choice((2, 3))]
        else:
            continue
        grade = rnd.randrange(5)
        for announced, start, until in history:
            rows.append({"org_id": oid, "grade": grades[grade], "announced_on": announced, "valid_from": start,
                         "valid_until": until, "created_at": now})
            grade = min(4, max(0, grade + rnd.choice((-1, 0, 1, 1))))  # earlier: often one grade lower
        if len(rows) >= BATCH:
            insert(RatingRecord.__table__, rows)
            rows = []
    insert(RatingRecord.__table__, rows)
    return ids


def app_text(rnd, district):
    field = rnd.choice(FIELDS)
    topic = rnd.choice(TOPICS[field])
    brand = rnd.choice(BRANDS) + rnd.choice(BRANDS)
    place = district.replace("街道", "").replace("镇", "")[:5]
    title = f"{place}“{brand}”{topic}{rnd.choice(PROJECT_KINDS)}"
    group, count = rnd.choice(GROUPS), rnd.choice((60, 80, 100, 120, 150, 200, 300, 500, 800, 1000))
    summary = (f"面向{district}{group}，开展{topic}服务，计划服务{count}人，"
               f"通过{rnd.choice(('个案辅导', '小组活动', '社区活动', '志愿服务', '资源链接'))}和"
               f"{rnd.choice(('定期探访', '能力培训', '互助网络', '专业评估', '政策宣传'))}，"
               f"{rnd.choice(('提升服务对象生活质量', '增强社区支持网络', '促进社会融合', '培育社区自治力量'))}。")
    return field, title, summary, count


class Builder:
    """The ten years of calls and everything after their applications (see the module docstring)."""

    def __init__(self, n_apps, n_scores, n_contracts, org_ids, rnd, now):
        from grantportal.accounts.models import User
        from tests.factories import UserFactory, hashed_password

        self.rnd, self.now = rnd, now
        self.n_apps, self.n_contracts = n_apps, n_contracts
        self.org_ids = org_ids[::3] or org_ids  # a third of the organizations apply, several times over the years
        self.officer = UserFactory(officer=True, username="bench-officer", name="陈晓明")
        n_experts = min(3000, max(60, n_scores // SCORES_PER_APP // 100))
        insert(User.__table__, [{"username": f"bench-expert{i:05d}", "name": person(rnd), "email": None,
                                 "phone": None, "role": "expert", "password_hash": hashed_password(),
                                 "is_active": True, "created_at": now} for i in range(n_experts)])
        self.experts = db.session.scalars(sa.select(User.id).where(User.username.like("bench-expert%"))).all()
        submitted = n_apps * 0.95
        self.pass_rate = min(0.9, n_scores / SCORES_PER_APP / submitted) if submitted else 0
        self.reviewed_total = max(1, round(submitted * self.pass_rate))
        tables = {name: db.metadata.tables[name] for name in ID_TABLES}
        self.rows = {name: Rows(t, (db.session.scalar(sa.select(sa.func.max(t.c.id))) or 0) + 1, self.flush)
                     for name, t in tables.items()}
        self.counts = dict.fromkeys(["calls", "applications", "reviews", "scores", "draws", "awards",
                                     "selected", "contracts", "payments", "documents"], 0)
        self.doc_seq = 0

    def flush(self):
        for rows in self.rows.values():
            rows.flush()

    def add(self, table, **row):
        return self.rows[table].add(**row)

    def run(self):
        this_year = self.now.year
        weights = [(y, w) for y in range(YEARS) for w in [y + 1]]
        total_w = sum(w for _, w in weights) * sum(share for *_, share in CALL_KINDS)
        calls = []
        for k, w in weights:
            year = this_year - YEARS + 1 + k
            for name, code, kind, share in CALL_KINDS:
                size = max(10, round(self.n_apps * w * share / total_w))
                calls.append((year, name, code, kind, size))
        big = None
        for spec in calls:
            t = time.perf_counter()
            call_id, size = self.call(*spec)
            db.session.commit()
            db.session.expire_all()
            if big is None or size > big[1]:
                big = (call_id, size)
            print(f"  call {spec[0]} {spec[1]}: {size:,} applications in {time.perf_counter() - t:.1f} s",
                  flush=True)
        return big[0]

    def call(self, year, name, code, kind, size):
        from grantportal.calls.models import CallKind, CallStatus
        from grantportal.review.models import RoundStatus
        from tests.factories import CallFactory, ReviewRoundFactory

        rnd, now = self.rnd, self.now
        published = datetime(year, 3, 1, 1, 0, tzinfo=UTC)
        days = (published - now).days
        call = CallFactory(
            created_by=self.officer, name=name, edition=f"{year}年度", year=year, code=code,
            kind=CallKind(kind), status=CallStatus.CLOSED, published_at=published, closed_at=published + timedelta(
                days=120), reference_date=date(year, 3, 1), service_categories="\n".join(FIELDS),
            summary=f"面向全市社会组织征集{'、'.join(rnd.sample(FIELDS, 4))}等领域的公益服务项目。",
            tier_rules={"bonus_by_grade": {"5A": "3", "4A": "2", "3A": "1"}},
            matched_bonus_per_wan=Decimal("0.5") if kind == "venture" else None,
            matched_bonus_cap=Decimal("3") if kind == "venture" else None,
            publish_scores=True, publish_panel=True, reserve_per_level=RESERVES,
            setup__stages={"open_days": days, "close_days": days + 45})
        round_ = ReviewRoundFactory(call=call, status=RoundStatus.CLOSED, panel_size=PANEL,
                                    opens_at=published + timedelta(days=60), closes_at=published + timedelta(days=80),
                                    rubric=RUBRIC, results_published_at=published + timedelta(days=85))
        criteria = [(c.id, int(c.max_points)) for c in round_.criteria]
        levels = {lv.level.value: lv for lv in call.levels}
        self.counts["calls"] += 1
        review_at = published + timedelta(days=60)
        results_at = published + timedelta(days=85)
        app_ids = {}
        for i in range(size):
            district = rnd.choice(ZHONGSHAN)
            field, title, summary, count = app_text(rnd, district)
            level = "city" if rnd.random() < 0.4 else "town"
            requested = Decimal(rnd.randint(30, 80) * 1000 if level == "city" else rnd.randint(10, 30) * 1000)
            matched = (requested * Decimal(rnd.randint(20, 100)) / 100).quantize(Decimal("100"))
            roll = rnd.random()
            status = "draft" if roll < 0.03 else "withdrawn" if roll < 0.05 else "submitted"
            reviewed = status == "submitted" and rnd.random() < self.pass_rate
            screening = "pending" if status == "draft" else "passed" if reviewed else "failed"
            at = published + timedelta(minutes=rnd.randrange(45 * 24 * 60))
            app_id = self.add(
                "application", number=None if status == "draft" else f"{code}-{year}-{i + 1:06d}",
                call_id=call.id, org_id=rnd.choice(self.org_ids), level=level, category=field, title=title,
                summary=summary, need_analysis="", objectives="", activity_plan="", beneficiaries="",
                target_count=count, area_served=f"中山市{district}", district=district, team="",
                total_budget=requested + matched, requested_amount=requested, matched_amount=matched,
                status=status, screening=screening, screening_override=False,
                screened_at=None if status == "draft" else at + timedelta(days=50),
                submitted_at=None if status == "draft" else at,
                review_started_at=review_at if reviewed else None,
                results_published_at=results_at if status == "submitted" else None,
                created_by_id=self.officer.id, created_at=at, updated_at=at, version=1)
            if status == "submitted":
                app_ids[app_id] = (level, requested, title, f"{code}-{year}-{i + 1:06d}")
            if reviewed:
                self.review(round_.id, app_id, criteria, review_at)
        self.counts["applications"] += size
        self.flush()
        db.session.commit()
        self.results(call, levels, app_ids, results_at)
        return call.id, size

    def review(self, round_id, app_id, criteria, at):
        from grantportal.review.panels.draw import pick_in_order

        rnd = self.rnd
        pool = rnd.sample(self.experts, 14)
        candidates = [[e, rnd.randrange(12)] for e in pool[:12]]
        excluded = [[e, rnd.choice(("回避：曾任该机构理事", "本轮评审任务已达上限"))]
                    for e in pool[12:12 + rnd.choice((1, 2))]]
        order = [e for e, _ in candidates] + [e for e, _ in excluded]
        rnd.shuffle(order)
        seed = f"{rnd.getrandbits(128):032x}"
        picked = pick_in_order(order, candidates, seed, PANEL)
        drawn_at = at + timedelta(minutes=rnd.randrange(600))
        draw_id = self.add("draw", round_id=round_id, application_id=app_id, seed=seed, size=PANEL,
                           candidates=candidates, excluded=excluded, picked=picked, public_order=order,
                           created_by_id=self.officer.id, created_at=drawn_at)
        self.counts["draws"] += 1
        quality = rnd.uniform(0.45, 0.95)
        for expert_id in picked:
            assignment_id = self.add("assignment", round_id=round_id, application_id=app_id, expert_id=expert_id,
                                     source="draw", draw_id=draw_id, active=True, created_by_id=self.officer.id,
                                     created_at=drawn_at)
            submitted = drawn_at + timedelta(days=rnd.randint(2, 15))
            points = [max(0, min(top, round(top * (quality + rnd.uniform(-0.12, 0.12))))) for _, top in criteria]
            review_id = self.add("review", assignment_id=assignment_id, status="submitted",
                                 total=Decimal(sum(points)), comment=REVIEW_COMMENT, submitted_at=submitted,
                                 updated_at=submitted, version=2)
            for (criterion_id, _), p in zip(criteria, points):
                self.add("review_score", review_id=review_id, criterion_id=criterion_id, points=Decimal(p),
                         comment="")
            self.counts["reviews"] += 1
            self.counts["scores"] += len(criteria)

    def results(self, call, levels, app_ids, results_at):
        """Awards from the platform's ranking, the final proposal, contracts and what follows them."""
        from grantportal.applications.models import Application
        from grantportal.awards.models import Proposal, ResultsRevision
        from grantportal.awards.proposals.ranking import final_ranking
        from grantportal.orgs.models import Organization

        ranking = final_ranking(call)
        names = dict(db.session.execute(
            sa.select(Application.id, Organization.name).join(Organization, Organization.id == Application.org_id)
            .where(Application.call_id == call.id, Application.status == "submitted")).all())
        ranked_n = sum(len(items) for items in ranking.by_level.values())
        target = round(self.n_contracts * ranked_n / self.reviewed_total)
        proposal = Proposal(call_id=call.id, status="final", generated_at=results_at - timedelta(days=3),
                            generated_by_id=self.officer.id, publicity_days=5, published_at=results_at,
                            published_by_id=self.officer.id, ends_at=results_at + timedelta(days=7),
                            confirmed_at=results_at + timedelta(days=8), confirmed_by_id=self.officer.id)
        db.session.add(proposal)
        db.session.flush()
        public_rows, selected_awards, ranked = [], [], set()
        for level, items in ranking.by_level.items():
            budget = levels.get(level.value)
            want = min(len(items), round(target * len(items) / ranked_n)) if ranked_n else 0
            spent, reserves = Decimal("0.00"), 0
            for item in items:
                _level, requested, title, number = app_ids[item.application_id]
                ranked.add(item.application_id)
                standing = ranking.standings[item.application_id]
                cap = min(requested, budget.max_grant) if budget else requested
                lines = [f"最终得分{item.final}分（含加分{item.bonus}分），在{level.label}排名第{item.rank}位。"]
                if item.rank <= want:
                    status, final, amount, position = "selected", "selected", cap, None
                    spent += cap
                    lines.append(f"拟资助{cap / 10000:.2f}万元。")
                    reason = f"经专家评审、公示无异议，确定入选，资助{cap / 10000:.2f}万元。"
                elif reserves < RESERVES:
                    reserves += 1
                    status, final, amount, position = "reserve", "reserve", cap, reserves
                    lines.append(f"本级别剩余可用预算不足以资助本项目，列为候补第{reserves}位。")
                    reason = f"列为{level.label}候补第{reserves}位；如有入选项目放弃或被取消，按顺序递补。"
                else:
                    status, final, amount, position = "not_selected", "not_selected", Decimal("0.00"), None
                    lines.append("本级别预算已分配完毕，候补名额已满，未入选。")
                    reason = lines[-1]
                award_id = self.add(
                    "award", proposal_id=proposal.id, application_id=item.application_id, level=level.value,
                    rank=item.rank, final_score=item.final, bonus=item.bonus, grade=standing.grade_value,
                    requested=requested, cap=cap, amount=amount, status=status, reserve_position=position,
                    explanation=lines, final_status=final, final_reason=reason)
                self.counts["awards"] += 1
                if status != "not_selected":
                    public_rows.append({"award_id": award_id, "number": number, "title": title,
                                        "org": names.get(item.application_id, ""), "level": level.label,
                                        "category": "", "status": status,
                                        "amount": str(amount), "score": str(item.final), "grade": standing.grade_value,
                                        "reserve_position": position})
                if status == "selected":
                    selected_awards.append((award_id, item.application_id, amount, title,
                                            names.get(item.application_id, "")))
            if budget is not None:
                budget.budget_total = max(spent, Decimal("10000.00"))
        for app_id, (level, requested, _title, _) in app_ids.items():
            if app_id not in ranked:
                self.add("award", proposal_id=proposal.id, application_id=app_id, level=level, rank=None,
                         final_score=None, bonus=Decimal("0.00"), grade=None, requested=requested,
                         cap=Decimal("0.00"), amount=Decimal("0.00"), status="not_selected", reserve_position=None,
                         explanation=["资格审查未通过，不参与排名。"], final_status="not_selected",
                         final_reason="资格审查未通过，不参与排名。")
                self.counts["awards"] += 1
        db.session.add(ResultsRevision(proposal_id=proposal.id, kind="published", created_at=results_at,
                                       summary=f"发布拟资助项目公示，共{len(selected_awards)}个拟入选项目，公示5个工作日。",
                                       rows=public_rows))
        db.session.add(ResultsRevision(proposal_id=proposal.id, kind="final", created_at=results_at + timedelta(days=8),
                                       summary=f"公示期满，确定最终结果：入选{len(selected_awards)}个。",
                                       rows=[{**r, "status": "入选" if r["status"] == "selected" else "候补"}
                                             for r in public_rows]))
        self.flush()
        self.counts["selected"] += len(selected_awards)
        self.contracts(call, selected_awards, results_at + timedelta(days=8))

    def doc(self, kind, series, call, award_id, title, org, amount, at):
        rnd = self.rnd
        self.doc_seq += 1
        number = f"{call.code}-{call.year}-{series}{self.doc_seq:06d}"
        label = {"contract_venture": "公益创投项目资助协议", "contract_purchase": "政府购买服务合同",
                 "selection_notice": "入选通知书"}[kind]
        self.counts["documents"] += 1
        return self.add(
            "issued_document", kind=kind, number=number, version=1, supersedes_id=None, award_id=award_id,
            verification_code="".join(rnd.choice(CODE_CHARS) for _ in range(16)), status="issued",
            facts={"kind": label, "number": number, "version": 1, "call": call.title, "project": title,
                   "org": org, "amount": f"{amount:.2f}"},
            body=None, file_id=None, sha256=f"{rnd.getrandbits(256):064x}", error=None, attempts=1, created_at=at,
            created_by_id=self.officer.id, issued_at=at, superseded_at=None, reason=None)

    def contracts(self, call, selected, confirmed):
        rnd, officer = self.rnd, self.officer.id
        current = call.year == self.now.year
        kind = "contract_venture" if call.kind.value == "venture" else "contract_purchase"
        for award_id, _app_id, amount, title, org in selected:
            self.doc("selection_notice", "TZ", call, award_id, title, org, amount, confirmed)
            doc_id = self.doc(kind, "HT", call, award_id, title, org, amount, confirmed + timedelta(days=10))
            starts = date(call.year, 7, 1)
            ends = date(call.year + 1, 6, 30)
            roll = rnd.random()
            status = "active" if current or roll < 0.02 else "terminated" if roll < 0.03 else "closed"
            midterm = status == "closed" or (status == "active" and not current)  # current year: not yet
            signed_at = datetime(call.year, 6, 25, 2, tzinfo=UTC)
            parts = [(1, Decimal("50"), "signed", True, date(call.year, 7, 10)),
                     (2, Decimal("30"), "midterm_passed", midterm, date(call.year + 1, 1, 20)),
                     (3, Decimal("20"), "acceptance_passed", status == "closed", date(call.year + 1, 7, 25))]
            amounts = [(amount * percent / 100).quantize(Decimal("0.01")) for _, percent, *_ in parts[:2]]
            amounts.append(amount - sum(amounts))
            paid_total = sum((a for a, part in zip(amounts, parts) if part[3]), Decimal("0.00"))
            recovered = (paid_total / 2).quantize(Decimal("0.01")) if status == "terminated" else Decimal("0.00")
            contract_id = self.add(
                "contract", award_id=award_id, status=status, amount=amount, paid=paid_total, recovered=recovered,
                starts_on=starts, ends_on=ends,
                deliverables="开展服务活动不少于24场\n服务对象满意度不低于90%\n建立服务档案",
                document_id=doc_id, signed_file_id=None, signed_uploaded_at=signed_at,
                signed_uploaded_by_id=officer, confirmed_at=signed_at + timedelta(days=1), confirmed_by_id=officer,
                closed_at=datetime(call.year + 1, 7, 20, 2, tzinfo=UTC) if status == "closed" else None,
                created_at=confirmed + timedelta(days=10),
                midterm_passed=True if midterm else None,
                midterm_at=datetime(call.year + 1, 1, 10, 2, tzinfo=UTC) if midterm else None,
                acceptance_passed=True if status == "closed" else None,
                acceptance_at=datetime(call.year + 1, 7, 15, 2, tzinfo=UTC) if status == "closed" else None)
            self.counts["contracts"] += 1
            for (position, percent, condition, paid, paid_on), part in zip(parts, amounts):
                state = "paid" if paid else "blocked" if status == "terminated" else "waiting"
                tranche_id = self.add("tranche", contract_id=contract_id, position=position, percent=percent,
                                      amount=part, condition=condition, status=state,
                                      blocked_reason="合同已终止" if state == "blocked" else None)
                if paid:
                    self.add("payment", contract_id=contract_id, tranche_id=tranche_id, paid_on=paid_on, amount=part,
                             voucher_number=f"ZF{call.year}{self.rows['payment'].next_id:08d}", recorded_by_id=officer,
                             recorded_at=datetime(paid_on.year, paid_on.month, paid_on.day, 3, tzinfo=UTC))
                    self.counts["payments"] += 1
            if status == "terminated":
                self.add("recovery", contract_id=contract_id, recovered_on=date(call.year, 12, 15), amount=recovered,
                         voucher_number=f"ZH{call.year}{contract_id:08d}",
                         reason="项目中止，按合同约定追回未使用的资助资金。", recorded_by_id=officer,
                         recorded_at=datetime(call.year, 12, 15, 3, tzinfo=UTC))
            grades = ("excellent", "good", "good", "pass", "pass")
            if midterm:
                self.add("evaluation", contract_id=contract_id, stage="midterm", grade=rnd.choice(grades),
                         score=Decimal(rnd.randint(70, 95)), comments="项目按计划推进，服务记录完整。",
                         review_round_id=None, evaluated_by_id=officer,
                         evaluated_at=datetime(call.year + 1, 1, 10, 2, tzinfo=UTC))
            if status == "closed":
                self.add("evaluation", contract_id=contract_id, stage="acceptance", grade=rnd.choice(grades),
                         score=Decimal(rnd.randint(70, 98)), comments="完成合同约定的服务内容，成效指标基本达成。",
                         review_round_id=None, evaluated_by_id=officer,
                         evaluated_at=datetime(call.year + 1, 7, 15, 2, tzinfo=UTC))
            for n, (kind_, start, end) in enumerate([
                    ("progress", date(call.year, 7, 1), date(call.year, 9, 30)),
                    ("midterm", date(call.year, 10, 1), date(call.year, 12, 31)),
                    ("progress", date(call.year + 1, 1, 1), date(call.year + 1, 3, 31)),
                    ("final", date(call.year + 1, 4, 1), date(call.year + 1, 6, 30))]):
                due = end + timedelta(days=10)
                done = status == "closed" or (due < self.now.date() and n < 2)
                self.add("report", contract_id=contract_id, kind=kind_, period_start=start, period_end=end,
                         due_on=due, status="accepted" if done else "due",
                         activities="开展小组活动6场、社区活动2场，入户探访40户次。" if done else "",
                         served_count=rnd.randint(50, 400) if done else None,
                         outcomes="服务对象满意度95%。" if done else "",
                         submitted_at=datetime(due.year, due.month, due.day, 2, tzinfo=UTC) if done else None,
                         submitted_by_id=None, reviewed_at=None, reviewed_by_id=None, review_note=None, version=1)
            if rnd.random() < 0.3:
                pledged = Decimal(rnd.randint(5, 50) * 1000)
                source = rnd.choice(("enterprise", "department", "individual", "anonymous"))
                self.add("matched_fund", award_id=award_id, source_kind=source,
                         source_name={"enterprise": "中山市某实业有限公司", "department": "镇街社会事务局",
                                      "individual": person(rnd), "anonymous": ""}[source],
                         name_public=source != "individual", pledged=pledged,
                         received=pledged if status == "closed" else pledged / 2, pledged_on=starts,
                         received_on=starts + timedelta(days=60), note="", recorded_by_id=officer,
                         recorded_at=datetime(call.year, 9, 1, 2, tzinfo=UTC))
        self.flush()


def build(app, args):
    from flask_migrate import upgrade

    from grantportal.calls.models import CallStatus
    from grantportal.core import search
    from tests.factories import CallFactory, UserFactory

    with app.app_context():
        upgrade()
        rnd = random.Random(7)
        now = utcnow()
        t0 = time.perf_counter()
        org_ids = build_orgs(args.orgs, rnd, now)
        db.session.commit()
        print(f"organizations: {args.orgs:,} in {time.perf_counter() - t0:.1f} s", flush=True)
        officer = UserFactory(officer=True)
        for i in range(60):
            CallFactory(created_by=officer, status=CallStatus.PUBLISHED if i % 6 else CallStatus.CLOSED)
        counts = {}
        if args.apps:
            t1 = time.perf_counter()
            builder = Builder(args.apps, args.scores, args.contracts, org_ids, rnd, now)
            builder.run()
            db.session.commit()
            counts = builder.counts
            print(f"calls and results: {', '.join(f'{k} {v:,}' for k, v in counts.items())} "
                  f"in {time.perf_counter() - t1:.1f} s", flush=True)
            mark_upload()
        t1 = time.perf_counter()
        written = search.rebuild()
        print(f"public index: {', '.join(f'{k} {v:,}' for k, v in written.items())} "
              f"in {time.perf_counter() - t1:.1f} s", flush=True)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                for table in ID_TABLES:
                    conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                         f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"))
                conn.execute(sa.text("VACUUM ANALYZE"))  # as autovacuum would, after a load
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        print(f"built in {time.perf_counter() - t0:.1f} s", flush=True)


def mark_upload():
    """The first contract document's recorded hash is that of ``UPLOAD`` (what the upload check posts)."""
    from grantportal.documents.models import IssuedDocument

    first = db.session.scalar(sa.select(sa.func.min(IssuedDocument.id)).where(IssuedDocument.number.like("%-HT%")))
    if first is not None:
        db.session.execute(sa.update(IssuedDocument).where(IssuedDocument.id == first)
                           .values(sha256=hashlib.sha256(UPLOAD).hexdigest()))
        db.session.commit()


def keep_checks(app, call_id):
    """The big call's public checks (复核), computed and kept as the job does once results are published (the bulk
    load publishes without the operations, and a kept check from an earlier run may be stale): how long each took."""
    from grantportal.awards.models import CheckKind, Proposal
    from grantportal.awards.proposals import checks

    with app.app_context():
        proposal = db.session.scalar(sa.select(Proposal).where(Proposal.call_id == call_id))
        for kind in CheckKind:
            start = time.perf_counter()
            check = checks.compute(proposal, kind)
            db.session.commit()
            print(f"check {kind.value} of the big call computed and kept by its job in "
                  f"{time.perf_counter() - start:.1f} s ({check.total:,} rows, {check.pages:,} pages)", flush=True)


# --- what to measure ---------------------------------------------------------------------------------------

def targets(app):
    """Ids of the pages to measure, read from the database (so ``--reuse`` finds them as a build left them)."""
    from grantportal.applications.models import Application
    from grantportal.awards.models import Award, Proposal
    from grantportal.documents.models import IssuedDocument
    from grantportal.funding.models import Contract

    with app.app_context():
        big = db.session.execute(
            sa.select(Proposal.call_id, sa.func.count()).join(Award, Award.proposal_id == Proposal.id)
            .group_by(Proposal.call_id).order_by(sa.func.count().desc()).limit(1)).first()
        if big is None:
            return None
        call_id = big[0]
        contract = db.session.scalar(
            sa.select(Contract.id).join(Award, Award.id == Contract.award_id)
            .join(Proposal, Proposal.id == Award.proposal_id)
            .where(Proposal.call_id != call_id, Contract.status == "closed").order_by(Contract.id).limit(1)) \
            or db.session.scalar(sa.select(sa.func.min(Contract.id)))
        doc = db.session.execute(sa.select(IssuedDocument.verification_code).where(
            IssuedDocument.sha256 == hashlib.sha256(UPLOAD).hexdigest())).scalar()
        code = doc or db.session.scalar(sa.select(IssuedDocument.verification_code).limit(1))
        # the organization with the most applications (its public record lists them)
        org_id = db.session.scalar(sa.select(Application.org_id).group_by(Application.org_id)
                                   .order_by(sa.func.count().desc(), Application.org_id).limit(1))
        year = db.session.scalar(sa.select(sa.func.max(Application.created_at))).year - 2
        records = db.session.scalar(sa.select(sa.func.count()).select_from(Award)
                                    .join(Proposal, Proposal.id == Award.proposal_id)
                                    .where(Award.final_status == "selected", Proposal.status == "final"))
        call_records = db.session.scalar(sa.select(sa.func.count()).select_from(Award)
                                         .join(Proposal, Proposal.id == Award.proposal_id)
                                         .where(Award.final_status == "selected", Proposal.call_id == call_id))
        ranked = db.session.scalar(sa.select(sa.func.count()).select_from(Award)
                                   .join(Proposal, Proposal.id == Award.proposal_id)
                                   .where(Award.rank.is_not(None), Proposal.call_id == call_id))
        call_apps = db.session.scalar(sa.select(sa.func.count()).select_from(Application)
                                      .where(Application.call_id == call_id))
    return {"call": call_id, "contract": contract, "code": code, "org": org_id, "year": year, "records": records,
            "call_records": call_records, "ranked": ranked, "call_apps": call_apps}


LIST, DETAIL = 2.0, 1.5


def pages(t):
    """(label, method, path, goal, form) of every page measured."""
    base = [
        ("/", "/", DETAIL),
        ("/calls/", "/calls/", LIST),
        ("/orgs/", "/orgs/", LIST),
        ("/orgs/?page=100", "/orgs/?page=100", LIST),
        ("/orgs/?q=养老", "/orgs/?q=养老", LIST),
        ("/orgs/?q=小榄明德", "/orgs/?q=小榄明德", LIST),
        ("/orgs/?q=<代码前 16 位>", f"/orgs/?q={make_uscc('2', '442000', 123)[:16]}", LIST),
        ("/orgs/?tier=4A", "/orgs/?tier=4A", LIST),
        ("/orgs/?tier=4A&sort=newest", "/orgs/?tier=4A&sort=newest", LIST),
        ("/orgs/?kind=foundation&q=助残", "/orgs/?kind=foundation&q=助残", LIST),
        ("/orgs/?district=小榄镇", "/orgs/?district=小榄镇", LIST),
        ("/orgs/?district=小榄镇&tier=5A", "/orgs/?district=小榄镇&tier=5A", LIST),
        ("/orgs/1", "/orgs/1", DETAIL),
        ("/search?q=养老", "/search?q=养老", LIST),
        ("/search?q=社区&kind=org&sort=name", "/search?q=社区&kind=org&sort=name", LIST),
    ]
    out = [(label, "GET", path, goal, None) for label, path, goal in base]
    if t is None:
        return out
    c, p = t["call"], t["contract"]
    more = [
        ("/calls/?year=<年度>", f"/calls/?year={t['year']}", LIST),
        ("/orgs/<申报最多的机构>", f"/orgs/{t['org']}", DETAIL),
        ("/calls/<大征集>", f"/calls/{c}", DETAIL),
        ("/calls/<大征集>/results", f"/calls/{c}/results", LIST),
        ("/calls/<大征集>/results?level=town&page=5", f"/calls/{c}/results?level=town&page=5", LIST),
        ("/calls/<大征集>/results/scores (复核)", f"/calls/{c}/results/scores", LIST),
        ("/calls/<大征集>/results/scores?page=50", f"/calls/{c}/results/scores?page=50", LIST),
        ("/calls/<大征集>/results/draw", f"/calls/{c}/results/draw", LIST),
        ("/projects/", "/projects/", LIST),
        ("/calls/<大征集>/projects", f"/calls/{c}/projects", LIST),
        ("/calls/<大征集>/projects?page=50", f"/calls/{c}/projects?page=50", LIST),
        ("/projects/<id>", f"/projects/{p}", DETAIL),
        ("/search?q=养老&kind=project", "/search?q=养老&kind=project", LIST),
        ("/search?q=长者&kind=project&year=<年度>", f"/search?q=长者&kind=project&year={t['year']}", LIST),
        ("/search?q=小榄&kind=project&sort=amount", "/search?q=小榄&kind=project&sort=amount", LIST),
        ("/statistics", "/statistics", LIST),
        ("/statistics (uncached)", "/statistics", LIST),
        ("/statistics/year.csv", "/statistics/year.csv", LIST),
        ("/statistics/field.csv", "/statistics/field.csv", LIST),
        ("/statistics/district.csv", "/statistics/district.csv", LIST),
        ("/statistics/tier.csv", "/statistics/tier.csv", LIST),
        ("/statistics/call.csv", "/statistics/call.csv", LIST),
        ("/data/", "/data/", LIST),
        ("/data/projects/<id>/ocds-record.json", f"/data/projects/{p}/ocds-record.json", DETAIL),
        ("/feeds/updates.atom", "/feeds/updates.atom", LIST),
        ("/sitemap.xml", "/sitemap.xml", LIST),
        ("/verify", "/verify", DETAIL),
        ("/verify/<code>", f"/verify/{t['code']}", DETAIL),
    ]
    out += [(label, "GET", path, goal, None) for label, path, goal in more]
    out.append(("POST /verify (code + file)", "POST", "/verify", DETAIL,
                lambda: {"code": t["code"], "file": (io.BytesIO(UPLOAD), "contract.pdf")}))
    return out


def downloads(t):
    """(label, path, records) of the streamed and whole-file downloads."""
    if t is None:
        return []
    c = t["call"]
    return [
        ("/data/awards.json", "/data/awards.json", t["records"]),
        ("/data/awards.csv", "/data/awards.csv", t["records"]),
        ("/data/awards.xlsx (the kept file)", "/data/awards.xlsx", t["records"]),
        ("/data/awards-360giving.csv", "/data/awards-360giving.csv", t["records"]),
        ("/data/calls/<大征集>/ocds.json", f"/data/calls/{c}/ocds.json", t["call_records"]),
        ("/calls/<大征集>/results/scores.csv", f"/calls/{c}/results/scores.csv", t["ranked"]),
        ("/calls/<大征集>/results/draw.csv", f"/calls/{c}/results/draw.csv", t["ranked"]),
        ("/calls/<大征集>/results/draw.json", f"/calls/{c}/results/draw.json", t["ranked"]),
    ]


# --- measuring ---------------------------------------------------------------------------------------------

def pad(text, width):
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return text + " " * max(1, width - len(text) - wide)


def request(client, method, path, form):
    if method == "POST":
        return client.post(path, data=form())
    return client.get(path)


def shown(r):
    return f"{r:8.1f}" if r >= 10 else f"{r:8.2f}" if r >= 1 else f"{r:8.3f}"


def rate(app, client, label, method, path, seconds, form=None):
    uncached = "(uncached)" in label
    cache = app.config["STATISTICS_CACHE_SECONDS"]
    if uncached:
        app.config["STATISTICS_CACHE_SECONDS"] = 0
    try:
        request(client, method, path, form)  # warm up
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            resp = request(client, method, path, form)
            assert resp.status_code == 200, (path, resp.status_code)
            count += 1
        return count / (time.perf_counter() - start)
    finally:
        app.config["STATISTICS_CACHE_SECONDS"] = cache


def stream(client, path):
    """Fetch ``path`` and read its body to the end; its length in bytes."""
    resp = client.get(path, buffered=False)
    assert resp.status_code == 200, (path, resp.status_code)
    size = 0
    try:
        for chunk in resp.response:
            size += len(chunk)
    finally:
        resp.close()
    return size


def keep_xlsx(app):
    """Build the bulk XLSX as its job does (opendata/bulk.py: no request builds it) and print how long it took."""
    from grantportal.opendata import bulk

    with app.app_context():
        dataset = bulk.build(bulk.AWARDS_XLSX, "http://bench.local")
        db.session.commit()
        seconds, records, size = dataset.seconds, dataset.records, dataset.file.size
    per = seconds / records * 10_000 if records else 0
    print(f"awards.xlsx built by its job in {seconds:.1f} s ({records:,} records, {size / 1e6:.1f} MB, "
          f"{per:.2f} s per 10,000 records)", flush=True)


def measure_download(client, path):
    """(seconds, bytes, peak bytes allocated during the request): the time from a plain run, the memory from a
    second one under tracemalloc."""
    import gc

    gc.collect()
    start = time.perf_counter()
    size = stream(client, path)
    seconds = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    stream(client, path)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return seconds, size, peak


def profile(app, client, label, method, path, form, out=sys.stdout):
    """One request under cProfile, with every SQL statement timed: where the time goes."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_t", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        started = conn.info["bench_t"].pop()
        statements.append((time.perf_counter() - started, cursor.rowcount, statement, parameters))

    uncached = "(uncached)" in label
    cache = app.config["STATISTICS_CACHE_SECONDS"]
    if uncached:
        app.config["STATISTICS_CACHE_SECONDS"] = 0
    with app.app_context():
        engine = db.engine
    request(client, method, path, form)  # warm up (templates compiled, caches filled), as the measured requests
    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    prof = cProfile.Profile()
    try:
        start = time.perf_counter()
        prof.enable()
        resp = request(client, method, path, form)
        body = resp.get_data()
        prof.disable()
        total = time.perf_counter() - start
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
        app.config["STATISTICS_CACHE_SECONDS"] = cache
    sql = sum(s[0] for s in statements)
    print(f"\n=== {label}  ({path})", file=out)
    print(f"one request: {total * 1000:.1f} ms, {len(body):,} bytes; {len(statements)} SQL statements, "
          f"{sql * 1000:.1f} ms until the driver returned from execute", file=out)
    alone = rerun(engine, statements)
    print(f"  the statements run again alone, every row fetched ({len(alone)} distinct SELECTs, "
          f"{sum(a[0] for a in alone) * 1000:.1f} ms in all, ×n = times the request ran it); the slowest:", file=out)
    for seconds, rows, times, statement, _params in alone[:6]:
        text = " ".join(statement.split())
        print(f"  {seconds * 1000:8.1f} ms  rows {rows:>7}  ×{times:<4} {text[:500]}", file=out)
    if alone and alone[0][0] > 0.002:
        print("  plan of the slowest:", file=out)
        for line in explain(engine, alone[0][3], alone[0][4]):
            print(f"    {line}", file=out)
    stats = pstats.Stats(prof, stream=out)
    rendering = sum(v[3] for k, v in stats.stats.items()
                    if k[2] in ("render_template", "render_template_string") and "flask" in k[0])
    print(f"  templates (render_template, with what they query): {rendering * 1000:.1f} ms", file=out)
    stats.sort_stats("cumulative")
    print("  the platform's functions by cumulative time:", file=out)
    stats.print_stats(r"grantportal/|templates/", 18)
    stats.sort_stats("tottime")
    print("  all functions by own time:", file=out)
    stats.print_stats(12)


def rerun(engine, statements):
    """[(seconds, rows, times, statement, parameters)] of the distinct SELECTs, each run again on its own with
    every row fetched (on SQLite the work happens while fetching, not in ``execute``), slowest first."""
    distinct = {}
    for _s, _rows, statement, parameters in statements:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            key = (statement, repr(parameters))
            entry = distinct.setdefault(key, [statement, parameters, 0])
            entry[2] += 1
    out = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        for statement, parameters, times in list(distinct.values())[:300]:
            cur = raw.cursor()
            start = time.perf_counter()
            cur.execute(statement, parameters)
            rows = len(cur.fetchall())
            out.append((time.perf_counter() - start, rows, times, statement, parameters))
        conn.rollback()
    return sorted(out, key=lambda a: -a[0])


def explain(engine, statement, parameters):
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if engine.dialect.name == "postgresql":
            cur = raw.cursor()
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
            lines = [r[0] for r in cur.fetchall()]
        else:
            cur = raw.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            lines = [" ".join(str(c) for c in r) for r in cur.fetchall()]
        conn.rollback()
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=1_000_000)
    parser.add_argument("--apps", type=int, default=1_000_000, help="applications over ten years of calls")
    parser.add_argument("--scores", type=int, default=5_000_000, help="expert scores (one per criterion)")
    parser.add_argument("--contracts", type=int, default=100_000, help="selected projects with contracts")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true",
                        help="measure a database an earlier run built (same --database-url), without building")
    parser.add_argument("--profile", action="store_true", help="profile once each page over its goal")
    parser.add_argument("--profile-only", action="store_true",
                        help="only profile, once each, the pages of BENCH_PAGES (labels or paths; default: all)")
    parser.add_argument("--no-downloads", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    # the checks kept just before measuring stay fresh for the run: no page queues their computation meanwhile
    config = {"SECRET_KEY": "bench", "INSTANCE_PATH": str(tmp), "SQLALCHEMY_DATABASE_URI": url,
              "STORAGE_DIR": str(tmp / "files"), "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
              "PUBLIC_CHECK_SECONDS": 24 * 3600, "PAGE_CACHE_SECONDS": 60}
    app = create_app(config)

    @app.route("/_floor")
    def floor():
        rows = [{"name": f"中山市测试社会组织{i:07d}", "uscc": "53100000500019795A", "kind": "社会服务机构",
                 "grade": "4A"} for i in range(50)]
        return render_template_string(FLOOR_TEMPLATE, rows=rows)

    # the same database with every page made for each request: what a page costs when first asked for after a change
    rendered = create_app({**config, "PAGE_CACHE_SECONDS": 0})
    rendered_client = rendered.test_client()

    if not args.reuse:
        build(app, args)
    else:
        from flask_migrate import upgrade

        with app.app_context():
            upgrade()  # a database built before the latest migrations
    t = targets(app)
    if t is not None:
        print(f"big call {t['call']}: {t['call_apps']:,} applications, {t['ranked']:,} ranked, "
              f"{t['call_records']:,} funded; {t['records']:,} funded projects in all; project page: contract "
              f"{t['contract']}; organization {t['org']}", flush=True)
        keep_checks(app, t["call"])
    client = app.test_client()
    chosen = [p for p in os.environ.get("BENCH_PAGES", "").split(",") if p]
    measured = [p for p in pages(t) if not chosen or p[0] in chosen or p[2] in chosen]
    if args.profile_only:
        for label, method, path, _goal, form in measured:
            profile(rendered, rendered_client, label, method, path, form)
        return
    floor_rate = rate(app, client, "floor", "GET", "/_floor", args.seconds)
    print("rendered: the page made for each request (PAGE_CACHE_SECONDS=0); kept: as an anonymous visitor gets it, "
          "from the page store (core/pagecache.py) until public data changes")
    print(f"{'page':<52} {'req/s':>8} {'floor/page':>10} {'kept req/s':>10} {'kept f/p':>8} {'goal':>5}")
    print(f"{'floor: bare Flask, 50-row table':<52} {floor_rate:8.0f} {'1.00':>10}", flush=True)
    over = []
    for label, method, path, goal, form in measured:
        r = rate(rendered, rendered_client, label, method, path, args.seconds, form)
        ratio = floor_rate / r
        kept = None
        if method == "GET" and "(uncached)" not in label:
            kept = rate(app, client, label, method, path, args.seconds, form)
        mark = " over" if ratio > goal else ""
        if kept is not None and floor_rate / kept > goal:
            mark += " (kept: over)"
        kept_shown = f"{kept:10.0f} {floor_rate / kept:8.2f}" if kept else f"{'—':>10} {'—':>8}"
        print(f"{pad(label, 52)}{shown(r)} {ratio:10.2f} {kept_shown} {goal:5.1f}{mark}", flush=True)
        if ratio > goal:
            over.append((label, method, path, form))
    fetched = [d for d in downloads(t) if not chosen or d[0] in chosen or d[1] in chosen]
    if not args.no_downloads and fetched:
        if any(path == "/data/awards.xlsx" for _label, path, _records in fetched):
            keep_xlsx(app)
        print(f"\n{'download (streamed to the end)':<44} {'records':>9} {'MB':>7} {'s':>7} "
              f"{'s/10k rec':>9} {'peak MB':>8}")
        for label, path, records in fetched:
            seconds, size, peak = measure_download(client, path)
            per = seconds / records * 10_000 if records else 0
            print(f"{pad(label, 44)}{records:9,} {size / 1e6:7.1f} {seconds:7.2f} {per:9.2f} {peak / 1e6:8.1f}",
                  flush=True)
    print(f"database: {sa.engine.make_url(url).get_backend_name()}, organizations: {args.orgs:,}, "
          f"applications: {args.apps:,}, scores: {args.scores:,}, contracts: {args.contracts:,}"
          f"{' (reused)' if args.reuse else ''}")
    if args.profile:
        for label, method, path, form in over:
            profile(rendered, rendered_client, label, method, path, form)


if __name__ == "__main__":
    main()
