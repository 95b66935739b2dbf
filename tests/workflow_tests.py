"""Which test takes each transition of each state machine (``core.workflow.MACHINES``).

tests/core/test_workflows.py fails when a transition has no entry here or the named test does not exist,
so a new transition arrives with its test. Key: "<machine>.<transition>"; value: "path::test_name".
"""
TRANSITION_TESTS = {
    "call.publish": "tests/calls/test_workflow.py::test_officer_publishes_a_complete_draft_and_it_is_audited",
    "call.close": "tests/calls/test_workflow.py::test_officer_closes_a_published_call_and_it_is_audited",
    "round.open": "tests/review/test_rounds.py::test_round_opens_only_with_times_rubric_and_full_panels",
    "round.close": "tests/review/test_rounds.py::test_closing_needs_confirmation",
    "round.reopen":
        "tests/review/test_round_guards.py::test_a_closed_round_reopens_with_a_reason_until_results_are_published",
    "application.submit":
        "tests/applications/test_submit.py::test_complete_application_is_submitted_numbered_and_becomes_read_only",
    "application.withdraw": "tests/applications/test_submit.py::test_withdraw_before_the_deadline_after_confirmation",
    "application.return":
        "tests/applications/test_submit.py::test_officer_returns_then_applicant_revises_and_resubmits_until_revise_until",
    "application.forward":
        "tests/teams/test_teams.py::test_a_team_applies_through_its_supporting_organization_end_to_end",
    "application.support_return":
        "tests/teams/test_teams.py::test_the_supporting_organization_returns_a_team_application_with_a_reason",
    "team.confirm": "tests/teams/test_teams.py::test_a_team_applies_through_its_supporting_organization_end_to_end",
    "team.decline": "tests/teams/test_teams.py::test_a_declined_team_names_another_supporting_organization",
    "team.rename": "tests/teams/test_teams.py::test_a_declined_team_names_another_supporting_organization",
    "org.resubmit": "tests/orgs/test_officer.py::test_returned_owner_resubmits_and_goes_back_to_pending",
    "org.verify":
        "tests/orgs/test_officer.py::test_officer_verifies_a_pending_organization_and_the_audit_log_has_before_and_after",
    "org.return": "tests/orgs/test_officer.py::test_return_needs_a_reason_which_the_owner_then_sees",
    "proposal.publish":
        "tests/awards/proposals/test_proposal_ops.py::test_publish_needs_a_selected_project_and_1_to_30_days",
    "proposal.republish": "tests/awards/proposals/test_stage_guards.py::"
                          "test_a_score_change_during_publicity_needs_a_republish_before_confirming",
    "proposal.confirm": "tests/awards/proposals/test_proposal_ops.py::"
                        "test_confirm_waits_for_the_period_and_every_objection_then_finalizes_and_notifies",
    "objection.uphold":
        "tests/awards/objections/test_objection_ops.py::test_upheld_objection_cancels_the_award_and_moves_the_first_reserve_up",
    "objection.reject":
        "tests/awards/objections/test_objection_ops.py::test_a_rejected_objection_keeps_the_award_and_tells_the_objector",
    "contract.issue": "tests/documents/test_signing.py::test_the_organization_signs_and_the_officer_confirms",
    "contract.upload_signed": "tests/documents/test_signing.py::test_the_organization_signs_and_the_officer_confirms",
    "contract.confirm": "tests/documents/test_signing.py::test_the_organization_signs_and_the_officer_confirms",
    "contract.return_signed": "tests/documents/test_signing.py::test_the_officer_returns_a_bad_scan_with_a_reason",
    "contract.close": "tests/monitoring/test_evaluation_closure.py::test_closure_names_each_missing_step",
    "contract.withdraw": "tests/awards/proposals/test_promotion.py::test_an_unsigned_contract_ends_with_the_drop",
    "contract.terminate":
        "tests/funding/test_payments.py::test_an_officer_terminates_an_active_contract_and_its_unpaid_tranches_stop",
    "report.save": "tests/monitoring/test_reports.py::test_a_member_saves_a_draft_then_submits",
    "report.submit": "tests/monitoring/test_reports.py::test_a_member_saves_a_draft_then_submits",
    "report.accept": "tests/monitoring/test_reports.py::test_officer_accepts_a_submitted_report",
    "report.return": "tests/monitoring/test_reports.py::test_officer_returns_with_a_note_and_the_org_resubmits",
    "report.waive": "tests/monitoring/test_evaluation_closure.py::test_closure_names_each_missing_step",
    "rectification.report": "tests/monitoring/test_rectification.py::"
                            "test_the_organization_files_its_report_from_the_page",
    "rectification.close": "tests/monitoring/test_rectification.py::"
                           "test_closing_the_case_releases_the_tranches_and_payment_goes_through",
    "rectification.continue": "tests/monitoring/test_rectification.py::"
                              "test_continue_rectification_needs_a_reason_and_a_new_deadline_and_keeps_the_pause",
    "inspection_visit.submit": "tests/inspection/test_third_party.py::"
                               "test_a_visit_is_submitted_returned_resubmitted_and_confirmed",
    "inspection_visit.confirm": "tests/inspection/test_third_party.py::"
                                "test_a_visit_is_submitted_returned_resubmitted_and_confirmed",
    "inspection_visit.return": "tests/inspection/test_third_party.py::"
                               "test_a_visit_is_submitted_returned_resubmitted_and_confirmed",
    "third_party_evaluation.submit": "tests/inspection/test_third_party.py::"
                                     "test_an_evaluation_scores_each_performance_target",
    "third_party_evaluation.confirm": "tests/inspection/test_third_party.py::"
                                      "test_an_evaluation_scores_each_performance_target",
    "third_party_evaluation.return": "tests/inspection/test_third_party.py::"
                                     "test_a_returned_evaluation_is_edited_and_resubmitted",
    "rectification.end": "tests/monitoring/test_rectification_termination.py::"
                         "test_termination_closes_the_open_case_with_the_reason",
    "supervision.assign": "tests/supervision/test_flow.py::"
                          "test_a_report_goes_from_the_citizen_through_the_organization_to_a_public_finding",
    "supervision.ask_org": "tests/supervision/test_flow.py::"
                           "test_a_report_goes_from_the_citizen_through_the_organization_to_a_public_finding",
    "supervision.answer": "tests/supervision/test_flow.py::"
                          "test_a_report_goes_from_the_citizen_through_the_organization_to_a_public_finding",
    "supervision.conclude": "tests/supervision/test_flow.py::"
                            "test_a_report_goes_from_the_citizen_through_the_organization_to_a_public_finding",
    "supervision.close": "tests/supervision/test_flow.py::"
                         "test_a_duplicate_is_closed_with_a_reason_the_reporter_is_told_and_nothing_is_public",
    "pledge.confirm_receipt":
        "tests/pledges/test_flow.py::test_a_pledge_counts_only_once_received_and_verified",
    "pledge.verify": "tests/pledges/test_flow.py::test_a_pledge_counts_only_once_received_and_verified",
    "pledge.return": "tests/pledges/test_flow.py::"
                     "test_returned_confirmed_and_withdrawn_pledges_count_nowhere_and_stay_private",
    "pledge.withdraw": "tests/pledges/test_flow.py::"
                       "test_returned_confirmed_and_withdrawn_pledges_count_nowhere_and_stay_private",
    "vote_round.open":
        "tests/votes/test_flow.py::test_officer_sets_up_a_vote_round_and_opens_it_with_its_projects_fixed",
    "vote_round.publish":
        "tests/votes/test_tally.py::test_the_published_tally_lists_receipt_hashes_that_anyone_can_recount",
    "vote.confirm":
        "tests/votes/test_anomalies.py::test_an_officer_confirms_a_flagged_vote_with_a_reason_and_it_counts",
    "vote.void": "tests/votes/test_anomalies.py::"
                 "test_a_voided_vote_stops_counting_its_voter_is_told_and_it_can_be_restored",
    "vote.restore": "tests/votes/test_anomalies.py::"
                    "test_a_voided_vote_stops_counting_its_voter_is_told_and_it_can_be_restored",
    "document.render":
        "tests/documents/test_issuing.py::test_a_renderer_failure_keeps_the_contract_and_a_retry_then_issues_it",
    "document.fail":
        "tests/documents/test_issuing.py::test_a_renderer_failure_keeps_the_contract_and_a_retry_then_issues_it",
    "document.retry":
        "tests/documents/test_issuing.py::test_a_renderer_failure_keeps_the_contract_and_a_retry_then_issues_it",
}
