"""The Open Contracting Data Standard 1.1.5 mapping (DESIGN.md §5; https://standard.open-contracting.org/1.1/).

One contracting process (one ``ocid``) per call, ``<OCID prefix>-call-<call id>``. Its releases:

- ``…-tender`` (tag ``tender``): the call as the tender — title, summary, the budget (``planning.budget`` and
  ``tender.value``, the sum of the levels' budgets), the application period (``tender.tenderPeriod``), the 公示
  period (``tender.awardPeriod`` and a milestone 结果公示), the buyer (the civil-affairs bureau).
- ``…-award-<award id>`` per funded project (final 入选): the award (the amount, the date the results became
  final, the organization as supplier) and, once the contract is in force, the contract (amount, term, date of
  confirmation) with each payment (拨付, bureau → organization) and each recovery (追回, organization → bureau)
  as ``implementation.transactions`` and each evaluation (中期评估, 结项验收) as a milestone of type
  ``assessment``, met when passed.

Money by funding source (``calls.sources``): the tender release's ``planning.budget.budgetBreakdown`` lists the
call's sources with their amounts (the Budget Breakdown extension, declared in every package's ``extensions``;
the sum is ``planning.budget.amount``), and each award's ``description`` states its split across those sources
(the rule in ``calls.sources``: pro rata, rounded down to the 分, the remainder on the largest source) — OCDS 1.1
has no structured field for the sources of one award, and the same figures are columns of the bulk downloads.

A project's record (``record_package``) holds the tender release and that project's release, and their
compiled release. Parties: the bureau (``BUREAU_NAME``, ``BUREAU_USCC``) and the organizations, identified as
``CN-USCI-<统一社会信用代码>`` with the identifier scheme ``CN-USCI``. Nothing personal: no contact points, no
addresses, no evaluation comments or voucher numbers, and no text typed by applicants (a project summary may
name people, and no mask finds a name); the call's summary, written by the office, passes through ``mask_text``.

Money (``Decimal``) becomes an OCDS amount (a JSON number) with currency ``CNY``; times are ISO 8601 in the site's
zone (``+08:00``); a date becomes the start (or, for an end date, the last second) of that day there.
"""
import json
from dataclasses import dataclass
from datetime import datetime, time

from grantportal.calls.models import PurchaseMethod, StageKind
from grantportal.calls.sources import breakdown_text, split
from grantportal.core.masking import mask_text
from grantportal.core.timeutil import site_zone, to_local
from grantportal.funding.models import ContractStatus

VERSION = "1.1"
CURRENCY = "CNY"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
SCHEME = "CN-USCI"
# planning.budget.budgetBreakdown (https://extensions.open-contracting.org/en/extensions/budget/)
BUDGET_BREAKDOWN = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/"
                    "master/extension.json")
EXTENSIONS = [BUDGET_BREAKDOWN]


@dataclass(frozen=True)
class Publisher:
    """Who publishes, from the configuration; ``urls`` builds the absolute public addresses."""
    ocid_prefix: str
    bureau_name: str
    bureau_uscc: str
    policy_url: str

    def ocid(self, call_id):
        return f"{self.ocid_prefix}-call-{call_id}"

    @property
    def buyer_id(self):
        return org_id(self.bureau_uscc) if self.bureau_uscc else f"{self.ocid_prefix}-buyer"

    @property
    def buyer(self):
        return {"id": self.buyer_id, "name": self.bureau_name}

    def buyer_party(self):
        party = {**self.buyer, "roles": ["buyer", "procuringEntity", "payer"]}
        if self.bureau_uscc:
            party["identifier"] = {"scheme": SCHEME, "id": self.bureau_uscc, "legalName": self.bureau_name}
        return party

    def package_meta(self, uri, published):
        return {"uri": uri, "version": VERSION, "extensions": EXTENSIONS, "publishedDate": published,
                "publisher": {"name": self.bureau_name}, "license": LICENSE_URL, "publicationPolicy": self.policy_url}


def org_id(uscc):
    return f"{SCHEME}-{uscc}"


def amount(value):
    """A Decimal as an OCDS amount: an integer when whole (50000), else a number with its cents (1234.5)."""
    return int(value) if value == value.to_integral_value() else float(value)


def money(value):
    return {"amount": amount(value), "currency": CURRENCY}


def iso(value, end_of_day=False):
    """A UTC datetime or a date as ISO 8601 with the site's offset; None stays None."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(23, 59, 59) if end_of_day else time(0), tzinfo=site_zone())
    return to_local(value).isoformat(timespec="seconds")


def _period(start, end, end_of_day=True):
    period = {}
    if start is not None:
        period["startDate"] = iso(start)
    if end is not None:
        period["endDate"] = iso(end, end_of_day=end_of_day)
    return period


def final_at(proposal):
    """When the results became final (older rows may lack the time of confirmation: the end of 公示 then)."""
    return proposal.confirmed_at or proposal.ends_at or proposal.published_at or proposal.generated_at


def _org_ref(org):
    return {"id": org_id(org.uscc), "name": org.name}


def _org_party(org):
    return {**_org_ref(org), "identifier": {"scheme": SCHEME, "id": org.uscc, "legalName": org.name},
            "roles": ["supplier", "payee"]}


# the call's purchase method as OCDS's closed ``method`` codelist (open, selective, limited, direct); the Chinese
# method's name goes to ``procurementMethodDetails``, a single-source justification to ``procurementMethodRationale``
PROCUREMENT_METHOD = {
    PurchaseMethod.OPEN_TENDER: "open", PurchaseMethod.VENTURE: "open", PurchaseMethod.INVITED_TENDER: "selective",
    PurchaseMethod.NEGOTIATION: "limited", PurchaseMethod.CONSULTATION: "limited", PurchaseMethod.QUOTATION: "limited",
    PurchaseMethod.SINGLE_SOURCE: "direct",
}


def budget_description(call):
    """``planning.budget.description``: what the amount is, and its funding sources with their amounts (also
    structured in ``budgetBreakdown``)."""
    text = "各级别预算合计"
    if call.funding_sources:
        text += "；资金来源：" + "、".join(f"{s.title}{s.amount:,.2f}元" for s in call.funding_sources)
    return text


def budget(call, total):
    """``planning.budget``: the total and, when the call records its funding sources, one ``budgetBreakdown``
    entry per source (``source-<n>`` in the call's order)."""
    out = {"description": budget_description(call), "amount": money(total)}
    if call.funding_sources:
        out["budgetBreakdown"] = [{"id": f"source-{i}", "description": s.title, "amount": money(s.amount)}
                                  for i, s in enumerate(call.funding_sources, 1)]
    return out


def award_sources_text(amount, shares):
    """An award's ``description``: its amount split across the call's sources, or None without sources."""
    parts = split(amount, shares)
    if not parts:
        return None
    return ("资金来源（按征集各来源金额比例分摊，尾差计入金额最大的来源，单位：元）：" + breakdown_text(parts))


def tender_release(publisher, call, proposal, total):
    ocid = publisher.ocid(call.id)
    apply = call.stage(StageKind.APPLY)
    tender = {
        "id": f"call-{call.id}",
        "title": call.title,
        "status": "complete",
        "value": money(total),
        "procuringEntity": publisher.buyer,
        "procurementMethod": PROCUREMENT_METHOD[call.method],
        "procurementMethodDetails": f"{call.kind.label}（{call.method.label}）",
        "mainProcurementCategory": "services",
    }
    if call.summary:
        tender["description"] = mask_text(call.summary)
    if call.single_source_reason:
        tender["procurementMethodRationale"] = mask_text(call.single_source_reason)
    if apply is not None and (apply.opens_at or apply.closes_at):
        tender["tenderPeriod"] = _period(apply.opens_at, apply.closes_at, end_of_day=False)
    if proposal.published_at:
        tender["awardPeriod"] = _period(proposal.published_at, proposal.ends_at, end_of_day=False)
        days = f"{proposal.publicity_days}个工作日" if proposal.publicity_days else ""
        tender["milestones"] = [{
            "id": "publicity", "title": "结果公示", "type": "approval", "description": f"评审结果公示{days}",
            "dueDate": iso(proposal.ends_at), "status": "met", "dateMet": iso(final_at(proposal))}]
    return {
        "ocid": ocid, "id": f"{ocid}-tender", "date": iso(final_at(proposal)), "tag": ["tender"],
        "initiationType": "tender", "language": "zh",
        "parties": [publisher.buyer_party()], "buyer": publisher.buyer,
        "planning": {"budget": budget(call, total)},
        "tender": tender,
    }


def _transactions(publisher, org, facts):
    payee = _org_ref(org)
    out = [{"id": f"payment-{p.id}", "date": iso(p.paid_on), "value": money(p.amount),
            "payer": publisher.buyer, "payee": payee} for p in facts.payments]
    out += [{"id": f"recovery-{r.id}", "date": iso(r.recovered_on), "value": money(r.amount),
             "payer": payee, "payee": publisher.buyer} for r in facts.recoveries]
    return out


def _milestones(facts):
    out = []
    for e in facts.evaluations:
        milestone = {"id": f"evaluation-{e.id}", "title": e.stage.label, "type": "assessment",
                     "description": f"评估等级：{e.grade.label}", "status": "met" if e.grade.passed else "notMet",
                     "dateModified": iso(e.evaluated_at)}
        if e.grade.passed:
            milestone["dateMet"] = iso(e.evaluated_at)
        out.append(milestone)
    return out


def _contract_status(contract):
    # OCDS contractStatus: pending / active / cancelled / terminated ("no longer active": closed or ended early)
    return "active" if contract.status == ContractStatus.ACTIVE else "terminated"


def award_release(publisher, ocid, final, award, facts=None, shares=()):
    """The release of one funded project in the process ``ocid`` whose results became final at ``final``: its
    award (split across the call's funding ``shares``, ``calls.sources``) and, with ``facts`` (its contract in
    force), the contract."""
    app = award.application
    org = app.org
    award_obj = {"id": f"award-{award.id}", "title": app.title, "status": "active", "date": iso(final),
                 "value": money(award.amount), "suppliers": [_org_ref(org)]}
    sources = award_sources_text(award.amount, shares)
    if sources:
        award_obj["description"] = sources
    release = {
        "ocid": ocid, "id": f"{ocid}-award-{award.id}", "date": iso(final), "tag": ["award"],
        "initiationType": "tender", "language": "zh",
        "parties": [publisher.buyer_party(), _org_party(org)], "buyer": publisher.buyer,
        "awards": [award_obj],
    }
    if facts is not None:
        c = facts.contract
        contract = {"id": f"contract-{c.id}", "awardID": award_obj["id"], "title": app.title,
                    "status": _contract_status(c), "value": money(c.amount)}
        if c.starts_on or c.ends_on:
            contract["period"] = _period(c.starts_on, c.ends_on)
        if c.confirmed_at:
            contract["dateSigned"] = iso(c.confirmed_at)
        implementation = {}
        transactions, milestones = _transactions(publisher, org, facts), _milestones(facts)
        if transactions:
            implementation["transactions"] = transactions
        if milestones:
            implementation["milestones"] = milestones
        if implementation:
            contract["implementation"] = implementation
        release["contracts"] = [contract]
        release["tag"] = ["award", "contract"] + (["implementation"] if implementation else [])
        stamps = [final, c.confirmed_at, *(p.recorded_at for p in facts.payments),
                  *(r.recorded_at for r in facts.recoveries), *(e.evaluated_at for e in facts.evaluations)]
        release["date"] = iso(max(s for s in stamps if s is not None))
    return release


def release_package_chunks(publisher, uri, tender, final, batches, shares=()):
    """The call's release package as JSON text, piece by piece: its ``tender`` release, then one release per
    funded project, ``batches`` giving (awards, {award id: facts}) a batch at a time, so that memory stays flat
    however many projects a call funded. ``publishedDate`` (the latest release's date) is known only at the end,
    so it is the package's last key (key order carries no meaning in JSON). Reads nothing but ``batches``: the
    pieces are written after the view has returned."""
    meta = publisher.package_meta(uri, None)
    del meta["publishedDate"]
    latest = tender["date"]
    yield _dumps(meta)[:-1] + ',"releases":[' + _dumps(tender)
    for awards, facts in batches:
        releases = [award_release(publisher, tender["ocid"], final, a, facts.get(a.id), shares) for a in awards]
        latest = max([latest, *(r["date"] for r in releases)])
        yield "".join("," + _dumps(r) for r in releases)
    yield '],"publishedDate":' + _dumps(latest) + "}"


def _dumps(data):
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _merge(base, update):
    """OCDS merge of two releases (latest value wins; arrays of objects merge by ``id``)."""
    out = dict(base)
    for key, value in update.items():
        old = out.get(key)
        if isinstance(value, dict) and isinstance(old, dict):
            out[key] = _merge(old, value)
        elif (isinstance(value, list) and isinstance(old, list) and value and isinstance(value[0], dict)
              and "id" in value[0]):
            merged = {item["id"]: item for item in old}
            for item in value:
                merged[item["id"]] = _merge(merged[item["id"]], item) if item["id"] in merged else item
            out[key] = list(merged.values())
        else:
            out[key] = value
    return out


def record_package(publisher, uri, package_uri, releases):
    """A record package for one project: the record of its call's process with the tender release and the
    project's release (embedded), and their compiled release."""
    compiled = {}
    for release in sorted(releases, key=lambda r: r["date"]):
        compiled = _merge(compiled, release)
    ocid = releases[0]["ocid"]
    compiled.update(id=f"{releases[-1]['id']}-compiled", tag=["compiled"], date=max(r["date"] for r in releases))
    return {**publisher.package_meta(uri, compiled["date"]), "packages": [package_uri],
            "records": [{"ocid": ocid, "releases": releases, "compiledRelease": compiled}]}
