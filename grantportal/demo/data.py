"""Demo data that looks like a real city (中山市): organizations with valid codes, rating histories and
annual inspections, staff and experts, calls in every stage (征集中, 评审中, 公示中, results final with
notices, contracts, payments, reports and evaluations) and applications in several states."""
import io
import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from faker import Faker
from PIL import Image, ImageDraw
from werkzeug.datastructures import FileStorage

from grantportal.accounts.models import User
from grantportal.accounts.passwords import hash_password
from grantportal.applications.models import Application, AppStatus, BudgetLine, FundSource, Screening
from grantportal.awards.models import Award, FinalStatus
from grantportal.awards.proposals import operations as award_ops
from grantportal.awards.proposals import promotion, publicity
from grantportal.awards.proposals.queries import proposal_of
from grantportal.calendar import operations as calendar_ops
from grantportal.calls.integrity import pledge_text
from grantportal.calls.models import (
    Call,
    CallKind,
    CallLevel,
    CallStage,
    CallStatus,
    FundingSource,
    FundingSourceKind,
    Level,
    PurchaseMethod,
    RequiredDocument,
    RubricCriterion,
    StageKind,
)
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow
from grantportal.core.districts import ZHONGSHAN
from grantportal.core.roles import Role
from grantportal.core.timeutil import local_to_utc, local_today, to_local
from grantportal.core.uscc import make_uscc
from grantportal.core.workdays import CALENDAR_YEARS, library_year
from grantportal.demo import catalogue as demo_catalogue
from grantportal.demo import inspection as demo_inspection
from grantportal.demo import teams as demo_teams
from grantportal.documents import operations as doc_ops
from grantportal.documents.models import DocumentKind, IssuedDocument
from grantportal.documents.operations import render_one
from grantportal.documents.render import dated
from grantportal.experts.models import ExpertProfile
from grantportal.funding.contracts import operations as contract_ops
from grantportal.funding.matched.operations import save_matched_fund
from grantportal.funding.models import FundSourceKind
from grantportal.funding.payments.operations import record_payment
from grantportal.monitoring import operations as mon
from grantportal.monitoring import rectification as rect
from grantportal.monitoring.models import EvaluationGrade, EvaluationStage, ReportKind
from grantportal.orgs.models import (
    AnnualInspection,
    Grade,
    InspectionResult,
    Organization,
    OrgKind,
    OrgMember,
    OrgStatus,
    RatingEnd,
    RatingRecord,
    Sanction,
    SanctionKind,
)
from grantportal.orgs.tiers import default_validity
from grantportal.review.defence import operations as defence
from grantportal.review.models import (
    Assignment,
    EntryRule,
    Review,
    ReviewRound,
    ReviewScore,
    ReviewStatus,
    RoundCriterion,
    RoundKind,
    RoundStatus,
)
from grantportal.review.panels.operations import draw_all
from grantportal.votes import operations as vote_ops
from grantportal.votes.models import VoteRound

REGION = "442000"  # 中山市
TOWNS = ZHONGSHAN  # the organizations' 所在镇街 and the projects' 服务镇街
THEMES = [("长者关爱", "养老服务"), ("颐康", "养老服务"), ("助残", "助残服务"), ("启智", "助残服务"),
          ("青少年成长", "青少年服务"), ("阳光少年", "青少年服务"), ("童心", "儿童服务"), ("邻里", "社区治理"),
          ("和美社区", "社区治理"), ("暖心救助", "社会救助"), ("健康促进", "医疗卫生"), ("书香", "文化教育"),
          ("绿色家园", "环境保护"), ("义工", "志愿服务"), ("心理健康", "医疗卫生"), ("家庭综合", "社区治理")]
KIND_SUFFIX = {
    OrgKind.SOCIAL_SERVICE: ["社会工作服务中心", "综合服务中心", "服务中心", "发展中心"],
    OrgKind.SOCIAL_GROUP: ["协会", "促进会", "联合会", "志愿者协会"],
    OrgKind.FOUNDATION: ["慈善基金会", "公益基金会"],
}
KIND_CODE = {OrgKind.SOCIAL_GROUP: "1", OrgKind.SOCIAL_SERVICE: "2", OrgKind.FOUNDATION: "3"}
STREETS = ["孙文中路", "兴中道", "博爱路", "中山路", "富华道", "康华路", "岐关西路", "民安路", "银湾路"]

EMPLOYERS = [("中山大学社会学与人类学学院", "副教授"), ("广东药科大学", "教授"), ("中山市社会工作协会", "高级社工师"),
             ("电子科技大学中山学院", "副教授"), ("中山市慈善总会", "副秘书长"), ("中山市审计事务所", "注册会计师"),
             ("中山市社会组织孵化基地", "督导")]

DEMO_LOGINS = [
    # (username, name, role, password)
    ("officer", "陈志明", Role.OFFICER, "Demo-officer-2026"),
    ("officer2", "黄丽华", Role.OFFICER, "Demo-officer-2026"),
    ("auditor", "林建国", Role.AUDITOR, "Demo-auditor-2026"),
    ("admin", "周文", Role.ADMIN, "Demo-admin-2026"),
    ("expert", "郭教授", Role.EXPERT, "Demo-expert-2026"),
    ("org", "李晓燕", Role.ORG_MEMBER, "Demo-org-2026"),
    ("inspector", "何志远", Role.THIRD_PARTY, "Demo-inspector-2026"),  # staff of the demo's third party (inspection.py)
    ("team", "林小红", Role.ORG_MEMBER, "Demo-team-2026"),  # a grassroots team's leader (demo/teams.py)
]
RUBRIC = [("需求分析", 15, "服务需求是否真实、具体，有调研数据支撑"),
          ("项目设计", 25, "目标、活动与预期成效之间逻辑清晰"),
          ("创新性", 15, "服务模式或方法有创新"), ("可行性", 15, "进度安排合理，资源落实"),
          ("团队能力", 10, "团队具备相关专业资质和经验"), ("预算合理性", 10, "预算科目清晰、标准合理"),
          ("可持续性", 10, "项目结束后服务可延续")]


# the organizations after the first three (the demo login's own, one pending, one returned), in order:
# (what they apply to, how many at most, how many at least)
GROUPS = (("open", 37, 4), ("review", 20, 6), ("results", 24, 6), ("final", 9, 9))
MIN_ORGS = 3 + sum(least for _, _, least in GROUPS)


def _confirm_calendar(today, officer):
    """The demo's 公示 run from about 470 days ago (the 第八届's) to next week: the officer has confirmed those years'
    holiday arrangements as the library holds them (公示 periods are counted only in confirmed years). For a
    year whose notice the library does not carry yet (next year, late in December) the demo confirms the
    statutory holidays as an estimate and says so in the record's title, so that a demo loaded then still
    shows a 公示; a real site waits for the notice."""
    for year in range((today - timedelta(days=470)).year, today.year + 2):
        holidays, workdays = library_year(year)
        title = (f"国务院办公厅关于{year}年部分节假日安排的通知" if year in CALENDAR_YEARS
                 else f"（演示数据）{year}年法定节假日估算，未含调休，通知发布后请核对")
        calendar_ops.confirm_year(year, holidays, workdays, title, None, officer)


def _groups(orgs):
    """{group name: its organizations}: each group its full size when there are enough organizations,
    else at least its smallest size, the rest shared out in order."""
    spare = len(orgs) - MIN_ORGS
    if spare < 0:
        raise ValueError(f"演示数据至少需要{MIN_ORGS}个社会组织。")
    out, start = {}, 3
    for name, most, least in GROUPS:
        size = least + min(most - least, spare)
        spare -= size - least
        out[name], start = orgs[start:start + size], start + size
    return out


def _local(d, hour=17, minute=0):
    return local_to_utc(datetime.combine(d, time(hour, minute)))


def _place(district, keep_suffix=False):
    """A 镇街 as it reads inside a name or an address: 中山港街道（火炬开发区） → 中山港街道; without
    ``keep_suffix`` 石岐街道 → 石岐."""
    place = district.split("（")[0]
    return place if keep_suffix else place.replace("街道", "")


def _org(fake, rnd, kind, serial, used_names):
    town = rnd.choice(TOWNS)
    theme, field = rnd.choice(THEMES)
    for _ in range(20):
        name = f"中山市{_place(town)}{theme}{rnd.choice(KIND_SUFFIX[kind])}"
        if kind == OrgKind.FOUNDATION:
            name = f"中山市{theme}{rnd.choice(KIND_SUFFIX[kind])}"
        if name not in used_names:
            break
        name = name.replace("中山市", f"中山市{fake.last_name()}氏", 1) if kind == OrgKind.FOUNDATION else \
            f"中山市{_place(town, keep_suffix=True)}{theme}{rnd.choice(KIND_SUFFIX[kind])}{serial}"
    used_names.add(name)
    registered = date(rnd.randint(2008, 2024), rnd.randint(1, 12), rnd.randint(1, 28))
    fields = sorted({field, rnd.choice(THEMES)[1]})
    return Organization(
        uscc=make_uscc(KIND_CODE[kind], REGION, 50000000 + serial * 37),
        name=name, kind=kind, registration_authority="中山市民政局", registered_on=registered,
        legal_rep=fake.name(), contact_name=fake.name(), contact_phone=fake.phone_number(),
        district=town,
        address=f"广东省中山市{_place(town, keep_suffix=True)}{rnd.choice(STREETS)}{rnd.randint(1, 300)}号",
        charter_scope=f"开展{'、'.join(fields)}相关的社会服务、志愿服务、培训交流和政策倡导。",
        service_fields=",".join(fields), status=OrgStatus.VERIFIED,
        # from the serial, not from ``rnd``: the rest of the demo draws the same numbers as before
        bank_name=DEMO_BANKS[serial % len(DEMO_BANKS)], bank_account=f"4400{(serial * 7919 + 1000003) % 10**14:014d}",
        bank_account_name=name,
    )


DEMO_BANKS = ("中国工商银行中山分行", "中国农业银行中山分行", "中国建设银行中山分行", "中山农村商业银行")


def _history(rnd, org, today):
    """Rating records (some expired, some lowered) and the last five annual inspections."""
    if rnd.random() < 0.55:
        announced = date(rnd.randint(2019, today.year - 1), rnd.choice([6, 9, 12]), rnd.randint(1, 28))
        grade = rnd.choices([Grade.A5, Grade.A4, Grade.A3, Grade.A2, Grade.A1], [8, 22, 40, 20, 10])[0]
        if announced < date(2026, 3, 1):
            start, until = announced, date(announced.year + 5, announced.month, announced.day) - timedelta(days=1)
        else:
            start, until = default_validity(announced)
        record = RatingRecord(org=org, grade=grade, announced_on=announced, valid_from=start, valid_until=until)
        db.session.add(record)
        if grade.rank >= 3 and rnd.random() < 0.06:
            ended = announced + timedelta(days=400)
            record.ended_on, record.end_kind = ended, RatingEnd.LOWERED
            record.end_reason = "连续两年年检基本合格，评估等级降低一级。"
            lower = {Grade.A5: Grade.A4, Grade.A4: Grade.A3, Grade.A3: Grade.A2}[grade]
            db.session.add(RatingRecord(org=org, grade=lower, announced_on=ended, valid_from=ended,
                                        valid_until=until, note="降级后等级"))
    for year in range(max(org.registered_on.year, today.year - 5), today.year):
        result = rnd.choices(list(InspectionResult), [80, 12, 3, 5])[0]
        db.session.add(AnnualInspection(org=org, year=year, result=result))
    if rnd.random() < 0.04:
        reason = "未按规定报送年度工作报告" if rnd.random() < 0.5 else "违反章程规定开展活动，被警告。"
        db.session.add(Sanction(org=org, kind=rnd.choice([SanctionKind.ABNORMAL, SanctionKind.PENALTY]),
                                decided_on=today - timedelta(days=rnd.randint(60, 500)), reason=reason))


def _call(officer, today, *, name, edition, code, kind, status, apply_open, apply_close, levels, summary,
          categories, min_grade=None):
    call = Call(name=name, edition=edition, year=apply_close.year, code=code, kind=kind, status=status,
                summary=summary, service_categories="\n".join(categories), reference_date=apply_close,
                min_grade=min_grade, min_years_registered=1, require_inspection=True, require_no_sanctions=True,
                max_applications_per_org=2, created_by=officer,
                published_at=utcnow() - timedelta(days=(today - apply_open).days) if status != CallStatus.DRAFT
                else None)
    for lv, total, lo, hi, match in levels:
        call.levels.append(CallLevel(level=lv, budget_total=Decimal(total), min_grant=Decimal(lo),
                                     max_grant=Decimal(hi), min_match_percent=Decimal(match)))
    plan = [(StageKind.APPLY, apply_open, apply_close), (StageKind.SCREENING, apply_close + timedelta(days=1),
                                                         apply_close + timedelta(days=10)),
            (StageKind.REVIEW, apply_close + timedelta(days=12), apply_close + timedelta(days=25)),
            (StageKind.DEFENCE, apply_close + timedelta(days=28), apply_close + timedelta(days=30)),
            (StageKind.PUBLICITY, apply_close + timedelta(days=35), apply_close + timedelta(days=42))]
    for i, (kind_, start, end) in enumerate(plan):
        call.stages.append(CallStage(kind=kind_, position=i, opens_at=_local(start, 9), closes_at=_local(end, 17)))
    call.documents = [RequiredDocument(position=0, name="项目申报书（盖章扫描件）", required=True),
                      RequiredDocument(position=1, name="登记证书副本", required=True),
                      RequiredDocument(position=2, name="上年度财务审计报告", required=False)]
    call.criteria = [RubricCriterion(position=i, name=n, max_points=p, guidance=g) for i, (n, p, g) in
                     enumerate(RUBRIC)]
    db.session.add(call)
    return call


PROJECTS = [("长者幸福食堂与居家探访计划", "养老服务"), ("“时间银行”互助养老项目", "养老服务"),
            ("困境儿童成长陪伴计划", "儿童服务"), ("残障青年就业支持项目", "助残服务"),
            ("社区青少年心理健康守护行动", "青少年服务"), ("邻里议事厅社区治理项目", "社区治理"),
            ("独居长者智能关爱项目", "养老服务"), ("心智障碍者家庭喘息服务", "助残服务")]


def _org_member(org, password_hash):
    """The organization's owner account (login ``org<id>``, the demo organization password)."""
    member = User(username=f"org{org.id}", name=org.contact_name, role=Role.ORG_MEMBER, password_hash=password_hash,
                  phone=org.contact_phone)
    db.session.add(OrgMember(org=org, user=member, is_owner=True))
    return member


CN_MONTHS = "零一二三四五六七八九十"


def _term(months):
    """A contract term as the objectives say it: 一年, 六个月, 十八个月."""
    if months % 12 == 0:
        return f"{CN_MONTHS[months // 12]}年" if months // 12 <= 10 else f"{months // 12}年"
    return f"{CN_MONTHS[months]}个月" if months <= 10 else f"{months}个月"


def _objectives(months):
    """What a project promises within its call's contract term (a 6-month contract never promises 一年内), the
    targets in proportion to the term."""
    share = Decimal(months) / 12
    served, events, volunteers = (int(Decimal(n) * share) for n in (200, 48, 30))
    return f"项目周期（{_term(months)}）内直接服务{served}人，开展活动{events}场，培育志愿者{volunteers}名。"


def _plan(months):
    if months >= 12:
        return "第一季度需求评估与志愿者招募；第二、三季度开展常态服务；第四季度总结评估。"
    return f"第1个月需求评估与志愿者招募；第2至{months - 1}个月开展常态服务；第{months}个月总结评估。"


def _application(rnd, call, org, member, status, number=None):
    title, category = rnd.choice(PROJECTS)
    level = call.levels[0]
    grant = Decimal(rnd.randrange(int(level.min_grant), int(level.max_grant) + 1, 1000))
    matched = (grant * Decimal(level.min_match_percent) / (100 - Decimal(level.min_match_percent))).quantize(
        Decimal("1")) + 2000
    app = Application(call=call, org=org, level=level.level, category=category, title=title,
                      summary=f"{org.name}拟在服务片区开展{title}，回应社区真实需求。",
                      need_analysis="经入户调研，服务片区内有相关需求的居民约300人，现有服务覆盖不足三成。",
                      objectives=_objectives(call.contract_months), activity_plan=_plan(call.contract_months),
                      beneficiaries="社区内有需要的居民及其家庭", target_count=rnd.choice([120, 200, 300, 500]),
                      area_served=org.address[6:12] if len(org.address) > 12 else "中山市",
                      # most projects serve the organization's own 镇街, some another one
                      district=org.district if rnd.random() < 0.8 else rnd.choice(TOWNS),
                      team="项目主管1名（中级社工师），一线社工2名，志愿者30名。", status=status,
                      created_by=member, number=number)
    lines = [("人员经费", "社工服务补贴", grant * Decimal("0.6"), FundSource.GRANT),
             ("活动经费", "活动物资与场地", grant * Decimal("0.4"), FundSource.GRANT),
             ("活动经费", "机构自筹及企业配套", matched, FundSource.MATCHED)]
    for i, (cat, item, amount, source) in enumerate(lines):
        app.budget_lines.append(BudgetLine(position=i, category=cat, item=item,
                                           amount=Decimal(amount).quantize(Decimal("0.01")), source=source))
    app.total_budget = sum((b.amount for b in app.budget_lines), Decimal("0.00"))
    app.requested_amount = sum((b.amount for b in app.budget_lines if b.source == FundSource.GRANT),
                               Decimal("0.00"))
    app.matched_amount = app.total_budget - app.requested_amount
    if status != AppStatus.DRAFT:
        app.submitted_at = utcnow() - timedelta(days=rnd.randint(1, 5))
    db.session.add(app)
    return app


def load(seed=2026, org_count=200):
    """Load the demo data into an empty database (``org_count`` ≥ ``MIN_ORGS``; flushes, never commits).
    Returns the demo logins."""
    rnd = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    today = local_today()
    with audit_action("demo.load"):
        users = {}
        for username, name, role, password in DEMO_LOGINS:
            users[username] = User(username=username, name=name, role=role, password_hash=hash_password(password),
                                   phone=fake.phone_number(), email=f"{username}@example.gov.cn")
            db.session.add(users[username])
        db.session.flush()
        _confirm_calendar(today, users["officer"])
        experts = [users["expert"]]
        for i in range(2, 16):
            experts.append(User(username=f"expert{i}", name=fake.name(), role=Role.EXPERT,
                                password_hash=users["expert"].password_hash, phone=fake.phone_number()))
            db.session.add(experts[-1])
        for user in experts:
            employer, title = rnd.choice(EMPLOYERS)
            fields = sorted({rnd.choice(THEMES)[1], rnd.choice(THEMES)[1]})
            db.session.add(ExpertProfile(user=user, title=title, employer=employer, fields=",".join(fields),
                                         bio=f"长期从事{'、'.join(fields)}领域的研究与实务督导。", load_limit=20))
        kinds = [OrgKind.SOCIAL_SERVICE] * 110 + [OrgKind.SOCIAL_GROUP] * 70 + [OrgKind.FOUNDATION] * 20
        orgs, used_names = [], set()
        for serial in range(org_count):
            org = _org(fake, rnd, kinds[serial % len(kinds)], serial, used_names)
            db.session.add(org)
            _history(rnd, org, today)
            orgs.append(org)
        orgs[1].status = OrgStatus.PENDING
        orgs[2].status = OrgStatus.RETURNED
        orgs[2].review_note = "登记证书扫描件不清晰，请重新上传。"
        groups = _groups(orgs)
        home = orgs[0]
        home.name, home.kind = "中山市石岐长者关爱社会工作服务中心", OrgKind.SOCIAL_SERVICE
        home.registered_on = date(2015, 3, 18)
        for record in list(home.ratings):
            db.session.expunge(record)
        db.session.add(RatingRecord(org=home, grade=Grade.A4, announced_on=date(2023, 12, 20),
                                    valid_from=date(2023, 12, 20), valid_until=date(2028, 12, 19)))
        db.session.add(OrgMember(org=home, user=users["org"], is_owner=True))
        officer = users["officer"]

        open_call = _call(
            officer, today, name="“博爱100”公益创投活动", edition="第十二届", code="BA100",
            kind=CallKind.VENTURE, status=CallStatus.PUBLISHED, apply_open=today - timedelta(days=10),
            apply_close=today + timedelta(days=20),
            levels=[(Level.CITY, "800000", "30000", "80000", "40"), (Level.TOWN, "600000", "10000", "30000", "30"),
                    (Level.COMMUNITY, "200000", "5000", "10000", "20")],
            summary="为激发社会组织活力、培育公益精神，市民政局联合市慈善总会开展第十二届“博爱100”公益创投活动，"
                    "面向全市征集养老、助残、青少年、社区治理等领域的公益项目。政府种子资金、社会配套资金与"
                    "社会组织自筹资金共同投入（“1+1+1”）。",
            categories=["养老服务", "助残服务", "青少年服务", "儿童服务", "社区治理", "社会救助"])
        soon_call = _call(
            officer, today, name="政府购买社会组织服务项目（居家养老）", edition=f"{today.year}年度", code="GM-YL",
            kind=CallKind.PURCHASE, status=CallStatus.PUBLISHED, apply_open=today - timedelta(days=25),
            apply_close=today + timedelta(days=2),
            levels=[(Level.CITY, "1500000", "200000", "500000", "0")], min_grade=Grade.A3,
            summary="市民政局拟向具备资质的社会组织购买居家养老上门服务，服务期一年，按服务成效分期拨付。",
            categories=["居家养老", "长者助餐", "康复护理"])
        # the purchase's method and funding sources (issue 14): 竞争性磋商, 专项资金 + 福彩公益金 = the budget
        soon_call.purchase_method = PurchaseMethod.CONSULTATION
        soon_call.funding_sources = [
            FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("1000000.00")),
            FundingSource(position=1, kind=FundingSourceKind.LOTTERY, amount=Decimal("500000.00"))]
        _call(officer, today, name="政府购买社会组织服务项目（社区矫正）", edition=f"{today.year + 1}年度",
              code="GM-JZ", kind=CallKind.PURCHASE, status=CallStatus.DRAFT, apply_open=today + timedelta(days=30),
              apply_close=today + timedelta(days=60),
              levels=[(Level.CITY, "900000", "150000", "300000", "0")],
              summary="（草稿）拟购买社区矫正对象心理辅导与帮扶服务。", categories=["社区矫正", "心理辅导"])
        db.session.flush()
        demo_catalogue.load(officer, soon_call.year, soon_call)  # the year's 购买服务目录 (issue 14)

        members = {}
        for org in groups["open"]:
            members[org.id] = User(username=f"org{org.id}", name=org.contact_name, role=Role.ORG_MEMBER,
                                   password_hash=users["org"].password_hash, phone=org.contact_phone)
            db.session.add(OrgMember(org=org, user=members[org.id], is_owner=True))
        _application(rnd, open_call, home, users["org"], AppStatus.DRAFT)
        _application(rnd, soon_call, home, users["org"], AppStatus.SUBMITTED, number="GM-YL-2026-0001")
        plan = [AppStatus.SUBMITTED] * 18 + [AppStatus.DRAFT] * 8 + [AppStatus.RETURNED] * 3 + \
               [AppStatus.WITHDRAWN] * 2
        seq = 1
        for org, status in zip(groups["open"], plan):
            number = None
            if status != AppStatus.DRAFT:
                seq += 1
                number = f"BA100-{open_call.year}-{seq:04d}"
            app = _application(rnd, open_call, org, members[org.id], status, number=number)
            if status == AppStatus.RETURNED:
                app.return_reason = "预算明细中“活动经费”未列明单价和数量，请补充后重新提交。"
                app.revise_until = _local(today + timedelta(days=5))
            if status == AppStatus.SUBMITTED and seq % 4 == 0:
                app.screening = Screening.PASSED
                app.screened_by_id = officer.id
                app.screened_at = utcnow()
                app.screening_checks = [{"code": "verified", "passed": True, "reason": "机构已认证"}]
        db.session.flush()
        _review_demo(rnd, today, officer, groups["review"], users["expert"], users["org"].password_hash)
        _results_demo(rnd, today, officer, groups["results"], users["org"].password_hash)
        _final_demo(rnd, today, officer, home, users["org"], groups["final"], users["org"].password_hash)
        _sign_pledges()
        waiting_leader = User(username="team2", name="陈美玲", role=Role.ORG_MEMBER,
                              password_hash=users["team"].password_hash, phone=fake.phone_number())
        db.session.add(waiting_leader)
        db.session.flush()
        demo_teams.load(open_call, home, users["team"], users["org"], waiting_leader)
    return [(u, n, r, p) for u, n, r, p in DEMO_LOGINS]


def _sign_pledges():
    """Every submitted application signed its call's 诚信承诺书 when it was submitted, by the legal representative."""
    db.session.flush()
    for app in db.session.scalars(sa.select(Application).where(Application.submitted_at.is_not(None))):
        app.pledge_signer, app.pledge_signed_at = app.org.legal_rep, app.submitted_at
        app.pledge_text = pledge_text(app.call)
    db.session.flush()


def _review_demo(rnd, today, officer, orgs, expert_user, org_password_hash):
    """The previous edition, now in expert review: screened applications, drawn panels, some scores."""

    call = _call(officer, today, name="“博爱100”公益创投活动", edition="第十一届", code="BA099",
                 kind=CallKind.VENTURE, status=CallStatus.PUBLISHED, apply_open=today - timedelta(days=60),
                 apply_close=today - timedelta(days=25),
                 levels=[(Level.CITY, "800000", "30000", "80000", "40"),
                         (Level.TOWN, "600000", "10000", "30000", "30")],
                 summary="第十一届“博爱100”公益创投活动已截止申报，目前处于专家评审阶段。",
                 categories=["养老服务", "助残服务", "青少年服务", "儿童服务", "社区治理"])
    db.session.flush()
    for i, org in enumerate(orgs):
        member = _org_member(org, org_password_hash)
        app = _application(rnd, call, org, member, AppStatus.SUBMITTED, number=f"BA099-{call.year}-{i + 1:04d}")
        app.submitted_at = utcnow() - timedelta(days=30 - i % 5)
        app.screening, app.screened_by_id, app.screened_at = Screening.PASSED, officer.id, utcnow()
    review_round = ReviewRound(call=call, name="初评", status=RoundStatus.OPEN, position=0,
                               opens_at=_local(today - timedelta(days=5), 9),
                               closes_at=_local(today + timedelta(days=7)), panel_size=5, load_limit=30,
                               weight_percent=Decimal("60"))
    review_round.criteria = [RoundCriterion(position=c.position, name=c.name, max_points=Decimal(c.max_points),
                                            guidance=c.guidance) for c in call.criteria]
    db.session.add(review_round)
    db.session.flush()
    draw_all(review_round, officer)
    db.session.flush()
    for assignment in review_round_assignments(review_round):
        if assignment.expert_id == expert_user.id and rnd.random() < 0.6:
            continue  # the demo expert still has work to do
        if rnd.random() < 0.25:
            continue
        quality = rnd.uniform(0.55, 0.95)
        scores = [ReviewScore(criterion_id=c.id, points=Decimal(round(float(c.max_points) * min(1, quality +
                                                                       rnd.uniform(-0.1, 0.1)))))
                  for c in review_round.criteria]
        db.session.add(Review(assignment=assignment, status=ReviewStatus.SUBMITTED, scores=scores,
                              total=sum((x.points for x in scores), Decimal(0)), submitted_at=utcnow(),
                              comment="项目需求调研较充分，活动设计可行；建议细化预算测算依据和成效评估指标。"))
    # and the public vote that counts 20% (东莞 2011), open for the week: citizens may try it (公众投票)
    vote = vote_ops.create_vote_round(call, officer, vote_ops.VoteRoundData(
        "公众投票", _local(today - timedelta(days=2), 9), _local(today + timedelta(days=5), 20), EntryRule.SCREENED,
        None, None, 3, 10, Decimal("20"), True))
    vote_ops.open_vote(vote, db.session.get(VoteRound, vote.id), officer, utcnow())
    _defence_day(today, officer, call)


DEFENCE_VENUE = "中山市社会组织孵化基地二楼路演厅"


def _defence_day(today, officer, call):
    """The 第十一届's 现场答辩 (20% of the final score) in ten days: the running order drawn at random (seed
    logged) and two half-days of slots — 15 minutes each with a 5-minute change — every applicant told its slot."""
    rnd = ReviewRound(call=call, name="现场答辩", kind=RoundKind.DEFENCE, status=RoundStatus.DRAFT, position=2,
                      opens_at=_local(today + timedelta(days=10), 8), closes_at=_local(today + timedelta(days=11), 18),
                      panel_size=5, load_limit=30, weight_percent=Decimal("20"), entry_rule=EntryRule.SCREENED)
    rnd.criteria = [RoundCriterion(position=c.position, name=c.name, max_points=Decimal(c.max_points),
                                   guidance=c.guidance) for c in call.criteria]
    db.session.add(rnd)
    db.session.flush()
    def link(application):
        return f"/applications/{application.id}"

    defence.draw_order(rnd, officer, link_for=link)
    entrants = len(defence.latest_draw(rnd).order)
    bring = "项目汇报PPT（不超过10页）、机构登记证书复印件、法定代表人授权委托书"
    for offset, count in ((10, (entrants + 1) // 2), (11, None)):
        defence.schedule_day(rnd, defence.DayPlan(
            day=today + timedelta(days=offset), first_start=time(9, 0), minutes=15, break_minutes=5, count=count,
            venue=DEFENCE_VENUE, bring=bring), officer, link_for=link)
    return rnd


def _results_demo(rnd, today, officer, orgs, org_password_hash):
    """The edition before, in 公示: every review in, tier rules applied, the award proposal published
    yesterday (so the public results page and objections can be tried)."""

    call = _call(officer, today, name="“博爱100”公益创投活动", edition="第十届", code="BA098",
                 kind=CallKind.VENTURE, status=CallStatus.PUBLISHED, apply_open=today - timedelta(days=120),
                 apply_close=today - timedelta(days=80),
                 levels=[(Level.CITY, "400000", "30000", "80000", "40"),
                         (Level.TOWN, "150000", "10000", "30000", "30")],
                 summary="第十届“博爱100”公益创投活动已完成专家评审，拟资助项目正在公示。",
                 categories=["养老服务", "助残服务", "青少年服务", "儿童服务", "社区治理"])
    call.tier_rules = {"bonus_by_grade": {"5A": "3", "4A": "2", "3A": "1"}, "tier_first_tiebreak": True,
                       "reserved_share_percent": "30", "cap_by_grade": {"1A": "30000", "unrated": "40000"}}
    call.matched_bonus_per_wan, call.matched_bonus_cap = Decimal("1"), Decimal("5")
    call.reserve_per_level = 2
    db.session.flush()
    for i, org in enumerate(orgs):
        member = _org_member(org, org_password_hash)
        app = _application(rnd, call, org, member, AppStatus.SUBMITTED, number=f"BA098-{call.year}-{i + 1:04d}")
        app.level = Level.CITY if i % 3 else Level.TOWN
        if app.level == Level.TOWN:
            _town_budget(app)
        app.submitted_at = utcnow() - timedelta(days=90 - i % 5)
        app.screening, app.screened_by_id, app.screened_at = Screening.PASSED, officer.id, utcnow()
    _closed_round(rnd, call, officer, today - timedelta(days=40), today - timedelta(days=20))
    award_ops.generate(call, officer, utcnow())
    proposal = proposal_of(call)
    publicity.publish(proposal, officer, utcnow() - timedelta(days=1), call.publicity_days)


def _closed_round(rnd, call, officer, opens_on, closes_on, quality=None):
    """The call's first round, drawn and closed with every review in; ``quality`` ({application id: 0–1})
    fixes how well some applications score, the others are drawn at random."""

    review_round = ReviewRound(call=call, name="初评", status=RoundStatus.OPEN, position=0,
                               opens_at=_local(opens_on, 9), closes_at=_local(closes_on), panel_size=5,
                               load_limit=60)
    review_round.criteria = [RoundCriterion(position=c.position, name=c.name, max_points=Decimal(c.max_points),
                                            guidance=c.guidance) for c in call.criteria]
    db.session.add(review_round)
    db.session.flush()
    draw_all(review_round, officer)
    db.session.flush()
    quality = dict(quality or {})
    for assignment in review_round_assignments(review_round):
        base = quality.setdefault(assignment.application_id, rnd.uniform(0.6, 0.92))
        _submitted_review(rnd, assignment, review_round, base)
    review_round.status = RoundStatus.CLOSED
    db.session.flush()
    return review_round


def _town_budget(app):
    """A 镇级 budget: 2.5万 requested, 1.5万 matched."""
    app.budget_lines = [
        BudgetLine(position=0, category="活动经费", item="社区活动物资与场地", amount=Decimal("25000.00"),
                   source=FundSource.GRANT),
        BudgetLine(position=1, category="人员经费", item="机构自筹社工补贴", amount=Decimal("15000.00"),
                   source=FundSource.MATCHED)]
    app.total_budget, app.requested_amount, app.matched_amount = (Decimal("40000.00"), Decimal("25000.00"),
                                                                  Decimal("15000.00"))


def _submitted_review(rnd, assignment, review_round, quality):

    scores = [ReviewScore(criterion_id=c.id, points=Decimal(round(float(c.max_points) * min(1, quality +
                                                                   rnd.uniform(-0.08, 0.08)))))
              for c in review_round.criteria]
    db.session.add(Review(assignment=assignment, status=ReviewStatus.SUBMITTED, scores=scores,
                          total=sum((x.points for x in scores), Decimal(0)), submitted_at=utcnow(),
                          comment="项目定位清晰，服务对象明确；建议加强志愿者培训和成效评估。"))


def review_round_assignments(review_round):

    return db.session.scalars(db.select(Assignment).where(Assignment.round_id == review_round.id)
                              .order_by(Assignment.id)).all()


# --- the 第九届: final results, notices, contracts, payments, reports ----------------------------------------

HOME_PROJECT = ("石岐街道长者助餐与居家探访计划", "养老服务")


def _decided_call(rnd, today, officer, applicants, final_days_ago, *, edition, code, levels, summary,
                  quality=None, named=None):
    """A call of the “博爱100” series whose results became final ``final_days_ago`` days ago, after the usual
    steps at their usual distances (application, screening, one review round, proposal, 公示), every applicant's
    入选/未入选 notice issued (PDF) the day after. ``applicants``: [(org, member)]; ``quality``: {position in
    ``applicants``: 0–1}; ``named``: {position: (title, service field)}. Returns the call, its applications and
    its awards (by level, rank)."""
    final = today - timedelta(days=final_days_ago)
    call = _call(officer, today, name="“博爱100”公益创投活动", edition=edition, code=code, kind=CallKind.VENTURE,
                 status=CallStatus.PUBLISHED, apply_open=final - timedelta(days=95),
                 apply_close=final - timedelta(days=55), levels=levels, summary=summary,
                 categories=["养老服务", "助残服务", "青少年服务", "儿童服务", "社区治理"])
    call.reserve_per_level = 1
    call.contract_months, call.report_every_months = 6, 2
    db.session.flush()
    apps = []
    for i, (org, member) in enumerate(applicants):
        app = _application(rnd, call, org, member, AppStatus.SUBMITTED, number=f"{code}-{call.year}-{i + 1:04d}")
        if i and i % 3 == 0 and len(levels) > 1:
            app.level = Level.TOWN
            _town_budget(app)
        app.submitted_at = _local(final - timedelta(days=57 + i % 5), 15)
        app.screening, app.screened_by_id = Screening.PASSED, officer.id
        app.screened_at = _local(final - timedelta(days=47), 10)
        app.title, app.category = (named or {}).get(i, (app.title, app.category))
        apps.append(app)
    db.session.flush()
    _closed_round(rnd, call, officer, final - timedelta(days=43), final - timedelta(days=30),
                  quality={apps[i].id: q for i, q in (quality or {}).items()})
    now = utcnow()
    award_ops.generate(call, officer, now - timedelta(days=final_days_ago + 25))
    proposal = proposal_of(call)
    publicity.publish(proposal, officer, now - timedelta(days=final_days_ago + 20), call.publicity_days)
    confirmed = now - timedelta(days=final_days_ago)
    proposal.ends_at = min(proposal.ends_at, confirmed - timedelta(hours=1))  # 公示 over, whatever the holidays
    publicity.confirm(proposal, officer, confirmed, link_for=lambda a: f"/applications/{a.application_id}")
    awards = db.session.scalars(db.select(Award).where(Award.proposal_id == proposal.id)
                                .order_by(Award.level, Award.rank.is_(None), Award.rank, Award.id)).all()
    notified = _local(to_local(confirmed).date() + timedelta(days=1), 10)
    for award in awards:  # sent the day after the results became final, before any contract
        doc = doc_ops.issue_document(award, doc_ops.notice_kind(award), officer, enqueue=False)
        _render_dated(doc, notified)
    return call, apps, awards


def _final_demo(rnd, today, officer, home, home_user, orgs, org_password_hash):
    """Two editions whose results are final, so that every document follows from the one before within the
    time it gave (a 入选通知书 asks for the contract within ``SIGNING_DAYS``, 15 days):

    - the 第九届 (final 80 days ago): the demo organization's project and the other selected projects 履行中 from
      60 days ago (contracts signed within the notices' deadline, first tranche paid; the demo organization's
      first progress report waiting for review, matched funds recorded, a 整改 open, a third-party visit); one
      city project whose contract was never signed is recorded 20 days ago as 合同签订前终止 and the city reserve
      promoted (递补): its new notice, contract issued and signed scan uploaded — 待确认; one town project that
      never signed is recorded 10 days ago the same way and the town reserve promoted: its contract issued —
      待签署, its notice's deadline not yet past;
    - the 第八届 (final a year before the 第九届), among some of the same organizations: every selected project
      ran its six months and is 已结项."""

    members = {org.id: home_user if org is home else _org_member(org, org_password_hash) for org in [home, *orgs]}
    call, apps, awards = _decided_call(
        rnd, today, officer, [(org, members[org.id]) for org in [home, *orgs]], 80, edition="第九届", code="BA097",
        # 31万 + 5万: the levels' 36万 is what the two funding sources below add up to
        levels=[(Level.CITY, "310000", "30000", "80000", "40"), (Level.TOWN, "50000", "10000", "30000", "30")],
        summary="第九届“博爱100”公益创投活动评审结果已确定，入选项目已签订资助协议，正在实施。", quality={0: 0.95},
        named={0: HOME_PROJECT})
    # its money (issue 14): 专项资金 and 福彩公益金 add up to the levels' 360,000; open data and statistics split
    # each award between them (calls/sources.py)
    call.funding_sources = [
        FundingSource(position=0, kind=FundingSourceKind.SPECIAL_FUND, amount=Decimal("240000.00")),
        FundingSource(position=1, kind=FundingSourceKind.LOTTERY, amount=Decimal("120000.00"))]
    db.session.flush()
    selected = [a for a in awards if a.final_status == FinalStatus.SELECTED]
    home_award = next(a for a in selected if a.application_id == apps[0].id)
    # one project of each level never signs: the city's largest award (so that the city reserve fits in what it
    # frees) and the town's last
    others = [a for a in selected if a is not home_award]
    unsigned = {Level.CITY: max((a for a in others if a.level == Level.CITY), key=lambda a: (a.amount, -a.id)),
                Level.TOWN: [a for a in others if a.level == Level.TOWN][-1]}
    home_contract = _active_project(today, officer, home_award)
    for award in selected:
        if award is home_award:
            continue
        contract = _issued_contract(officer, award, today - timedelta(days=60))
        if award not in unsigned.values():
            _sign_and_confirm(contract, officer, award)
            _pay(contract, sorted(contract.tranches, key=lambda t: t.position)[0], officer,
                 today - timedelta(days=53))
    city_reserve = _promote(officer, unsigned[Level.CITY], today - timedelta(days=20))
    _signed_contract(officer, city_reserve, today + timedelta(days=2), signed_on=today - timedelta(days=8))
    town_reserve = _promote(officer, unsigned[Level.TOWN], today - timedelta(days=10))
    _issued_contract(officer, town_reserve, today + timedelta(days=10))
    demo_inspection.load(officer, call, home_contract, today, utcnow())  # the third party's confirmed visit

    # a year before the 第九届, to the day: always the year before, whatever today is
    _earlier, _apps, earlier_awards = _decided_call(
        rnd, today, officer, [(org, members[org.id]) for org in orgs[:4]], 80 + 365, edition="第八届", code="BA087",
        levels=[(Level.CITY, "120000", "30000", "80000", "40")],
        summary="第八届“博爱100”公益创投活动评审结果已确定，入选项目均已结项。")
    for award in earlier_awards:
        if award.final_status == FinalStatus.SELECTED:
            _closed_project(today, officer, award, today - timedelta(days=80 + 365 - 18))


UNSIGNED_REASON = "入选通知书载明的签约期限已过，该单位未签订资助协议，亦未说明正当理由，视为自动放弃入选资格"


def _promote(officer, award, day):
    """``award`` recorded on ``day`` as 合同签订前终止 (its issued contract never signed: 已终止) and the level's
    reserve promoted; the reserve's new 入选通知书 dated the next day. Returns the promoted award."""
    promoted = promotion.drop_and_promote(award, officer, promotion.DropCause.UNSIGNED, UNSIGNED_REASON,
                                          _local(day, 16), link_for=lambda a: f"/applications/{a.application_id}")
    if promoted is None:  # the story needs it: the levels' budgets are set so that the reserve fits
        raise RuntimeError("演示数据：候补项目超出该级别剩余预算，无法递补。")
    notice = db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.award_id == promoted.id, IssuedDocument.kind == DocumentKind.SELECTION_NOTICE)
        .order_by(IssuedDocument.id.desc())).first()
    _render_dated(notice, _local(day + timedelta(days=1), 10))
    return promoted


def _scan():
    """A signed and sealed contract page, scanned: a small PNG with lines of text and a red seal."""

    page = Image.new("RGB", (420, 594), "white")
    draw = ImageDraw.Draw(page)
    for y in range(60, 440, 22):
        draw.line((50, y, 370 if y % 88 else 260, y), fill=(120, 120, 120), width=2)
    draw.ellipse((250, 450, 350, 550), outline=(200, 30, 30), width=5)
    out = io.BytesIO()
    page.save(out, format="PNG")
    return FileStorage(stream=io.BytesIO(out.getvalue()), filename="签署版资助协议.png", content_type="image/png")


def _render_dated(doc, at):
    """Render ``doc`` as issued at ``at`` (aware UTC, in the past): the printed date and its record agree, so the
    demo's documents follow one another in the order the story tells."""
    doc.body = dated(doc.body, to_local(at).date())
    render_one(doc)
    doc.issued_at = at
    return doc


def _issued_contract(officer, award, starts_on):
    """待签署: the contract issued (twelve days before its term starts) and its PDF rendered (the render job
    queued by ``issue_contract`` then finds nothing left to do)."""

    contract = contract_ops.issue_contract(award, officer, starts_on, link=f"/awards/{award.id}/contract")
    _render_dated(contract.document, _local(starts_on - timedelta(days=12), 10))
    return contract


def _signed_contract(officer, award, starts_on, signed_on=None):
    """待确认: issued, and the organization's signed scan uploaded (on ``signed_on``, or six days before the
    term)."""

    contract = _issued_contract(officer, award, starts_on)
    member = award.application.org.members[0].user
    contract_ops.upload_signed(contract, member, _scan(), link=f"/manage/awards/{award.id}/contract")
    contract.signed_uploaded_at = _local(signed_on or starts_on - timedelta(days=6), 11)
    db.session.flush()
    return contract, member


def _sign_and_confirm(contract, officer, award):
    """An issued contract signed by the organization six days before its term and confirmed three days before."""
    member = award.application.org.members[0].user
    contract_ops.upload_signed(contract, member, _scan(), link=f"/manage/awards/{award.id}/contract")
    contract_ops.confirm_signed(contract, officer, link=f"/awards/{award.id}/contract")
    contract.signed_uploaded_at = _local(contract.starts_on - timedelta(days=6), 11)
    contract.confirmed_at = _local(contract.starts_on - timedelta(days=3), 15)
    db.session.flush()
    return member


def _active_contract(officer, award, starts_on):
    """履行中 from ``starts_on``: signed and confirmed (the reports are scheduled), its steps dated just
    before the start so that the project's timeline reads in order."""

    contract = _issued_contract(officer, award, starts_on)
    return contract, _sign_and_confirm(contract, officer, award)


def _pay(contract, tranche, officer, paid_on):

    return record_payment(contract, tranche, officer, paid_on, tranche.amount,
                          f"ZSCZ{paid_on:%Y%m%d}{contract.id:03d}{tranche.position}")


REPORT_TEXT = {
    "progress": ("完成服务对象需求评估，开展入户探访36次、社区活动4场，招募并培训志愿者18名。",
                 "建立服务对象档案40份，志愿者队伍稳定开展每周探访。"),
    "midterm": ("常态化开展助餐配送与居家探访，举办健康讲座6场，组织邻里互助小组3个。",
                "服务对象满意度调查显示满意率95%，完成计划服务量的一半以上。"),
    "final": ("全周期开展探访与活动共计210场次，形成服务手册一册，召开项目总结分享会。",
              "直接服务210人，志愿者累计服务1,800小时，社区互助网络初步形成，服务将由街道持续支持。"),
}


def _report_data(report, share, served):
    """What the organization writes in ``report``: the texts for its kind and ``share`` of each budget line
    spent."""

    activities, outcomes = REPORT_TEXT[report.kind.value]
    return mon.ReportData(activities=activities, served_count=served, outcomes=outcomes,
                          spent=[(line.amount * share).quantize(Decimal("0.01")) for line in mon.budget_lines(report)])


def _active_project(today, officer, award):
    """The demo organization's project, 履行中 for two months."""

    starts_on = today - timedelta(days=60)
    contract, member = _active_contract(officer, award, starts_on)
    tranches = sorted(contract.tranches, key=lambda t: t.position)
    _pay(contract, tranches[0], officer, starts_on + timedelta(days=7))
    save_matched_fund(award, member, {
        "source_kind": FundSourceKind.ENTERPRISE, "source_name": "中山市岐江实业有限公司", "name_public": True,
        "pledged": Decimal("20000.00"), "received": Decimal("12000.00"),
        "pledged_on": starts_on - timedelta(days=20), "received_on": starts_on + timedelta(days=12),
        "note": "企业配套资金，余款约定于中期评估后到账。"})
    report = next(r for r in mon.reports_of(contract) if r.kind == ReportKind.PROGRESS)
    mon.save_report(report, member, _report_data(report, Decimal("0.3"), 86), utcnow() - timedelta(hours=3),
                    submit=True)
    _open_rectification(today, officer, contract)
    return contract


RECTIFICATION_FINDINGS = ("入户探访记录缺少服务对象签名确认，部分记录无法核实\n"
                          "志愿者培训未按项目书计划开展，培训台账不完整")


def _open_rectification(today, officer, contract):
    """An on-site check four days ago found gaps: a 整改 is open on the project (its 整改通知书 issued, the tranches
    not yet paid paused), waiting for the organization's 整改报告 by ten days from now, 17:00."""
    opened = _local(today - timedelta(days=4), 15)
    case = rect.open_case(contract, officer, RECTIFICATION_FINDINGS, _local(today + timedelta(days=10)), opened,
                          link_for=lambda c: f"/rectifications/{c.id}")
    _render_dated(case.document, opened)
    return case


def _closed_project(today, officer, award, starts_on):
    """A project that ran its six months from ``starts_on``: every report accepted, 中期评估 and 结项验收 passed,
    every tranche paid, closed."""

    contract, member = _active_contract(officer, award, starts_on)
    link = f"/projects/{contract.id}/timeline"
    tranches = sorted(contract.tranches, key=lambda t: t.position)
    _pay(contract, tranches[0], officer, starts_on + timedelta(days=7))
    share = {ReportKind.PROGRESS: Decimal("0.3"), ReportKind.MIDTERM: Decimal("0.5"), ReportKind.FINAL: Decimal("1")}
    for report in mon.reports_of(contract):  # in due order: 进度, 中期, 进度, 结项
        filed = min(report.period_end + timedelta(days=5), today - timedelta(days=13))
        served = 210 if report.kind == ReportKind.FINAL else 60
        mon.save_report(report, member, _report_data(report, share[report.kind], served), _local(filed, 16),
                        submit=True)
        mon.accept_report(report, officer, _local(filed + timedelta(days=3), 10), link=f"/reports/{report.id}")
        if report.kind == ReportKind.MIDTERM:
            mon.record_evaluation(contract, officer, EvaluationStage.MIDTERM, EvaluationGrade.GOOD, Decimal("86"),
                                  "项目按计划推进，服务记录完整；建议加强志愿者督导。",
                                  _local(filed + timedelta(days=5), 15), link=link)
            _pay(contract, tranches[1], officer, filed + timedelta(days=8))
        elif report.kind == ReportKind.FINAL:
            mon.record_evaluation(contract, officer, EvaluationStage.ACCEPTANCE, EvaluationGrade.EXCELLENT,
                                  Decimal("92"), "目标全面完成，资金使用规范，服务成效获社区认可，验收优秀。",
                                  _local(filed + timedelta(days=5), 15), link=link)
            _pay(contract, tranches[2], officer, filed + timedelta(days=7))
            mon.close_project(contract, officer, _local(filed + timedelta(days=8), 16), link=link)
