"""Calls for proposals (项目征集) and their per-call settings, held as data."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from grantportal.core.db import LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow
from grantportal.orgs.models import Grade


class CallKind(LabelledEnum):
    VENTURE = "venture", "公益创投"
    PURCHASE = "purchase", "政府购买服务"


class CallStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已结束"


class Level(LabelledEnum):
    CITY = "city", "市级"
    TOWN = "town", "镇级"
    COMMUNITY = "community", "社区级"


class StageKind(LabelledEnum):
    """The lifecycle steps of a call, in order (DESIGN.md §3)."""

    APPLY = "apply", "征集申报"
    SCREENING = "screening", "资格审查"
    VOTE = "vote", "公众投票"
    REVIEW = "review", "专家评审"
    DEFENCE = "defence", "现场答辩"
    PUBLICITY = "publicity", "结果公示"


OPTIONAL_STAGES = {StageKind.VOTE, StageKind.DEFENCE}


# -- purchase method and funding sources (issue 14; the rules per method are data in calls/methods.py) --------
class PurchaseMethod(LabelledEnum):
    """How the call buys (政府采购法 第二十六条; 财政部令第102号): the procurement methods, or the grant route."""

    OPEN_TENDER = "open_tender", "公开招标"
    INVITED_TENDER = "invited_tender", "邀请招标"
    NEGOTIATION = "negotiation", "竞争性谈判"
    CONSULTATION = "consultation", "竞争性磋商"
    SINGLE_SOURCE = "single_source", "单一来源"
    QUOTATION = "quotation", "询价"
    VENTURE = "venture", "公益创投"


def default_method(kind):
    """A call's method when none was chosen: 公益创投 calls take the grant route, purchases 公开招标 (政府采购法
    第二十六条: 公开招标应作为政府采购的主要采购方式)."""
    return PurchaseMethod.VENTURE if kind == CallKind.VENTURE else PurchaseMethod.OPEN_TENDER


def _method_default(context):
    return default_method(CallKind(context.get_current_parameters()["kind"])).value


class FundingSourceKind(LabelledEnum):
    SPECIAL_FUND = "special_fund", "专项资金"
    LOTTERY = "lottery", "福彩公益金"
    DEPARTMENT = "department", "部门配套"
    OTHER = "other", "其他"


class Call(db.Model):
    __tablename__ = "call"
    # the code prefixes application numbers (CODE-YEAR-0001), so it is unique within a year
    __table_args__ = (sa.UniqueConstraint("code", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    edition: Mapped[str | None] = mapped_column(sa.String(40))
    year: Mapped[int] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(sa.String(16))  # prefix of application and document numbers
    kind: Mapped[CallKind] = mapped_column(enum_column(CallKind))
    status: Mapped[CallStatus] = mapped_column(enum_column(CallStatus), default=CallStatus.DRAFT, index=True)
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    service_categories: Mapped[str] = mapped_column(sa.Text, default="")  # one per line
    reference_date: Mapped[date]  # the date on which ratings and registration age are judged
    # eligibility settings (DESIGN.md §4 "Who may apply")
    min_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))
    min_years_registered: Mapped[int] = mapped_column(default=1)
    require_inspection: Mapped[bool] = mapped_column(default=True)
    require_no_sanctions: Mapped[bool] = mapped_column(default=True)
    max_applications_per_org: Mapped[int] = mapped_column(default=1)
    # grassroots teams (teams/, 0046): whether a team may apply through its supporting organization, and the most
    # a team's application may request (元; None: no cap beyond the level's)
    teams_allowed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    team_cap: Mapped[Decimal | None] = mapped_column(Money())
    # results settings (DESIGN.md §4 "Tier priority rules", "Scoring in practice", "公示 and objections");
    # the minimum grade above is the tier rules' minimum too (calls.tier_rules.call_rules)
    tier_rules: Mapped[dict | None] = mapped_column(sa.JSON)  # calls.tier_rules.TierRules.to_dict()
    matched_bonus_per_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))  # points per 1万 matched
    matched_bonus_cap: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 2))
    reserve_per_level: Mapped[int] = mapped_column(default=3)
    publicity_days: Mapped[int] = mapped_column(default=5)  # Chinese working days
    publish_scores: Mapped[bool] = mapped_column(default=False)
    publish_panel: Mapped[bool] = mapped_column(default=True)
    promote_reserve: Mapped[bool] = mapped_column(default=True)  # an upheld objection moves a reserve up
    # funding settings (DESIGN.md §4 "Money"): the tranche split with each tranche's condition, e.g.
    # [{"percent": "50", "condition": "signed"}, {"percent": "30", "condition": "midterm_passed"},
    #  {"percent": "20", "condition": "acceptance_passed"}] (calls.tranche_plan.TrancheCondition); None: that default
    tranche_plan: Mapped[list | None] = mapped_column(sa.JSON)
    contract_months: Mapped[int] = mapped_column(default=12)  # up to 36 for stable services
    report_every_months: Mapped[int] = mapped_column(default=3)  # progress reports
    rectification_days: Mapped[int] = mapped_column(default=15, server_default="15")  # 整改期限 (working days)
    # the call's rule for a 整改 past its deadline (0048): the officer is told either way; with this set, the notice
    # and the case say the contract is to be terminated and the money paid recovered (the officer does it)
    rectification_overdue_terminates: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    integrity_pledge: Mapped[str | None] = mapped_column(sa.Text)  # 诚信承诺书; None: calls/integrity.py's default
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # purchase method (calls/methods.py): 单一来源 states its justification, published before the contract
    purchase_method: Mapped[PurchaseMethod] = mapped_column(enum_column(PurchaseMethod), default=_method_default)
    single_source_reason: Mapped[str | None] = mapped_column(sa.Text)

    created_by = relationship("User")
    levels = relationship("CallLevel", back_populates="call", order_by="CallLevel.id",
                          cascade="all, delete-orphan")
    stages = relationship("CallStage", back_populates="call", order_by="CallStage.position",
                          cascade="all, delete-orphan")
    documents = relationship("RequiredDocument", back_populates="call", order_by="RequiredDocument.position",
                             cascade="all, delete-orphan")
    files = relationship("CallFile", back_populates="call", order_by="CallFile.position, CallFile.id",
                         cascade="all, delete-orphan")
    criteria = relationship("RubricCriterion", back_populates="call", order_by="RubricCriterion.position",
                            cascade="all, delete-orphan")
    funding_sources = relationship("FundingSource", back_populates="call", order_by="FundingSource.position",
                                   cascade="all, delete-orphan")

    @property
    def title(self):
        return call_title(self.edition, self.name)

    @property
    def category_list(self):
        return [c.strip() for c in (self.service_categories or "").splitlines() if c.strip()]

    def stage(self, kind):
        return next((s for s in self.stages if s.kind == kind and s.enabled), None)

    @property
    def apply_stage(self):
        return self.stage(StageKind.APPLY)

    @property
    def opens_at(self):
        return self.apply_stage.opens_at if self.apply_stage else None

    @property
    def deadline(self):
        return self.apply_stage.closes_at if self.apply_stage else None

    def level(self, level):
        return next((lv for lv in self.levels if lv.level == level), None)

    @property
    def total_budget(self):
        return sum((lv.budget_total for lv in self.levels), Decimal("0.00"))

    @property
    def method(self):
        """The purchase method, also before the row is flushed (the column's default follows the kind)."""
        return self.purchase_method or default_method(self.kind)

    @property
    def rubric_total(self):
        return sum((c.max_points for c in self.criteria), 0)


class CallLevel(db.Model):
    """A funding level of a call (市级 / 镇级 / 社区级) with its budget and limits."""

    __tablename__ = "call_level"
    __table_args__ = (sa.UniqueConstraint("call_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    level: Mapped[Level] = mapped_column(enum_column(Level))
    budget_total: Mapped[Decimal] = mapped_column(Money())
    min_grant: Mapped[Decimal] = mapped_column(Money())
    max_grant: Mapped[Decimal] = mapped_column(Money())
    # the share of the project budget the organization must raise itself, in percent
    min_match_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), default=Decimal("0"))

    call = relationship(Call, back_populates="levels")


class CallStage(db.Model):
    __tablename__ = "call_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    kind: Mapped[StageKind] = mapped_column(enum_column(StageKind))
    position: Mapped[int] = mapped_column(default=0)
    enabled: Mapped[bool] = mapped_column(default=True)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call = relationship(Call, back_populates="stages")


class RequiredDocument(db.Model):
    __tablename__ = "required_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    required: Mapped[bool] = mapped_column(default=True)

    call = relationship(Call, back_populates="documents")


class RubricCriterion(db.Model):
    __tablename__ = "rubric_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(40))
    max_points: Mapped[int]
    guidance: Mapped[str] = mapped_column(sa.String(400), default="")

    call = relationship(Call, back_populates="criteria")


class FundingSource(db.Model):
    """Where a call's money comes from (专项资金, 福彩公益金, 部门配套, 其他 with its name) and how much: the
    sources add up to the call's total budget (checked by the call form)."""

    __tablename__ = "call_funding_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[FundingSourceKind] = mapped_column(enum_column(FundingSourceKind))
    name: Mapped[str] = mapped_column(sa.String(60), default="")  # required for 其他
    amount: Mapped[Decimal] = mapped_column(Money())

    call = relationship(Call, back_populates="funding_sources")

    @property
    def title(self):
        return f"{self.kind.label}（{self.name}）" if self.name else self.kind.label


class CallCatalogueItem(db.Model):
    """A catalogue item (catalogue.models.CatalogueItem, 购买服务目录 / 职能转移目录) a call buys under: a call names
    one or more items of its year's catalogues (calls.catalogue_link); the public catalogue page lists the calls
    of each item through ``ix_call_catalogue_item_item``."""

    __tablename__ = "call_catalogue_item"
    __table_args__ = (sa.Index("ix_call_catalogue_item_item", "item_id", "call_id"),)

    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_item.id"), primary_key=True)

    call = relationship(Call, backref=backref("catalogue_links", cascade="all, delete-orphan"))
    item = relationship("CatalogueItem")


class CallFileKind(LabelledEnum):
    GUIDE = "guide", "申报指南"
    TEMPLATE = "template", "申报书模板"
    NOTICE = "notice", "征集公告"
    OTHER = "other", "其他附件"


class CallFile(db.Model):
    """A file the office publishes with a call (申报指南, 申报书模板 …), downloadable wherever the call is
    visible. A copied call shares its source's stored files (the bytes go when no call uses them)."""
    __tablename__ = "call_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("call.id"), index=True)
    kind: Mapped[CallFileKind] = mapped_column(enum_column(CallFileKind))
    title: Mapped[str] = mapped_column(sa.String(80))
    position: Mapped[int] = mapped_column(default=0)
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    call = relationship(Call, back_populates="files")
    file = relationship("StoredFile")


def call_title(edition, name):
    """A call's title from its edition (第N届…) and name, for pages that read these two columns only."""
    return f"{edition}{name}" if edition else name
