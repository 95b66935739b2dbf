"""The rules of each purchase method, as data (DESIGN.md §4 "Purchase of services").

- Minimum valid responses: 3 for 公开招标, 邀请招标, 竞争性谈判, 竞争性磋商 and 询价. 政府采购法 第三十六条
  (招标: 符合专业条件的供应商或者对招标文件作实质响应的供应商不足三家的, 应予废标), 第三十八条 (竞争性谈判:
  从符合相应资格条件的供应商名单中确定不少于三家的供应商参加谈判) and 第四十条 (询价: 不少于三家); 竞争性磋商:
  政府采购竞争性磋商采购方式管理暂行办法 (财库〔2014〕214号) 第六条. A *valid response* here is an application
  that passed eligibility screening (资格审查通过). (财库〔2015〕124号 lets a 竞争性磋商 of 政府购买服务 go on with
  two; the office lowers ``min_responses`` here if it uses that exception.)
- 单一来源: the justification must be stated, and it is published (the call's public page, from the moment
  the call is published) for at least 5 working days before the contract may be signed: 政府采购非招标采购方式
  管理办法 (财政部令第74号) 第三十八条 (公示期不得少于5个工作日). Counted on the confirmed working-day calendar,
  as the results' 公示 is (``calendar.queries.confirmed_publicity_end``).
- 公益创投 is the grant route (财政部令第102号 does not apply): none of these rules.
"""
from dataclasses import dataclass
from types import SimpleNamespace

from grantportal.calendar.queries import confirmed_publicity_end
from grantportal.calls.models import PurchaseMethod
from grantportal.core.timeutil import format_datetime
from grantportal.core.workdays import UnconfirmedYear


@dataclass(frozen=True)
class MethodRule:
    min_responses: int  # valid responses (applications that passed screening) before results; 0: no minimum
    justification_required: bool = False
    publication_days: int = 0  # working days the justification is published before a contract


M = PurchaseMethod
RULES = {
    M.OPEN_TENDER: MethodRule(min_responses=3),
    M.INVITED_TENDER: MethodRule(min_responses=3),
    M.NEGOTIATION: MethodRule(min_responses=3),
    M.CONSULTATION: MethodRule(min_responses=3),
    M.QUOTATION: MethodRule(min_responses=3),
    M.SINGLE_SOURCE: MethodRule(min_responses=0, justification_required=True, publication_days=5),
    M.VENTURE: MethodRule(min_responses=0),
}

PROCUREMENT_METHODS = [m for m in PurchaseMethod if m != M.VENTURE]


def rule(call):
    return RULES[call.method]


def rule_words(call):
    """The method's rule in one sentence, for the officer's and the public pages."""
    r = rule(call)
    if r.min_responses:
        return (f"{call.method.label}：通过资格审查的有效申报（响应）不少于{r.min_responses}家，"
                "方可生成和发布评审结果。")
    if r.justification_required:
        return (f"{call.method.label}：须说明采用单一来源方式的理由，理由随征集公告公示不少于{r.publication_days}个"
                "工作日，公示期满后方可签订合同。")
    return f"{call.method.label}：按公益创投规则评审，不设有效申报家数下限。"


def responses_problem(call, valid):
    """Why results may not be generated or published with ``valid`` valid responses, or None."""
    need = rule(call).min_responses
    if valid < need:
        return (f"本征集采用{call.method.label}方式，通过资格审查的有效申报须不少于{need}家，目前只有{valid}家，"
                "不能生成或发布评审结果。请依法重新组织采购或变更采购方式。")
    return None


def justification_ends_at(call):
    """When the single-source justification's publication ends (aware UTC), or None when the method needs
    none. Raises ``core.workdays.UnconfirmedYear`` when the period reaches an unconfirmed year."""
    days = rule(call).publication_days
    if not days or call.published_at is None:
        return None
    return confirmed_publicity_end(call.published_at, days)


def contract_problem(call, now):
    """Why no contract may be signed under ``call`` yet (单一来源 within its publication), or None."""
    r = rule(call)
    if not r.publication_days:
        return None
    if not (call.single_source_reason or "").strip():
        return "采用单一来源方式须说明理由并公示，尚未填写理由，不能签订合同。"
    if call.published_at is None:
        return "征集尚未发布，单一来源理由尚未公示，不能签订合同。"
    try:
        ends = justification_ends_at(call)
    except UnconfirmedYear as e:
        return e.message
    if now < ends:
        return (f"单一来源理由公示期（{r.publication_days}个工作日）至{format_datetime(ends)}止，"
                "公示期满后才能签订合同。")
    return None


def method_info(call, valid):
    """What the officer's and the public call pages show of the method: its rule, the valid responses
    against the minimum, and when a single-source justification's publication ends."""
    info = SimpleNamespace(method=call.method, rule=rule_words(call), min_responses=rule(call).min_responses,
                           valid=valid, justification_ends=None, calendar_problem=None)
    try:
        info.justification_ends = justification_ends_at(call)
    except UnconfirmedYear as e:
        info.calendar_problem = e.message
    return info
