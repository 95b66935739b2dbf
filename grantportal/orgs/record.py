"""An organization's public record (承接能力信息, DESIGN.md §5): what a citizen or a purchasing department may
know of its capacity to take on public services — its rating history, 年检 results, the sanctions the credit
rules make public (信用信息公示), and the projects it undertook with the amounts awarded and paid and their
evaluation grades.

What is public, and for how long (社会组织信用信息管理办法; 政府信息公开条例 art.15; DESIGN.md §4):
- ratings and 年检 results: every record (the registration authority publishes them);
- a 行政处罚 or a breached 诚信承诺书: from its decision for ``SANCTION_LOOKBACK_YEARS`` (3 years), the period in
  which it bars the organization from applying; a listing (活动异常名录, 严重违法失信名单): while listed and for
  1 / 2 years after it is lifted (移出), likewise. Older entries have served their purpose and are no longer shown;
- the reason is free text typed by an officer: personal numbers in it are masked (``mask_text``);
- no personal data: the legal representative's name is masked, the contact person and phone are not shown.

The projects are owned by higher domains (awards, funding, monitoring): orgs asks for them with
``core.signals.org_public_projects`` and monitoring answers in one query (``monitoring.queries``)."""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from grantportal.core import signals
from grantportal.core.masking import mask_text
from grantportal.orgs.models import SANCTION_LOOKBACK_YEARS, SanctionKind


@dataclass(frozen=True)
class ProjectLine:
    """One project the organization undertook (selected in a call's final results)."""

    call_id: int
    call_title: str
    title: str
    decided_at: datetime | None  # when the final results were confirmed
    level: str
    amount: Decimal  # awarded
    paid: Decimal  # paid, net of recoveries
    contract_id: int | None  # its public project page, once the contract is in force
    contract_status: str | None  # 履行中 / 已结项 / 已终止; None while it is being signed
    grades: tuple[str, ...] = ()  # "中期评估：良好", in the order evaluated


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def sanction_public(sanction, today):
    """Whether ``sanction`` is on the public record today (see the module's rule)."""
    years = SANCTION_LOOKBACK_YEARS[sanction.kind]
    if sanction.decided_on > today:
        return False
    if sanction.kind in (SanctionKind.PENALTY, SanctionKind.BREACH):  # from the decision, not a listing
        return today < _years_after(sanction.decided_on, years)
    return sanction.lifted_on is None or sanction.lifted_on > today or today < _years_after(sanction.lifted_on, years)


def public_sanctions(org, today):
    """The sanctions on the public record, newest first, with their reasons masked."""
    return [{"kind": s.kind.label, "decided_on": s.decided_on,
             "lifted_on": s.lifted_on if s.lifted_on and s.lifted_on <= today else None,
             "reason": mask_text(s.reason)}
            for s in sorted(org.sanctions, key=lambda s: (s.decided_on, s.id), reverse=True)
            if sanction_public(s, today)]


def public_projects(org):
    """The projects ``org`` undertook, newest first (monitoring answers)."""
    return signals.ask(signals.org_public_projects, org)


def supported_teams(org):
    """The grassroots teams ``org`` supports (挂靠确认), name and 备案编号 only (teams answers)."""
    return signals.ask(signals.org_supported_teams, org)


def project_totals(projects):
    """(number of projects, amount awarded, amount paid) over ``projects``."""
    return (len(projects), sum((p.amount for p in projects), Decimal("0.00")),
            sum((p.paid for p in projects), Decimal("0.00")))
