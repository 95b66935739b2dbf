"""Questions a lower domain asks about facts that a higher domain owns (Indico's signals pattern), and events
it announces to the domains above it.

A domain imports only the domains below it (docs/architecture.md). When a page or rule of a lower
domain needs a fact that a higher domain owns — how many applications a call has, whether a running
review keeps an expert's affiliation in use — it asks one of the named signals below with ``ask``, and
the higher domain answers with a receiver connected in its ``queries.py``. Exactly one domain answers
each question; ``ask`` fails loudly when none or several do, so a missing answer is never a silent
default. Facts that decide a workflow step are stamped on the lower row instead (for example
``Application.review_started_at``), so that the rule reads its own data.

Events go the other way of a question: a domain tells the domains above it what happened, with
``announce``, and each of them may act on it with a receiver connected in its ``operations.py`` (the
receiving modules are imported by ``grantportal/app.py``). Every receiver runs in the same transaction as
the write that announced it, flushes and never commits; a receiver may raise a ``core.errors.Refused`` to
veto, and the whole write is then rolled back by the view. Zero, one or several receivers are all fine.
"""
from blinker import Namespace

_questions = Namespace()
_events = Namespace()

# calls asks, applications answers
call_has_applications = _questions.signal(
    "call-has-applications", doc="sender: a Call → whether any application to it exists")
call_documents_in_use = _questions.signal(
    "call-documents-in-use", doc="sender: a Call → set of its RequiredDocument ids some attachment uses")
call_application_counts = _questions.signal(
    "call-application-counts",
    doc="sender: list of call ids → {call_id: [(status label, count), …]} in status order, for every id")
call_valid_responses = _questions.signal(
    "call-valid-responses",
    doc="sender: a Call → how many of its applications passed eligibility screening (valid responses, "
        "calls.methods)")

# experts asks, review answers
affiliation_in_running_review = _questions.signal(
    "affiliation-in-running-review",
    doc="sender: a USCC → whether an application of that organization is in a review round not yet closed")
expert_open_assignments = _questions.signal(
    "expert-open-assignments", doc="sender: list of user ids → {user_id: assignments not yet submitted}")
expert_assignment_history = _questions.signal(
    "expert-assignment-history", doc="sender: (user id, limit) → the expert's latest assignments, newest first")

# the application's detail page (applications) asks the domains that own what happened to it next
application_review_results = _questions.signal(
    "application-review-results",
    doc="sender: an Application → the published rounds' results the applicant sees (review answers)")
application_defence_slots = _questions.signal(
    "application-defence-slots",
    doc="sender: an Application → its 答辩/路演 slots, earliest first, each with its round (review answers)")
application_award = _questions.signal(
    "application-award",
    doc="sender: an Application → its Award, with its proposal, once the proposal is published, else None "
        "(awards answers)")
award_documents = _questions.signal(
    "award-documents", doc="sender: an Award → its documents the organization sees (documents answers)")
award_contract = _questions.signal(
    "award-contract", doc="sender: an Award → its Contract, or None (funding answers)")
# every page that shows an application's status (applications.lifecycle) asks what happened after 公示
application_progress = _questions.signal(
    "application-progress",
    doc="sender: list of ids of applications in published results → {id: applications.lifecycle.Progress} "
        "for those whose award is in a published proposal (funding answers: the award, then the contract)")

# the call's ranking (review) asks for the valid votes of a public vote round
vote_round_counts = _questions.signal(
    "vote-round-counts",
    doc="sender: a ReviewRound of kind 公众投票 → {application_id: valid votes} for every project that entered it and "
        "is still submitted and not screened out (0 when it has none), counted from the vote rows (votes answers)")

# the officers' daily digest (inbox) asks applications what waits for officers
officer_pending_work = _questions.signal(
    "officer-pending-work",
    doc="sender: None → [(what waits, count)] of work waiting for officers (organizations to verify, "
        "applications to screen), in that order")

# the call's public page (calls) asks awards
call_public_proposal = _questions.signal(
    "call-public-proposal", doc="sender: a Call → its Proposal once published (公示 or final), else None")

# the public results page (awards) asks which rows have a public project page
award_public_projects = _questions.signal(
    "award-public-projects",
    doc="sender: list of award ids → {award_id: contract id} for the awards whose contract is in force (its "
        "project page is public); awards without one are left out (funding answers)")

# the organization's public record (orgs) asks for the projects it undertook
org_public_projects = _questions.signal(
    "org-public-projects",
    doc="sender: an Organization → [orgs.record.ProjectLine] of its awards selected in final results, newest "
        "first: call, project, amount awarded, paid (net of recoveries), contract state and evaluation grades "
        "(monitoring answers, in one query)")
org_supported_teams = _questions.signal(
    "org-supported-teams",
    doc="sender: an Organization → [{name, filing_number, district}] of the grassroots teams whose supporting "
        "organization it confirmed it is, by name; no personal data (teams answers)")

# a citizen's 我的参与 page (citizens) asks the domains that own each kind of participation
participant_objections = _questions.signal(
    "participant-objections",
    doc="sender: (user id, limit) → (the user's latest objections as citizens.queries.Record, newest first, at "
        "most limit; how many in all) (awards answers)")
participant_supervision_reports = _questions.signal(
    "participant-supervision-reports",
    doc="sender: (user id, limit) → (the citizen's latest 随手拍 supervision reports as citizens.queries.Record, "
        "newest first, at most limit; how many in all) (supervision answers)")
participant_pledges = _questions.signal(
    "participant-pledges",
    doc="sender: (user id, limit) → (the citizen's latest public pledges as citizens.queries.Record, newest first, "
        "at most limit; how many in all) (pledges answers)")
# the officer's evaluation page (monitoring) asks for the project's satisfaction surveys, as input to the grade
project_satisfaction = _questions.signal(
    "project-satisfaction",
    doc="sender: contract id → the project's satisfaction surveys that have answers, newest first, as "
        "surveys.queries.Results (counts and the mean per rating question; no answer, no phone) (surveys answers)")
participant_surveys = _questions.signal(
    "participant-surveys",
    doc="sender: (user id, limit) → (the citizen's latest answered satisfaction surveys as citizens.queries.Record, "
        "newest first, at most limit; how many in all) (surveys answers)")
participant_votes = _questions.signal(
    "participant-votes",
    doc="sender: (user id, limit) → (the citizen's latest votes as citizens.queries.Record, newest first, at most "
        "limit, each with its receipt code; how many in all) (votes answers)")

# the public catalogue page (catalogue) asks what was bought under each item
catalogue_item_purchases = _questions.signal(
    "catalogue-item-purchases",
    doc="sender: list of catalogue item ids → {item_id: [disclosure.projects.queries.Purchase]}: the public calls "
        "that name the item, newest first, each with its funded projects' count and amount once its results are "
        "final; items bought under no call are left out (disclosure answers)")

# the officers' catalogue pages (catalogue) ask which items a call names: such an item cannot be deleted
catalogue_items_in_use = _questions.signal(
    "catalogue-items-in-use",
    doc="sender: list of catalogue item ids → {item_id: how many calls name it}, any call (a draft too); items no "
        "call names are left out (calls answers)")

# --- events: a domain tells the domains above it what happened ------------------------------------------

# funding announces, monitoring schedules the project's reports
contract_confirmed = _events.signal(
    "contract-confirmed",
    doc="sender: a Contract whose signed scan the officer just confirmed (now 履行中); user: the officer")

# awards announces (递补 after the final result, awards/proposals/promotion.py): funding terminates a contract not
# yet in force; documents ends the dropped project's documents and issues the promoted project's 入选通知书
award_withdrawn = _events.signal(
    "award-withdrawn",
    doc="sender: a finally selected Award just recorded as dropped out (放弃入选 / 合同签订前终止); user: the "
        "officer; reason: the cause and why, as the officer wrote it (not public); cause: the "
        "awards.proposals.promotion.DropCause; at: when (UTC); promoted: the reserve Award promoted in its place, or "
        "None. Documents marks the award's documents 已失效")
reserve_promoted = _events.signal(
    "reserve-promoted", doc="sender: a reserve Award just promoted to 入选 after the final result; user: the officer; "
                            "at: when (UTC)")

# funding announces, monitoring closes the project's open 整改 (reason 合同终止)
contract_terminated = _events.signal(
    "contract-terminated",
    doc="sender: a Contract just terminated (now 已终止); user: the officer; reason: why, as the officer wrote it")


def ask(signal, sender, **kwargs):
    """The one answer to ``signal`` about ``sender``."""
    answers = [value for _receiver, value in signal.send(sender, **kwargs)]
    if len(answers) != 1:
        raise LookupError(f"signal {signal.name!r} has {len(answers)} answers; exactly one domain must answer")
    return answers[0]


def announce(signal, sender, **kwargs):
    """Tell every receiver of the event ``signal`` about ``sender``, in this transaction. A receiver's
    ``Refused`` propagates to the caller (a veto: the view rolls back)."""
    signal.send(sender, **kwargs)
