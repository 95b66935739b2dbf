"""Open data (数据开放): every page and file is public. A call's OCDS package exists once its results are final
(before that, and for a draft or unknown call, 404 for everyone); a project's OCDS record once its contract is
in force (a contract not yet in force, or an unknown one, is 404)."""
from grantportal.core.db import db
from grantportal.funding.models import ContractStatus
from tests.permissions.funding import funding_world
from tests.permissions.spec import NOT_FOUND, Route, public
from tests.permissions.world import awards_world

GONE = public(NOT_FOUND)


def _call(status):
    def params(w):
        awards_world(w, status)
        return {"call_id": w.call.id}
    return params


def _contract(state):
    def params(w):
        funding_world(w)
        if state != "active":
            w.contract_b.status = ContractStatus(state)
            db.session.commit()
            return {"contract_id": w.contract_b.id}
        return {"contract_id": w.contract_a.id}
    return params


ROUTES = [
    Route("opendata.index", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.call_package", params=_call("final"), expect=public(), label="final", published=True),
    Route("opendata.call_package", params=_call("publicized"), expect=GONE, label="publicized"),
    Route("opendata.call_package", params=lambda w: {"call_id": w.call.id}, expect=GONE, label="no-results"),
    Route("opendata.call_package", params=lambda w: {"call_id": w.call_draft.id}, expect=GONE, label="draft"),
    Route("opendata.call_package", params=lambda w: {"call_id": 2**31 - 1}, expect=GONE, label="unknown"),
    Route("opendata.project_record", params=_contract("active"), expect=public(), label="in-force", published=True),
    Route("opendata.project_record", params=_contract("issued"), expect=GONE, label="not-in-force"),
    Route("opendata.project_record", params=lambda w: {"contract_id": 2**31 - 1}, expect=GONE, label="unknown"),
    Route("opendata.awards_json", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.awards_csv", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.awards_xlsx", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.awards_360giving", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.feed", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.sitemap", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.sitemap_pages", params=lambda w: funding_world(w) and {}, expect=public(), published=True),
    Route("opendata.sitemap_projects", params=lambda w: funding_world(w) and {"part": 0}, expect=public(),
          published=True),
    Route("opendata.sitemap_projects", params=lambda w: {"part": 2**31 - 1}, expect=GONE, label="past-the-end"),
    Route("opendata.robots", expect=public()),
]
