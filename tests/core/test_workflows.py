"""Generated from ``core.workflow.MACHINES``: every state machine of every stateful object has no dead end
(each state that is not final has a way out that some role may take), and every transition has a test."""
import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from grantportal.app import create_app
from grantportal.calls.models import CallStatus
from grantportal.calls.workflow import CALL, TransitionRefused
from grantportal.core.db import db
from grantportal.core.roles import Role
from grantportal.core.workflow import MACHINES, StateMachine, Transition
from tests import factories as f
from tests.workflow_tests import TRANSITION_TESTS

create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # every domain imported: all registered
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.nodb


def _person(role):
    return SimpleNamespace(is_authenticated=True, role=role)


@pytest.mark.parametrize("machine", sorted(MACHINES), ids=str)
def test_no_state_is_a_dead_end(machine):
    m = MACHINES[machine]
    for state in m.states:
        if state in m.final:
            assert not m.leaving(state), f"{machine}: final state {state.label} has a transition out"
            continue
        ways = [t for t in m.leaving(state) if any(t.may(_person(role)) for role in Role)]
        assert ways, f"{machine}: no role can leave the state “{state.label}”"


@pytest.mark.parametrize("machine", sorted(MACHINES), ids=str)
def test_every_state_can_be_reached(machine):
    m = MACHINES[machine]
    targets = {t.target for t in m.transitions}
    sources = {s for t in m.transitions for s in t.sources}
    unreachable = set(m.states) - targets - (sources - targets)  # a start state is a source no step leads to
    assert not unreachable, f"{machine}: states no transition touches: {sorted(s.label for s in unreachable)}"


def _test_exists(address):
    path, _, name = address.partition("::")
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return any(isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body)


def test_every_transition_has_a_test():
    names = {f"{m.name}.{t.name}" for m in MACHINES.values() for t in m.transitions}
    missing = sorted(names - set(TRANSITION_TESTS))
    assert not missing, f"transitions without a test in tests/workflow_tests.py: {missing}"
    assert not set(TRANSITION_TESTS) - names, "tests/workflow_tests.py names transitions that do not exist"
    broken = [address for address in TRANSITION_TESTS.values() if not _test_exists(address)]
    assert not broken, f"tests/workflow_tests.py names tests that do not exist: {broken}"


def test_the_dead_end_check_finds_a_dead_end():
    """The walk above can fail: a machine whose middle state nobody may leave is caught."""
    nobody = Transition("close", frozenset({CallStatus.PUBLISHED}), CallStatus.CLOSED, "结束", "无人", lambda u: False)
    step = Transition("publish", frozenset({CallStatus.DRAFT}), CallStatus.PUBLISHED, "发布", "项目官员",
                      lambda u: u.role == Role.OFFICER)
    stuck = StateMachine("stuck-test", "status", CallStatus, frozenset({CallStatus.CLOSED}), (step, nobody))
    try:
        with pytest.raises(AssertionError, match="no role can leave the state “已发布”"):
            test_no_state_is_a_dead_end("stuck-test")
    finally:
        del MACHINES[stuck.name]


def test_a_refused_step_changes_nothing(app):
    """``move`` checks first: a refused step raises the machine's refusal and leaves the state as it was."""
    call = f.CallFactory(status=CallStatus.DRAFT, published_at=None)
    auditor = f.UserFactory(auditor=True)
    with pytest.raises(TransitionRefused, match="只有项目官员可以发布征集"):
        CALL.move(call, auditor, "publish")
    assert call.status == CallStatus.DRAFT and not db.session.dirty
