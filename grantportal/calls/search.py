"""Published and closed calls in the public index (core/search.py)."""
from grantportal.calls.models import Call, CallStatus
from grantportal.core.search import Index, register
from grantportal.core.timeutil import to_local


def entry(call, today):
    if call.status == CallStatus.DRAFT:
        return None
    categories = call.category_list
    return {
        "title": call.title[:200], "subtitle": call.kind.label, "category": call.kind.value,
        "fields": "、".join(categories)[:200], "district": None, "tier": None, "year": call.year, "amount": None,
        "happened_on": to_local(call.published_at).date() if call.published_at else None, "changes_on": None,
        "text": " ".join([call.summary or "", *categories]),
    }


CALLS = register(Index(kind="call", model=Call, entry=entry, watch={Call: lambda call: call}))
