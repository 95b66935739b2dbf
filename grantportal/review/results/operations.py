"""Publishing a round's results (公布本轮结果): from then on the applicants see their aggregated score and the
anonymised comments. Audited; flushes, and leaves the commit to the request."""
from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.core.timeutil import format_datetime
from grantportal.review.models import RoundStatus


class ResultsRefused(Refused):
    """The round's results cannot be published now (409); the message is Chinese."""


def publish_problem(round_, now):
    """Why the round's results cannot be published now (Chinese), or None."""
    if round_.results_published_at is not None:
        return f"本轮评审结果已于{format_datetime(round_.results_published_at)}公布。"
    if round_.status == RoundStatus.DRAFT or (
            round_.status == RoundStatus.OPEN and (round_.closes_at is None or now < round_.closes_at)):
        return "本轮评审尚未结束，不能公布结果。请在评审截止后再公布。"
    return None


def publish_results(round_, officer, now):
    """公布本轮结果: applicants then see their aggregated score and anonymised comments."""
    problem = publish_problem(round_, now)
    if problem:
        raise ResultsRefused(problem)
    with audit_action("round.publish_results"):
        round_.results_published_at = now
        db.session.flush()
    return round_
