"""Writes on calls. Each takes the objects and the acting user, names itself in the audit log,
flushes, and leaves the commit to the request (or CLI command) that called it."""
from grantportal.calls.catalogue_link import sync_links
from grantportal.calls.models import (
    Call,
    CallLevel,
    CallStage,
    CallStatus,
    FundingSource,
    RequiredDocument,
    RubricCriterion,
)
from grantportal.calls.workflow import CALL, TransitionRefused
from grantportal.core.audit import audit_action
from grantportal.core.db import db, utcnow


def create_call(user, settings):
    """A new draft call from the form's typed settings."""
    with audit_action("call.create"):
        call = Call(status=CallStatus.DRAFT, created_by_id=user.id, **settings.fields)
        db.session.add(call)
        _apply_rows(call, settings)
        db.session.flush()
    return call


# a copied call's settings kept on other pages than the call form (results, funding)
CARRIED = ("tier_rules", "matched_bonus_per_wan", "matched_bonus_cap", "reserve_per_level", "publicity_days",
           "publish_scores", "publish_panel", "promote_reserve", "tranche_plan", "contract_months",
           "report_every_months")


def copy_settings(source, call, user):
    """Carry ``source``'s settings that the call form does not hold (``CARRIED``) to the new ``call``."""
    with audit_action("call.copy"):
        for name in CARRIED:
            setattr(call, name, getattr(source, name))
        db.session.flush()
    return call


def update_call(call, user, settings):
    """Change a draft or published call. ``settings.levels`` / ``settings.criteria`` are None when
    they are locked (applications exist), and are then left untouched."""
    if call.status == CallStatus.CLOSED:
        raise TransitionRefused("已结束的征集不能再修改。")
    with audit_action("call.update"):
        for name, value in settings.fields.items():
            if getattr(call, name) != value:
                setattr(call, name, value)
        _apply_rows(call, settings)
        db.session.flush()
    return call


def publish_call(call, user, now=None):
    now = now or utcnow()
    return CALL.move(call, user, "publish", now, published_at=now)


def close_call(call, user, now=None):
    """Close a published call; the officer ticked the confirmation on the page (the form requires it)."""
    now = now or utcnow()
    return CALL.move(call, user, "close", now, confirmed=True, closed_at=now)


# -- the repeating rows, updated in place so that references (attachments, scores) stay valid -----
def _apply_rows(call, settings):
    _sync_stages(call, settings.stages)
    _sync(call.documents, settings.documents, RequiredDocument,
          lambda row, i: {"position": i, "name": row.name, "description": row.description,
                          "required": row.required})
    if settings.levels is not None:
        _sync(call.levels, settings.levels, CallLevel,
              lambda row, i: {"level": row.level, "budget_total": row.budget_total, "min_grant": row.min_grant,
                              "max_grant": row.max_grant, "min_match_percent": row.min_match_percent},
              key=lambda obj: obj.level, row_key=lambda row: row.level)
    if settings.extra.get("funding_sources") is not None:  # the call's funding sources (calls/method_forms)
        _sync(call.funding_sources, settings.extra["funding_sources"], FundingSource,
              lambda row, i: {"position": i, "kind": row.kind, "name": row.name, "amount": row.amount})
    if "catalogue_items" in settings.extra:  # the year's service catalogue items (calls.catalogue_link)
        sync_links(call, settings.extra["catalogue_items"])
    if settings.criteria is not None:
        _sync(call.criteria, settings.criteria, RubricCriterion,
              lambda row, i: {"position": i, "name": row.name, "max_points": row.max_points,
                              "guidance": row.guidance})


def _sync_stages(call, rows):
    existing = {s.kind: s for s in call.stages}
    for position, row in enumerate(rows):
        stage = existing.get(row.kind)
        if stage is None:
            stage = CallStage(kind=row.kind)
            call.stages.append(stage)
        _set(stage, position=position, enabled=row.enabled, opens_at=row.opens_at, closes_at=row.closes_at)


def _sync(collection, rows, model, values, key=None, row_key=None):
    """Make ``collection`` match ``rows``: a row updates the object with the same natural key (if
    ``key`` is given) or the same id; other rows add objects; objects without a row are removed."""
    by_id = {obj.id: obj for obj in collection if obj.id is not None}
    by_key = {key(obj): obj for obj in collection} if key else {}
    keep = []
    for i, row in enumerate(rows):
        obj = by_key.get(row_key(row)) if key else by_id.get(row.id)
        if obj is None or obj in keep:
            obj = model()
        _set(obj, **values(row, i))
        keep.append(obj)
    for obj in list(collection):
        if obj not in keep:
            collection.remove(obj)
    for obj in keep:
        if obj not in collection:
            collection.append(obj)


def _set(obj, **values):
    """Assign only what changed, so the audit log shows real changes only."""
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
