"""The year's service catalogues (DESIGN.md §4 "Purchase of services", 财政部令第102号; issue 14): each year the
bureau publishes a 政府购买服务目录 (what may be bought) and a 职能转移目录 (functions handed over to social
organizations). A catalogue has categories (一级目录) and items (具体事项); each item names its purchasing
department (购买主体), what an undertaking organization must meet (a minimum rating grade, years registered, a
service field) and an indicative budget (Decimal yuan, optional).

One catalogue per (year, kind). A draft is the officers' to edit; a published one is public and binds the year's
政府购买服务 calls (a call of that year must name at least one item: ``calls.catalogue_link``). Items of a published
catalogue may still be corrected (audited). An item no call names may be deleted (audited with its whole row); one
a call names stays (已被征集引用，不能删除)."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grantportal.core.db import LabelledEnum, Money, UTCDateTime, db, enum_column, utcnow
from grantportal.orgs.models import Grade


class CatalogueKind(LabelledEnum):
    PURCHASE = "purchase", "政府购买服务目录"
    TRANSFER = "transfer", "政府职能转移目录"


class CatalogueStatus(LabelledEnum):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"


class Catalogue(db.Model):
    __tablename__ = "catalogue"
    __table_args__ = (sa.UniqueConstraint("year", "kind", name="uq_catalogue_year_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[CatalogueKind] = mapped_column(enum_column(CatalogueKind))
    title: Mapped[str] = mapped_column(sa.String(100))
    note: Mapped[str] = mapped_column(sa.Text, default="")  # 说明: basis, issuing office, validity
    status: Mapped[CatalogueStatus] = mapped_column(enum_column(CatalogueStatus), default=CatalogueStatus.DRAFT)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    categories = relationship("CatalogueCategory", back_populates="catalogue",
                              order_by="CatalogueCategory.position, CatalogueCategory.id")
    items = relationship("CatalogueItem", back_populates="catalogue",
                         order_by="CatalogueItem.position, CatalogueItem.id", viewonly=True)

    @property
    def published(self):
        return self.status == CatalogueStatus.PUBLISHED


class CatalogueCategory(db.Model):
    __tablename__ = "catalogue_category"
    __table_args__ = (sa.UniqueConstraint("catalogue_id", "name", name="uq_catalogue_category_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue.id"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(60))

    catalogue = relationship(Catalogue, back_populates="categories")
    items = relationship("CatalogueItem", back_populates="category",
                         order_by="CatalogueItem.position, CatalogueItem.id")


class CatalogueItem(db.Model):
    __tablename__ = "catalogue_item"
    __table_args__ = (
        sa.UniqueConstraint("catalogue_id", "name", name="uq_catalogue_item_name"),
        sa.Index("ix_catalogue_item_category", "category_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_category.id"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(80))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # 服务内容
    department: Mapped[str] = mapped_column(sa.String(80))  # 购买主体（部门）
    service_field: Mapped[str] = mapped_column(sa.String(40), default="")  # 承接主体的服务领域
    min_grade: Mapped[Grade | None] = mapped_column(enum_column(Grade))  # 承接主体最低评估等级; None: 不限
    min_years_registered: Mapped[int] = mapped_column(default=0)  # 登记成立满（年）
    budget: Mapped[Decimal | None] = mapped_column(Money())  # 参考预算（元）

    catalogue = relationship(Catalogue, back_populates="items")
    category = relationship(CatalogueCategory, back_populates="items")

    @property
    def requirements(self):
        """What an undertaking organization must meet, as Chinese phrases."""
        lines = []
        if self.min_grade is not None:
            lines.append(f"评估等级{self.min_grade.label}及以上")
        if self.min_years_registered:
            lines.append(f"登记成立满{self.min_years_registered}年")
        if self.service_field:
            lines.append(f"从事{self.service_field}领域服务")
        return lines
