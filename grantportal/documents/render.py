"""What an issued document says: its public facts (for /verify), the body the template renders (kept
with the document so a retry renders exactly the same text), the QR code and the HTML.

The body is a snapshot taken when the officer issues the document: later edits of the organization or
the project never change an issued document; a correction issues a new version with a new snapshot.

Documents know the award (parties, project, amount) but not the contract: the domain that owns the contract
(funding, above documents) hands its terms over as ``ContractTerms``."""
import re
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import segno
from flask import current_app, render_template

from grantportal.core.money import amount_in_capitals, format_yuan
from grantportal.core.timeutil import local_today
from grantportal.core.uscc import UsccError, validate_code
from grantportal.documents.models import DocumentKind

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: easy to read off paper
CODE_LENGTH = 16
TEMPLATES = {
    DocumentKind.CONTRACT_PURCHASE: "pdf/contract.html",
    DocumentKind.CONTRACT_VENTURE: "pdf/contract.html",
    DocumentKind.SELECTION_NOTICE: "pdf/selection_notice.html",
    DocumentKind.REJECTION_NOTICE: "pdf/rejection_notice.html",
    DocumentKind.RECTIFICATION_NOTICE: "pdf/rectification_notice.html",
}
CONTRACT_KINDS = (DocumentKind.CONTRACT_PURCHASE, DocumentKind.CONTRACT_VENTURE)
WITH_AMOUNT = (*CONTRACT_KINDS, DocumentKind.SELECTION_NOTICE)


@dataclass(frozen=True)
class ContractTranche:
    position: int
    percent: Decimal
    amount: Decimal
    condition: str  # as printed: 合同签订后 / 中期评估合格后 / 结项验收合格后


@dataclass(frozen=True)
class ContractTerms:
    """What a contract (合同 / 资助协议) prints beyond the award: its term, deliverables and tranches, the
    tranche plan in words and the call's contract length."""

    starts_on: date | None
    ends_on: date | None
    deliverables: list  # 服务内容与成效指标, one line each
    tranches: list  # [ContractTranche] in position order
    plan: str  # "分三期拨付：合同签订后拨付50%；…"
    months: int

    def as_body(self):
        """The ``contract`` part of a document's body, as the template prints it."""
        return {
            "starts_on": cn_date(self.starts_on), "ends_on": cn_date(self.ends_on),
            "deliverables": list(self.deliverables),
            "tranches": [{"position": t.position, "percent": f"{t.percent.normalize():f}",
                          "amount": format_yuan(t.amount), "capitals": amount_in_capitals(t.amount),
                          "condition": t.condition} for t in self.tranches],
            "plan": self.plan,
            "months": self.months,
        }


def cn_date(day):
    """2026年7月1日, as dates are written in official documents."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# Why no document can be issued while the public address is not configured (the officer reads it where they
# clicked, and on the pages that issue documents before they click)
NO_PUBLIC_ADDRESS = ("未配置平台的公网地址（GRANTPORTAL_PUBLIC_BASE_URL），文书上的二维码和核验网址"
                     "无法指向公众可以访问的核验页面，因此暂不能出具文书。请联系系统管理员配置公网地址后再出具。")


def public_base_url():
    """``PUBLIC_BASE_URL`` without its trailing slash, or None when it is not set. A document never prints
    another address (not the request's own root, not localhost): a QR code pointing to an address the public
    cannot reach would make the document unverifiable. The demo and the tests set it to where they serve."""
    return (current_app.config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/") or None


# a bureau's name says its city (中山市民政局, 海门区民政局): the bare default "市民政局" does not
_NAME_WITH_PLACE = re.compile(r"^\S{2,}?[省市县区州盟旗]\S*(民政|社会工作|社工委|局|委员会)")


def bureau_identity_problem():
    """Why the bureau's own identity (name with its city, USCC, legal representative) is not fit to print on
    a document, or None. bin/demo configures the demo bureau's; production sets GRANTPORTAL_BUREAU_*."""
    config = current_app.config
    name = (config.get("BUREAU_NAME") or "").strip()
    missing = []
    if not _NAME_WITH_PLACE.match(name):
        missing.append("机关全称（含所在城市，如“中山市民政局”，GRANTPORTAL_BUREAU_NAME）")
    try:
        validate_code(config.get("BUREAU_USCC") or "")
    except UsccError:
        missing.append("统一社会信用代码（GRANTPORTAL_BUREAU_USCC）")
    if not (config.get("BUREAU_LEGAL_REP") or "").strip():
        missing.append("法定代表人（GRANTPORTAL_BUREAU_LEGAL_REP）")
    if not missing:
        return None
    return (f"出具文书的机关信息不完整：未配置或配置有误的有{'、'.join(missing)}。文书须载明发文机关的完整身份，"
            "因此暂不能出具。请联系系统管理员配置后再出具。")


def issuing_refusal():
    """Why no document can be issued now (no public address, the bureau's identity incomplete), else None
    (for the pages that issue them, and ``operations.require_public_address``)."""
    if not public_base_url():
        return NO_PUBLIC_ADDRESS
    return bureau_identity_problem()


def verify_url(code):
    base = public_base_url()
    if base is None:  # operations refuse first (documents.operations.require_public_address)
        raise RuntimeError(NO_PUBLIC_ADDRESS)
    return f"{base}/verify/{code}"


def facts(kind, award, number, version):
    app = award.application
    amount = award.amount if kind in WITH_AMOUNT else None
    return {"kind": kind.label, "number": number, "version": version, "call": award.proposal.call.title,
            "project": app.title, "org": app.org.name, "amount": None if amount is None else f"{amount:.2f}"}


def _bureau(config):
    """The bureau as documents print it (issuer, 甲方, contact, seal)."""
    address = config.get("BUREAU_ADDRESS", "")
    return {"name": config.get("BUREAU_NAME", "市民政局"), "uscc": config.get("BUREAU_USCC", ""),
            "legal_rep": config.get("BUREAU_LEGAL_REP", ""), "address": address,
            "contact_name": config.get("BUREAU_CONTACT_NAME", ""),
            "contact_phone": config.get("BUREAU_CONTACT_PHONE", ""),
            "bank_name": config.get("BUREAU_BANK_NAME", ""), "bank_account": config.get("BUREAU_BANK_ACCOUNT", ""),
            "bank_account_name": config.get("BUREAU_BANK_ACCOUNT_NAME", "")}


def _signing(config, today):
    """A 入选通知书's signing arrangements: by when (``SIGNING_DAYS`` after the notice), where, what to bring."""
    return {"deadline": cn_date(today + timedelta(days=config.get("SIGNING_DAYS", 15))),
            "place": config.get("SIGNING_PLACE") or config.get("BUREAU_ADDRESS") or config.get("BUREAU_NAME", ""),
            "bring": config.get("SIGNING_BRING", "")}


def _team(app):
    team = app.executing_team
    return {"name": team.name, "filing_number": team.filing_number} if team is not None else None


def body(kind, award, number, code, terms=None, extras=None):
    """What the template renders: the award's facts, a contract's ``terms`` (``ContractTerms``) and
    ``extras``."""
    app, call = award.application, award.proposal.call
    org = app.org
    config = current_app.config
    today = local_today()
    bureau = _bureau(config)
    data = {
        "kind": kind.value, "title": kind.label, "number": number, "code": code, "verify_url": verify_url(code),
        "bureau": bureau["name"], "bureau_uscc": bureau["uscc"], "bureau_rep": bureau["legal_rep"],
        "issuer": bureau, "issued_on": cn_date(today),
        "call": call.title, "call_kind": call.kind.label, "year": call.year,
        "org": {"name": org.name, "uscc": org.uscc, "legal_rep": org.legal_rep, "address": org.address,
                "contact_name": org.contact_name, "contact_phone": org.contact_phone,
                "bank_name": org.bank_name or "", "bank_account": org.bank_account or "",
                "bank_account_name": org.bank_account_name or ""},
        "project": {"title": app.title, "number": app.number or "", "level": award.level.label,
                    "category": app.category, "summary": app.summary,
                    "beneficiaries": app.beneficiaries or "", "area_served": app.area_served or "",
                    "target_count": app.target_count,
                    "objectives": [line.strip() for line in (app.objectives or "").splitlines() if line.strip()],
                    # 项目执行团队: a grassroots team applying through its supporting organization (乙方; teams/)
                    "team": _team(app)},
        "funding_sources": [{"title": s.title, "amount": format_yuan(s.amount)} for s in call.funding_sources],
        "payment_days": config.get("CONTRACT_PAYMENT_DAYS", 15),
        "penalty_percent": config.get("CONTRACT_PENALTY_PERCENT", 10),
        "amount": f"{award.amount:.2f}", "amount_figures": format_yuan(award.amount),
        "amount_capitals": amount_in_capitals(award.amount), "final_reason": award.final_reason or "",
    }
    if kind == DocumentKind.SELECTION_NOTICE:
        data["signing"] = _signing(config, today)
    if terms is not None:
        data["contract"] = terms.as_body()
    data.update(extras or {})
    return data


def dated(body, day):
    """``body`` (a document's stored body, not yet rendered) dated ``day`` instead of the day it was issued: the
    printed date and, for a 入选通知书, its signing deadline counted from it. For loading past events (the demo),
    so that a notice reads as sent before the contract it announces; an issued document never changes."""
    out = {**body, "issued_on": cn_date(day)}
    if "signing" in body:
        out["signing"] = _signing(current_app.config, day)
    return out


def qr_data_uri(url):
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def document_html(doc):
    """The HTML of a document from its stored body (Jinja autoescaping on)."""
    data = dict(doc.body or {})
    return render_template(TEMPLATES[doc.kind], doc=data, qr=qr_data_uri(data["verify_url"]))
