"""Which test takes each transition of each state machine (``core.workflow.MACHINES``).

tests/core/test_workflows.py fails when a transition has no entry here or the named test does not exist,
so a new transition arrives with its test. Key: "<machine>.<transition>"; value: "path::test_name".
"""
TRANSITION_TESTS = {
    "call.publish": "tests/calls/test_workflow.py::test_officer_publishes_a_complete_draft_and_it_is_audited",
    "call.close": "tests/calls/test_workflow.py::test_officer_closes_a_published_call_and_it_is_audited",
    "round.open": "tests/review/test_rounds.py::test_round_opens_only_with_times_rubric_and_full_panels",
    "round.close": "tests/review/test_rounds.py::test_closing_needs_confirmation",
    "application.submit":
        "tests/applications/test_submit.py::test_complete_application_is_submitted_numbered_and_becomes_read_only",
    "application.withdraw": "tests/applications/test_submit.py::test_withdraw_before_the_deadline_after_confirmation",
    "application.return":
        "tests/applications/test_submit.py::test_officer_returns_then_applicant_revises_and_resubmits_until_revise_until",
}
