"""The demo's third party (issue 14): one 第三方评估/监管机构 of 中山市 with one staff login (``inspector``, printed
with the other demo logins), appointed to the demo's funded call (第九届“博爱100”) for its term, and one 实地检查 of
the demo organization's project in progress, submitted by the inspector and confirmed by the officer a week ago.
Written through the inspection operations, so that the audit log and the inboxes show them as people's work."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa

from grantportal.accounts.models import User
from grantportal.core.db import db
from grantportal.core.timeutil import local_to_utc
from grantportal.core.uscc import make_uscc
from grantportal.inspection import operations as ops
from grantportal.inspection.models import AgencyStaff, CheckResult

AGENCY = "中山市明德社会工作评估中心"
NOTES = ("活动按季度计划开展，3月份长者探访记录已补齐。", "", "", "随机询问5名长者，均知晓服务内容和联系方式。", "", "")
FINDINGS = "志愿者服务时长登记表未按月汇总\n部分活动照片未标注日期和地点"
PEOPLE = "李晓燕（项目负责人）\n陈社工（一线社工）\n黄伯（服务对象代表）"


def load(officer, call, contract, today, now):
    """The agency, its staff account ``inspector`` (made by ``data.load`` from ``DEMO_LOGINS``), the appointment
    to ``call`` and a confirmed visit on ``contract``."""
    inspector = db.session.scalar(sa.select(User).where(User.username == "inspector"))
    agency = ops.create_agency(officer, ops.AgencyData(AGENCY, make_uscc("1", "442000", 52061, department="9"),
                                                       "何主任", "0760-88226688"))
    db.session.add(AgencyStaff(agency=agency, user=inspector))
    db.session.flush()
    starts_on = contract.starts_on
    ops.appoint(agency, officer, starts_on, starts_on + timedelta(days=365), call=call,
                link="/third-party/projects")
    visited_at = local_to_utc(datetime.combine(today - timedelta(days=9), time(9, 30)))
    data = ops.VisitData(visited_at, "石岐区长者关爱服务站", FINDINGS, PEOPLE,
                         [ops.CheckData(result, note) for result, note in zip(
                             (CheckResult.MEETS, CheckResult.MOSTLY, CheckResult.MEETS, CheckResult.MEETS,
                              CheckResult.MEETS, CheckResult.MEETS), NOTES, strict=True)])
    visit = ops.save_visit(contract, inspector, data, now - timedelta(days=9), submit=True,
                           link_for=lambda v: f"/third-party/visits/{v.id}")
    ops.decide(visit, officer, True, now - timedelta(days=7), link_for=lambda v: f"/third-party/visits/{v.id}")
    return agency
