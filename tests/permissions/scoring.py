"""Scoring, results, ranking, exports: every route × role. The world's ``expert`` is assigned org_a's
submitted application (``assignment``, a draft review); ``expert_b`` has ``assignment_b``; a conflicted
expert's assignment is refused to everyone (the conflicted expert's own 403 is in tests/review)."""
from tests.permissions.spec import ALLOW, CONFLICT, DENY, LOGIN, Route, ok, staff_only
from tests.permissions.world import attachment_of, conflicted_assignment, submitted_review_b


def expert_only(expert=ALLOW):
    return {"anonymous": LOGIN, "member": DENY, "expert": expert, "officer": DENY, "auditor": DENY,
            "admin": DENY}


def _assignment(name):
    return lambda w: {"assignment_id": getattr(w, name).id}


def _conflicted(w):
    return {"assignment_id": conflicted_assignment(w).id}


def _file(which):
    def params(w):
        assignment = conflicted_assignment(w) if which == "conflicted" else getattr(w, which)
        return {"assignment_id": assignment.id, "attachment_id": attachment_of(assignment.application).id}
    return params


def _save(w):
    return {"version": str(w.review.version), "save": "暂存"}


def _round(w):
    return {"round_id": w.round.id}


ROUTES = [
    Route("scoring.worklist", expect=expert_only()),
    Route("scoring.score", params=_assignment("assignment"), expect=expert_only(), label="own"),
    Route("scoring.score", params=_assignment("assignment_b"), expect=expert_only(DENY), label="other"),
    Route("scoring.score", params=_conflicted, expect=expert_only(DENY), label="conflicted"),
    Route("scoring.score", "POST", params=_assignment("assignment"), data=_save, expect=expert_only(ok(303)),
          label="own"),
    Route("scoring.score", "POST", params=_assignment("assignment_b"), data=_save, expect=expert_only(DENY),
          label="other"),
    Route("scoring.score", "POST", params=_conflicted, data=_save, expect=expert_only(DENY), label="conflicted"),
    Route("scoring.attachment", params=_file("assignment"), expect=expert_only(), label="own"),
    Route("scoring.attachment", params=_file("assignment_b"), expect=expert_only(DENY), label="other"),
    Route("scoring.attachment", params=_file("conflicted"), expect=expert_only(DENY), label="conflicted"),

    Route("results.round", params=_round, expect=staff_only()),
    Route("proposals.ranking", params=lambda w: {"call_id": w.call.id}, expect=staff_only()),
    Route("results.application_reviews", params=lambda w: {"round_id": w.round.id, "app_id": w.app_a_submitted.id},
          expect=staff_only()),
    Route("results.export", params=lambda w: {"round_id": w.round.id, "fmt": "xlsx"},
          expect=staff_only(readers=DENY), label="xlsx"),
    Route("results.export", params=lambda w: {"round_id": w.round.id, "fmt": "csv"},
          expect=staff_only(readers=DENY), label="csv"),
    Route("results.publish", "POST", params=_round,  # the round has not ended
          expect=staff_only(readers=DENY, officer=CONFLICT)),
    Route("scoring.reopen", params=lambda w: {"review_id": submitted_review_b(w).id},
          expect=staff_only(readers=DENY)),
    Route("scoring.reopen", "POST", params=lambda w: {"review_id": submitted_review_b(w).id},
          data=lambda w: {"reason": "请核对创新性评分。", "version": str(submitted_review_b(w).version)},
          expect=staff_only(readers=DENY, officer=ok(303))),
]
