"""Who may set up, run, cast and read public votes. Each view calls exactly one of these, once, through
``core.permissions.require``; the round's and the vote's states are checked by the operations (``VOTE_ROUND``,
``VOTE``, ``voting_problem``), which answer 409 with the reason. A vote round on a draft call, or still in 筹备中,
does not exist for the public (404, decided by the views before any permission).

- the public pages of a vote (the projects, the live tally when the round shows it, the published counts, the
  receipt hashes, the downloads, checking a receipt): everyone;
- voting: citizens (公众账户) only — staff and organization accounts never vote (DESIGN.md §2);
- one's own votes and receipts: their voter;
- setting up, opening and publishing a vote, deciding on flagged votes: officers; auditors read every
  management page.
"""
from grantportal.citizens.permissions import is_citizen
from grantportal.core.permissions import Decision, is_officer, is_signed_in, is_staff

CITIZENS_ONLY = ("公众投票须使用公众账户（手机号和短信验证码登录）。工作人员和社会组织账户不能投票，请退出当前账户后，"
                 "使用手机号登录公众账户。")


def can_cast_vote(user):
    """投票 (and its confirmation page): a signed-in citizen (anonymous visitors are sent to 公众登录 first)."""
    return Decision(is_citizen(user), CITIZENS_ONLY)


def can_list_own_votes(user):
    """我的投票: the citizen's own votes and receipts."""
    return Decision(is_citizen(user), "“我的投票”是公众账户的页面。")


def can_view_own_vote(user, vote):
    """A vote's receipt page: its voter only."""
    return Decision(is_signed_in(user) and is_citizen(user) and vote.citizen.user_id == user.id, "这不是您的投票。")


def can_view_vote_rounds(user, call):
    """A call's vote rounds, a round's management page and its review queue: staff (auditors read)."""
    return Decision(is_staff(user))


def can_manage_vote_round(user, call):
    """Set up, change, open a vote and publish its tally: officers."""
    return Decision(is_officer(user), "只有项目官员可以设置和发布公众投票。")


def can_decide_vote(user, vote):
    """Confirm, void or restore a vote, with a reason: officers."""
    return Decision(is_officer(user), "只有项目官员可以核查投票。")
