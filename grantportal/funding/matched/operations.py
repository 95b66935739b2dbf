"""Writes of matched funds and donations (配套资金 / 社会捐助): ``save_matched_fund`` adds or corrects a
record, under the rules in ``funding.matched.queries``' docstring (who records, which names are public,
what counts); ``record_verified_pledge`` adds the record of a public pledge (公众认捐) an officer verified, for
``pledges`` (a higher domain calling a lower operation). Rows of that kind are the pledge's: the matched-fund
form neither adds nor changes them. Flushes under a named audit action, never commits; refuses with
``funding.operations.FundingRefused`` and the form field.
"""
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.timeutil import local_today
from grantportal.funding.matched.queries import ZERO, may_member_change
from grantportal.funding.models import FundSourceKind, MatchedFund
from grantportal.funding.operations import FundingRefused

NAME_MAX = 120
NOTE_MAX = 500
# the kinds the organization and officers record by hand; 公众认捐 arrives only verified, from ``pledges``
RECORDED_KINDS = tuple(k for k in FundSourceKind if k != FundSourceKind.PLEDGE)
PLEDGE_LOCKED = "该记录是经项目官员核实的公众认捐，由认捐记录自动生成，不能在此修改。"


def save_matched_fund(award, user, data, fund=None, *, as_officer=False):
    """Add (``fund`` None) or update a matched-fund record of ``award`` from ``data`` (a dict: source_kind,
    source_name, name_public, pledged, received, pledged_on, received_on, note). Refused with the field when
    the data break the rules in ``matched.queries``' docstring, or (409) when a member records after closure."""
    if fund is not None and fund.source_kind == FundSourceKind.PLEDGE:
        raise FundingRefused(PLEDGE_LOCKED)
    if not as_officer and not may_member_change(award):
        raise FundingRefused("项目已结项或终止，配套资金记录已锁定；如需更正请联系项目官员。")
    kind = data["source_kind"]
    if kind not in RECORDED_KINDS:
        raise FundingRefused("公众认捐由认捐人在项目页面提交，经机构确认到账、项目官员核实后自动计入，不能在此登记。",
                             "source_kind", 400)
    name = (data.get("source_name") or "").strip()
    if kind == FundSourceKind.ANONYMOUS:
        name, name_public = "", False
    else:
        if not name:
            raise FundingRefused("请填写资金来源名称（匿名捐赠除外）。", "source_name", 400)
        if len(name) > NAME_MAX:
            raise FundingRefused(f"名称不能超过{NAME_MAX}个字。", "source_name", 400)
        name_public = bool(data.get("name_public")) if kind == FundSourceKind.INDIVIDUAL else True
    pledged, received = data.get("pledged") or ZERO, data.get("received") or ZERO
    if pledged < 0:
        raise FundingRefused("承诺金额不能为负数。", "pledged", 400)
    if received < 0:
        raise FundingRefused("到账金额不能为负数。", "received", 400)
    if pledged == 0 and received == 0:
        raise FundingRefused("承诺金额和到账金额不能都为0。", "pledged", 400)
    pledged_on, received_on = data.get("pledged_on"), data.get("received_on")
    today = local_today()
    if pledged_on and pledged_on > today:
        raise FundingRefused("承诺日期不能晚于今天。", "pledged_on", 400)
    if received_on and received_on > today:
        raise FundingRefused("到账日期不能晚于今天。", "received_on", 400)
    if received > 0 and received_on is None:
        raise FundingRefused("已有到账金额时，请填写到账日期。", "received_on", 400)
    if pledged_on and received_on and received_on < pledged_on:
        raise FundingRefused("到账日期不能早于承诺日期。", "received_on", 400)
    note = (data.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        raise FundingRefused(f"备注不能超过{NOTE_MAX}个字。", "note", 400)
    with audit_action("matched_fund.update" if fund is not None else "matched_fund.add"):
        if fund is None:
            fund = MatchedFund(award=award, recorded_by_id=user.id)
            db.session.add(fund)
        fund.source_kind, fund.source_name, fund.name_public = kind, name, name_public
        fund.pledged, fund.received = pledged, received
        fund.pledged_on, fund.received_on, fund.note = pledged_on, received_on, note
        db.session.flush()
    return fund


def record_verified_pledge(award, officer, name, pledged, received, pledged_on, received_on, note):
    """The matched fund of a public pledge an officer just verified (``pledges.operations.verify``): kind 公众认捐,
    under the name the pledger chose to be shown (or 爱心人士), the amount promised and the amount received — from
    now on counted in the project's matched funds and leverage ratio like any received money. Returns the row."""
    with audit_action("matched_fund.add_pledge"):
        fund = MatchedFund(award_id=award.id, source_kind=FundSourceKind.PLEDGE, source_name=name, name_public=True,
                           pledged=pledged, received=received, pledged_on=pledged_on, received_on=received_on,
                           note=note, recorded_by_id=officer.id)
        db.session.add(fund)
        db.session.flush()
    return fund
