"""One state machine for every stateful object (Hypha's workflow as data; DESIGN.md §3).

A machine names the object's states, which of them are final, and its transitions as data: where each
starts, where it ends, the verb shown on buttons and in messages, who may take it (a role predicate),
what must be true first (a guard returning the problems in Chinese), and whether it needs a ticked
confirmation. ``check`` is the one place that answers "may this user take this step now?" with a
``Decision`` and its reason; ``move`` takes the step inside its audit action, or raises the machine's
refusal. Every machine is registered in ``MACHINES``, so that a generated test can walk all of them: no
non-final state without a way out, no transition without a test (tests/core/test_workflows.py).
"""
from collections.abc import Callable
from dataclasses import dataclass, field

from grantportal.core.audit import audit_action
from grantportal.core.db import db
from grantportal.core.errors import Refused
from grantportal.core.permissions import Decision

MACHINES = {}


def no_problems(obj, now=None):
    return []


@dataclass(frozen=True)
class Transition:
    name: str  # e.g. "publish"; the audit log records "<machine>.<name>" unless ``audit`` says otherwise
    sources: frozenset
    target: object
    verb: str  # shown on buttons and in messages, e.g. "发布"
    actor: str  # who takes it, in words for refusals and the dead-end test, e.g. "项目官员"
    may: Callable  # may(user) -> bool
    guard: Callable = no_problems  # guard(obj, now) -> [problem, …] in Chinese; empty: may proceed
    needs_confirmation: bool = False
    audit: str = ""


@dataclass
class StateMachine:
    name: str  # e.g. "call"
    attribute: str  # the object's state attribute, e.g. "status"
    states: type  # the state enum
    final: frozenset
    transitions: tuple
    refusal: type = Refused
    noun: str = ""  # the object in refusals: "只有项目官员可以发布征集。"
    # target -> why it cannot be reached from the state now: a sentence, or callable(obj) -> sentence
    not_allowed: dict = field(default_factory=dict)
    wrong_state: str = "当前状态为“{state}”，不能{verb}。"  # when ``not_allowed`` says nothing
    blocked: str = "暂不能{verb}：{problems}"  # when a guard finds problems

    def __post_init__(self):
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.name}: transition names repeat")
        MACHINES[self.name] = self

    def state_of(self, obj):
        return getattr(obj, self.attribute)

    def transition(self, name):
        return next(t for t in self.transitions if t.name == name)

    def leaving(self, state):
        """The transitions that start in ``state``."""
        return [t for t in self.transitions if state in t.sources]

    def to(self, state, target):
        """The transition from ``state`` to ``target``, or None."""
        return next((t for t in self.leaving(state) if t.target == target), None)

    def audit_action(self, transition):
        return transition.audit or f"{self.name}.{transition.name}"

    def check(self, user, obj, name, now=None, confirmed=False):
        """May ``user`` take transition ``name`` on ``obj`` now? A ``Decision`` with the reason in Chinese."""
        step = self.transition(name)
        state = self.state_of(obj)
        if state not in step.sources:
            reason = self.not_allowed.get(step.target) or self.wrong_state.format(state=state.label, verb=step.verb)
            return Decision(False, reason(obj) if callable(reason) else reason)
        if not step.may(user):
            return Decision(False, f"只有{step.actor}可以{step.verb}{self.noun}。")
        problems = step.guard(obj, now)
        if problems:
            return Decision(False, self.blocked.format(verb=step.verb, problems="".join(problems)))
        if step.needs_confirmation and not confirmed:
            return Decision(False, f"请勾选确认后再{step.verb}。")
        return Decision(True)

    def allows(self, obj, name, now=None):
        """Whether the object's state and the step's guard allow ``name`` now, whoever asks (for pages that
        show a step to the people a permission already admits)."""
        step = self.transition(name)
        return self.state_of(obj) in step.sources and not step.guard(obj, now)

    def require(self, user, obj, name, now=None, confirmed=False):
        """The transition, when ``check`` allows it; otherwise the machine's refusal with the reason. For
        operations that change more than the state inside the step's audit action."""
        decision = self.check(user, obj, name, now, confirmed)
        if not decision:
            raise self.refusal(decision.reason)
        return self.transition(name)

    def move(self, obj, user, name, now=None, confirmed=False, **changes):
        """Take transition ``name``: checked, then the state and ``changes`` (other attributes the step sets,
        e.g. ``published_at``) change inside its audit action, flushed, never committed. Raises the
        machine's refusal with the reason."""
        step = self.require(user, obj, name, now, confirmed)
        with audit_action(self.audit_action(step)):
            setattr(obj, self.attribute, step.target)
            for attribute, value in changes.items():
                setattr(obj, attribute, value)
            db.session.flush()
        return obj
