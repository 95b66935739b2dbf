"""Who may score and who may send a review back. Each view calls exactly one of these through
``core.permissions.require``, which answers 403 with the decision's reason when it has one.

Experts: only their own active assignment, in a round that has started, and never where they have a
conflict of interest (回避) — even if assigned (HotCRP's rule: enforced on every view, not warned about).
Reopening a submitted review: officers only. (Who sees a round's results: ``review.results.permissions``.)"""
from grantportal.applications.models import AppStatus
from grantportal.core.permissions import ALLOWED, DENIED, Decision, has_role, is_officer
from grantportal.core.roles import Role
from grantportal.experts.conflicts import conflict_reasons
from grantportal.review.models import RoundStatus


def can_view_worklist(user):
    return Decision(has_role(user, Role.EXPERT))


def can_score_assignment(user, assignment):
    """The assigned expert, while the assignment is active and the round has started, with no conflict."""
    if not has_role(user, Role.EXPERT) or assignment.expert_id != user.id:
        return DENIED
    if not assignment.active:
        return Decision(False, "该评审任务已被撤销，您不能再查看该申报。如有疑问，请联系项目官员。")
    if assignment.round.status == RoundStatus.DRAFT:
        return Decision(False, "本轮评审尚未开始，暂不能查看申报材料。")
    if assignment.application.status != AppStatus.SUBMITTED:
        return Decision(False, "该申报已撤回，不再参加评审。")
    reasons = conflict_reasons(user, assignment.application)
    if reasons:
        why = "；".join(r.reason for r in reasons)
        return Decision(False, f"您与该申报存在需要回避的情形（{why}），按规定不能查看或评审该申报及其材料。"
                               "请联系项目官员更换评审专家。")
    return ALLOWED


def can_download_review_file(user, assignment):
    """Same as scoring: checked again on every file."""
    return can_score_assignment(user, assignment)


def can_reopen_review(user, review):
    return Decision(is_officer(user))
