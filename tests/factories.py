"""Test data that looks like a real city's (Faker zh_CN). Factories commit, as a request would."""
import functools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory
from faker import Faker

from grantportal.accounts.models import User
from grantportal.accounts.passwords import hash_password
from grantportal.applications.models import Application, AppStatus, BudgetLine, FundSource
from grantportal.calls.models import (
    Call,
    CallKind,
    CallLevel,
    CallStage,
    CallStatus,
    Level,
    RequiredDocument,
    RubricCriterion,
    StageKind,
)
from grantportal.citizens.models import Citizen
from grantportal.citizens.operations import CONSENT_VERSION
from grantportal.core.db import db, utcnow
from grantportal.core.districts import ZHONGSHAN
from grantportal.core.masking import mask_phone
from grantportal.core.roles import Role
from grantportal.core.uscc import make_uscc
from grantportal.orgs.models import (
    AnnualInspection,
    Grade,
    InspectionResult,
    Organization,
    OrgKind,
    OrgMember,
    OrgStatus,
    RatingRecord,
)
from grantportal.orgs.tiers import default_validity

fake = Faker("zh_CN")
PASSWORD = "Test-password-2026"


@functools.cache
def hashed_password():
    """PASSWORD hashed once per process, with the hasher in use when first asked (tests/speedups.py)."""
    return hash_password(PASSWORD)

KIND_CATEGORY = {OrgKind.SOCIAL_GROUP: "1", OrgKind.SOCIAL_SERVICE: "2", OrgKind.FOUNDATION: "3",
                 OrgKind.OTHER: "9"}


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.LazyFunction(fake.name)
    phone = factory.LazyFunction(fake.phone_number)
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    role = Role.ORG_MEMBER
    password_hash = factory.LazyFunction(hashed_password)

    class Params:
        officer = factory.Trait(role=Role.OFFICER)
        expert = factory.Trait(role=Role.EXPERT)
        auditor = factory.Trait(role=Role.AUDITOR)
        admin = factory.Trait(role=Role.ADMIN)


def mobile_number(n):
    """A mainland mobile number from Faker zh_CN, unique in the run (the sequence number as its last digits)."""
    return fake.phone_number()[:7] + f"{n % 10000:04d}"


class CitizenFactory(Base):
    """A citizen (公众) who signed in with an SMS code: the account (role 公众, masked number as its name, no
    usable password) and its citizen row."""

    class Meta:
        model = Citizen

    phone = factory.Sequence(mobile_number)
    user = factory.SubFactory(
        UserFactory, role=Role.CITIZEN, username=factory.Sequence(lambda n: f"citizen-test{n}"), phone=None,
        email=None, password_hash="!unusable", name=factory.LazyAttribute(lambda o: mask_phone(o.factory_parent.phone)))
    phone_verified_at = factory.LazyFunction(utcnow)
    consent_version = CONSENT_VERSION
    consented_at = factory.LazyFunction(utcnow)


# An organization's legal representative and contact get a three-character given name (four characters in
# all), which Faker's zh_CN names (two or three characters) never produce: an expert with a random name can
# then never collide with them by chance, which would be a detected conflict (专家姓名与申报机构法定代表人相同).
# Tests of that detection set the names explicitly.
ORG_GIVEN_NAMES = ["嘉慧琳", "思远航", "晓梦然", "雅婷芳", "志宏伟", "静怡婷", "俊杰明", "晨曦悦"]


def _org_person():
    return fake.last_name() + fake.random_element(ORG_GIVEN_NAMES)


class OrganizationFactory(Base):
    class Meta:
        model = Organization

    kind = OrgKind.SOCIAL_SERVICE
    uscc = factory.LazyAttributeSequence(lambda o, n: make_uscc(KIND_CATEGORY[o.kind], "442000", 10000 + n))
    name = factory.Sequence(lambda n: f"中山市{fake.city_name()}社会工作服务中心{n}")
    registration_authority = "中山市民政局"
    registered_on = date(2018, 5, 10)
    legal_rep = factory.LazyFunction(_org_person)
    contact_name = factory.LazyFunction(_org_person)
    contact_phone = factory.LazyFunction(fake.phone_number)
    address = "广东省中山市石岐街道孙文中路1号"
    district = factory.LazyFunction(lambda: fake.random_element(ZHONGSHAN))
    charter_scope = "为社区居民提供社会工作服务；开展志愿服务、长者照护和青少年成长支持。"
    service_fields = "养老服务,青少年服务"
    bank_name = "中国工商银行中山分行营业部"
    bank_account = factory.Sequence(lambda n: f"20110000{n:012d}")
    bank_account_name = factory.SelfAttribute("name")
    status = OrgStatus.VERIFIED

    class Params:
        pending = factory.Trait(status=OrgStatus.PENDING)


class OrgMemberFactory(Base):
    class Meta:
        model = OrgMember

    org = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    is_owner = True


def member_of(org=None, **user_kw):
    """An org member account (owner) of ``org`` (a new verified organization by default)."""
    org = org or OrganizationFactory()
    return OrgMemberFactory(org=org, user=UserFactory(**user_kw)).user


class RatingRecordFactory(Base):
    class Meta:
        model = RatingRecord

    org = factory.SubFactory(OrganizationFactory)
    grade = Grade.A4
    announced_on = date(2024, 6, 1)
    valid_from = factory.LazyAttribute(lambda o: default_validity(o.announced_on)[0])
    valid_until = factory.LazyAttribute(lambda o: default_validity(o.announced_on)[1])


class AnnualInspectionFactory(Base):
    class Meta:
        model = AnnualInspection

    org = factory.SubFactory(OrganizationFactory)
    year = 2025
    result = InspectionResult.QUALIFIED


def _stages(call, open_days=-10, close_days=20):
    now = utcnow()
    return [
        CallStage(kind=StageKind.APPLY, position=0, opens_at=now + timedelta(days=open_days),
                  closes_at=now + timedelta(days=close_days)),
        CallStage(kind=StageKind.SCREENING, position=1, opens_at=now + timedelta(days=close_days),
                  closes_at=now + timedelta(days=close_days + 7)),
        CallStage(kind=StageKind.REVIEW, position=2, opens_at=now + timedelta(days=close_days + 8),
                  closes_at=now + timedelta(days=close_days + 20)),
        CallStage(kind=StageKind.PUBLICITY, position=3, opens_at=now + timedelta(days=close_days + 25),
                  closes_at=now + timedelta(days=close_days + 32)),
    ]


RUBRIC = [("需求分析", 15), ("项目设计", 25), ("创新性", 15), ("可行性", 15), ("团队能力", 10),
          ("预算合理性", 10), ("可持续性", 10)]


class CallFactory(Base):
    class Meta:
        model = Call

    name = "“博爱100”公益创投活动"
    edition = factory.Sequence(lambda n: f"第{12 + n}届")
    year = 2026
    code = factory.Sequence(lambda n: f"BA{100 + n}")
    kind = CallKind.VENTURE
    status = CallStatus.PUBLISHED
    summary = "面向全市社会组织征集养老、助残、青少年和社区治理类公益项目。"
    service_categories = "养老服务\n助残服务\n青少年服务\n社区治理"
    reference_date = factory.LazyFunction(lambda: date.today())
    min_years_registered = 1
    require_inspection = True
    require_no_sanctions = True
    max_applications_per_org = 2
    created_by = factory.SubFactory(UserFactory, officer=True)
    published_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def setup(obj, create, extracted, **kw):
        obj.levels = [
            CallLevel(level=Level.CITY, budget_total=Decimal("800000.00"), min_grant=Decimal("30000.00"),
                      max_grant=Decimal("80000.00"), min_match_percent=Decimal("40.00")),
            CallLevel(level=Level.TOWN, budget_total=Decimal("300000.00"), min_grant=Decimal("10000.00"),
                      max_grant=Decimal("30000.00"), min_match_percent=Decimal("20.00")),
        ]
        obj.stages = _stages(obj, **kw.get("stages", {}))
        obj.documents = [
            RequiredDocument(position=0, name="项目申报书", required=True),
            RequiredDocument(position=1, name="上年度财务审计报告", required=False),
        ]
        obj.criteria = [RubricCriterion(position=i, name=n, max_points=p) for i, (n, p) in enumerate(RUBRIC)]
        if create:
            db.session.commit()


class ApplicationFactory(Base):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    org = factory.SubFactory(OrganizationFactory)
    level = Level.CITY
    category = "养老服务"
    title = factory.Sequence(lambda n: f"长者幸福食堂与居家探访计划{n}")
    summary = "为社区独居、空巢长者提供助餐、探访和健康管理服务。"
    need_analysis = "社区60岁以上老人占比超过20%，独居长者就餐难、无人探访。"
    objectives = "一年内为200名长者提供助餐和探访服务。"
    activity_plan = "第一季度招募志愿者；第二至四季度开展助餐与每周探访。"
    beneficiaries = "社区独居、空巢长者"
    target_count = 200
    area_served = "中山市石岐街道"
    district = factory.LazyFunction(lambda: fake.random_element(ZHONGSHAN))
    team = "项目主管1名（持证社工），社工2名，志愿者30名。"
    status = AppStatus.DRAFT
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def budget(obj, create, extracted, **kw):
        lines = extracted if extracted is not None else [
            ("人员经费", "社工补贴", "30000.00", FundSource.GRANT),
            ("活动经费", "助餐食材", "20000.00", FundSource.GRANT),
            ("活动经费", "机构自筹助餐补贴", "40000.00", FundSource.MATCHED),
        ]
        obj.budget_lines = [BudgetLine(position=i, category=c, item=it, amount=Decimal(a), source=s)
                            for i, (c, it, a, s) in enumerate(lines)]
        obj.total_budget = sum((line.amount for line in obj.budget_lines), Decimal("0.00"))
        obj.requested_amount = sum((line.amount for line in obj.budget_lines if line.source == FundSource.GRANT),
                                   Decimal("0.00"))
        obj.matched_amount = obj.total_budget - obj.requested_amount
        if create:
            db.session.commit()


# orgs: invitations and sanctions
import hashlib  # noqa: E402

from grantportal.orgs.models import OrgInvitation, Sanction, SanctionKind  # noqa: E402

INVITATION_TOKEN_PREFIX = "test-invitation-token-"


class OrgInvitationFactory(Base):
    """An open invitation. Its one-time token is ``token`` (only its SHA-256 is stored, as in production)."""

    class Meta:
        model = OrgInvitation
        exclude = ("token",)

    token = factory.Sequence(lambda n: f"{INVITATION_TOKEN_PREFIX}{n}")
    org = factory.SubFactory(OrganizationFactory)
    invitee_name = factory.LazyFunction(fake.name)
    token_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.token.encode()).hexdigest())
    created_by_id = factory.LazyAttribute(lambda o: UserFactory().id)
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=7))


class SanctionFactory(Base):
    class Meta:
        model = Sanction

    org = factory.SubFactory(OrganizationFactory)
    kind = SanctionKind.ABNORMAL
    decided_on = date(2025, 3, 1)
    reason = "未按规定报送年度工作报告，列入活动异常名录。"


# --- expert review (Issue 3) --------------------------------------------------------------------

from grantportal.experts.models import ExpertAffiliation, ExpertProfile  # noqa: E402
from grantportal.review.models import (  # noqa: E402
    Assignment,
    AssignmentSource,
    Review,
    ReviewRound,
    RoundCriterion,
    RoundStatus,
)


class ExpertProfileFactory(Base):
    class Meta:
        model = ExpertProfile

    user = factory.SubFactory(UserFactory, expert=True)
    title = "副教授"
    employer = "中山大学社会学与人类学学院"
    fields = "养老服务,社区治理"
    load_limit = 20


def expert(**kw):
    """An expert account with a profile (active, available)."""
    user_kw = {k[5:]: kw.pop(k) for k in list(kw) if k.startswith("user_")}
    return ExpertProfileFactory(user=UserFactory(expert=True, **user_kw), **kw).user


class ExpertAffiliationFactory(Base):
    class Meta:
        model = ExpertAffiliation

    expert = factory.SubFactory(ExpertProfileFactory)
    org_name = "中山市某社会工作服务中心"
    role = "理事"
    started_on = date(2020, 1, 1)
    ended_on = None


class ReviewRoundFactory(Base):
    """An open first round of a call, with the call's rubric copied in."""

    class Meta:
        model = ReviewRound

    call = factory.SubFactory(CallFactory)
    name = "初评"
    status = RoundStatus.OPEN
    opens_at = factory.LazyFunction(lambda: utcnow() - timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=10))
    panel_size = 5

    @factory.post_generation
    def rubric(obj, create, extracted, **kw):
        rubric = extracted if extracted is not None else RUBRIC
        obj.criteria = [RoundCriterion(position=i, name=n, max_points=Decimal(p)) for i, (n, p) in
                        enumerate(rubric)]
        if create:
            db.session.commit()


class AssignmentFactory(Base):
    class Meta:
        model = Assignment

    round = factory.SubFactory(ReviewRoundFactory)
    application = factory.SubFactory(ApplicationFactory, status=AppStatus.SUBMITTED)
    expert = factory.LazyFunction(expert)
    source = AssignmentSource.DRAW
    created_by_id = factory.LazyAttribute(lambda o: o.round.call.created_by_id)

    @factory.post_generation
    def review_started(obj, create, extracted, **kw):
        """As review.rounds does: an application given to an expert in a round under way is in review."""
        if obj.round.status != RoundStatus.DRAFT and obj.application.review_started_at is None:
            obj.application.review_started_at = utcnow()


class ReviewFactory(Base):
    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory)


# --- review rounds and draws (Issue 3) --------------------------------------------------------------
from grantportal.applications.models import Screening  # noqa: E402


def screened_application(call, **kw):
    """A submitted application that passed eligibility screening (it enters a first round)."""
    return ApplicationFactory(call=call, status=AppStatus.SUBMITTED, screening=Screening.PASSED, **kw)


def expert_pool(n, **kw):
    """``n`` active, available experts (users with profiles)."""
    return [expert(**kw) for _ in range(n)]


# --- scoring (Issue 3) ----------------------------------------------------------------------------------
from grantportal.review.models import ReviewScore, ReviewStatus  # noqa: E402


def submitted_review(assignment, points=None, comment="项目需求清晰，设计可行。", total=None):
    """A submitted review of ``assignment``: ``points`` per criterion in rubric order (default: 80% of each
    maximum); ``total`` overrides the sum (for aggregation tests that only need totals)."""
    criteria = assignment.round.criteria
    if points is None:
        points = [Decimal(c.max_points) * Decimal("0.8") for c in criteria]
    scores = [ReviewScore(criterion_id=c.id, points=Decimal(str(p))) for c, p in zip(criteria, points)]
    review = Review(assignment=assignment, status=ReviewStatus.SUBMITTED, comment=comment, scores=scores,
                    total=Decimal(str(total)) if total is not None else sum((s.points for s in scores), Decimal(0)),
                    submitted_at=utcnow())
    db.session.add(review)
    db.session.commit()
    return review


# --- results and awards (Issue 4) -----------------------------------------------------------------------
from grantportal.review.models import RoundStatus  # noqa: E402


def app_budget(requested, matched="0"):
    """Budget lines for ``ApplicationFactory(budget=...)``: the grant request and the matched funds."""
    lines = [("活动经费", "项目活动", str(requested), FundSource.GRANT)]
    if Decimal(str(matched)):
        lines.append(("活动经费", "机构自筹", str(matched), FundSource.MATCHED))
    return lines


APPLY_CLOSED = datetime(2024, 12, 31, 9, 0, tzinfo=UTC)  # 17:00 Beijing, before every date tests use


def close_applications(call, at=APPLY_CLOSED):
    """Move the call's application deadline to ``at`` (the past), keeping its other stages."""
    stage = call.stage(StageKind.APPLY)
    stage.opens_at, stage.closes_at = at - timedelta(days=60), at
    db.session.commit()
    return call


def ranked_call(apps, experts=3, round_kw=None, **call_kw):
    """A call whose first round is closed with every review in. ``apps``: dicts with ``total`` (what each
    of ``experts`` experts gives) and optionally ``grade`` (a Grade in force on the reference date),
    ``requested``, ``matched``, ``level``, ``title``. Returns ``(call, [application, ...])`` in order.
    Its applications were taken in long ago: the application deadline is past for any ``now`` a test uses
    (a round opens and 公示 is published only after it)."""
    call = CallFactory(**call_kw)
    close_applications(call)
    rnd = ReviewRoundFactory(call=call, status=RoundStatus.CLOSED, closes_at=utcnow() - timedelta(days=1),
                             **(round_kw or {}))
    panel = expert_pool(experts)
    made = []
    for i, spec in enumerate(apps, 1):
        org = OrganizationFactory()
        if spec.get("grade") is not None:
            RatingRecordFactory(org=org, grade=spec["grade"], announced_on=call.reference_date.replace(
                year=call.reference_date.year - 2, month=6, day=1))
        extra = {"title": spec["title"]} if "title" in spec else {}
        app = screened_application(call, org=org, level=spec.get("level", Level.CITY),
                                   budget=app_budget(spec.get("requested", "50000"), spec.get("matched", "0")),
                                   submitted_at=utcnow() - timedelta(days=30),
                                   number=f"{call.code}-{call.year}-{i:04d}", **extra)
        for user in panel:
            submitted_review(AssignmentFactory(round=rnd, application=app, expert=user), total=spec["total"])
        made.append(app)
    return call, made


# --- funding, documents and monitoring (Issue 5) ----------------------------------------------------------

def final_awards(apps=None, city_budget=None, **call_kw):
    """A call whose results are final: ``ranked_call`` → proposal generated, published, 公示 over and
    confirmed. ``apps`` as for ``ranked_call`` (default: two projects that fit the 市级 budget and one
    reserve-or-not); ``city_budget``: the 市级 budget instead of the factory's. Returns ``(call, [Award, ...])``
    in the order of ``apps``."""
    from grantportal.awards.models import Award
    from grantportal.awards.proposals import operations as award_ops
    from grantportal.awards.proposals import publicity
    from grantportal.awards.proposals.queries import proposal_of

    apps = apps or [dict(total=90, requested="50000", matched="40000"), dict(total=85, requested="60000")]
    call, made = ranked_call(apps, **call_kw)
    if city_budget is not None:
        call.levels[0].budget_total = Decimal(city_budget)
    officer = call.created_by
    now = utcnow()
    award_ops.generate(call, officer, now - timedelta(days=20))
    proposal = proposal_of(call)
    confirm_calendar_around(now - timedelta(days=15))
    publicity.publish(proposal, officer, now - timedelta(days=15), 5)
    proposal.ends_at = now - timedelta(days=1)
    publicity.confirm(proposal, officer, now)
    db.session.commit()
    by_app = {a.application_id: a for a in db.session.scalars(db.select(Award).where(Award.proposal_id == proposal.id))}
    return call, [by_app[a.id] for a in made]


def final_with_reserves():
    """Final results with reserves to promote (递补): 市级 budget 130,000; 50,000 (1st) and 60,000 (2nd) selected,
    40,000 (3rd) and 70,000 (4th) reserves 1 and 2. ``(call, [Award, ...])`` in rank order."""
    return final_awards([dict(total=90, requested="50000"), dict(total=85, requested="60000"),
                         dict(total=80, requested="40000"), dict(total=75, requested="70000")], city_budget="130000.00")


def age_public_checks(call, seconds=None):
    """Make the call's kept public checks (复核) older than ``PUBLIC_CHECK_SECONDS`` (or by ``seconds``), as if
    that time had passed since they were computed: the next view of their pages computes them again."""
    from flask import current_app

    from grantportal.awards.models import Proposal, PublicCheck

    back = timedelta(seconds=(seconds or current_app.config["PUBLIC_CHECK_SECONDS"]) + 1)
    proposal_id = db.session.scalar(db.select(Proposal.id).where(Proposal.call_id == call.id))
    for check in db.session.scalars(db.select(PublicCheck).where(PublicCheck.proposal_id == proposal_id)):
        check.computed_at -= back
        check.requested_at = check.requested_at and check.requested_at - back
        check.changed_at = check.changed_at and check.changed_at - back
    db.session.commit()


from grantportal.calendar import operations as calendar_ops  # noqa: E402
from grantportal.calendar.models import CalendarYear  # noqa: E402
from grantportal.core.workdays import library_year  # noqa: E402


def confirm_calendar(*years, officer=None):
    """Confirm each year's holiday arrangement as the library proposes it, as an officer would on the
    节假日安排 page (公示 periods are counted only in confirmed years). A year already confirmed is kept.
    For a year whose notice the library does not carry yet, this confirms its estimate: tests that need
    that year's real make-up days confirm them explicitly."""
    for year in years:
        if db.session.get(CalendarYear, year) is None:
            holidays, workdays = library_year(year)
            calendar_ops.confirm_year(year, holidays, workdays, f"国务院办公厅关于{year}年部分节假日安排的通知",
                                      None, officer)
    db.session.flush()


def confirm_calendar_around(day, officer=None):
    """Confirm the year of ``day`` and the next one (a 公示 may run into January)."""
    confirm_calendar(day.year, day.year + 1, officer=officer)

# --- notices (the inbox) ----------------------------------------------------------------------------------
from grantportal.core.notices import Notice  # noqa: E402


class NoticeFactory(Base):
    class Meta:
        model = Notice

    user_id = factory.LazyAttribute(lambda o: o.user.id)
    title = factory.LazyFunction(lambda: fake.sentence(nb_words=4)[:60])
    body = factory.LazyFunction(lambda: fake.sentence(nb_words=12))
    link = None

    class Params:
        user = factory.SubFactory(UserFactory)
