"""The random draw of expert panels (财库〔2016〕198号: experts drawn at random from the pool), written
so that anyone holding the log can replay it.

A draw has two steps:

1. ``candidates``: who may be drawn for an application. Starting from every expert in the pool, an
   expert is excluded, with the reason recorded, when the profile is switched off by an officer, the
   expert said they are unavailable or the account is disabled; when the round names expert fields and
   the expert has none of them; when the expert has a conflict of interest with the application
   (experts/conflicts.py); when the expert already sits (or sat, before being replaced) on this
   application's panel in this round; or when the expert is at the round's or their own load limit.
   What is left is a list of ``(expert user id, load)`` where load is the expert's number of active
   assignments in the round (counting the ones made earlier in the same batch).

2. ``pick(candidates, seed, size)``: sort the candidates by their key, shuffle them with
   ``random.Random(int(seed, 16))`` (Python's Mersenne Twister), then stable-sort by load (least
   loaded first, which balances the work) and take the first ``size``. ``pick`` depends on nothing
   but its arguments.

The key is the expert's place in the draw's ``public_order``: every expert considered (candidates and
excluded) in a random order chosen at draw time (``label_order``), which is also the order of the labels the
public record prints (专家A, 专家B, …; awards/proposals/draw_record.py). So the public record — seed, size,
labelled candidates with their loads — replays the draw without printing a name or an account id, and the
labels of one draw say nothing about those of another. The Draw row stores all of it, so ``replay(draw)``
recomputes the panel and shows whether it matches the stored one. (Draws logged before the public order
existed started from the id order; migration 0017 stored that as their public order.)
"""
import random
import secrets
from dataclasses import dataclass, field

from sqlalchemy.orm.attributes import set_committed_value

from grantportal.experts.conflicts import conflict_reasons

# Why an expert was left out, as recorded in Draw.excluded (Chinese: the log is read by people).
INACTIVE = "专家已被停用"
UNAVAILABLE = "专家本人设为暂不接受评审"
ACCOUNT_DISABLED = "专家账户已停用"
OUTSIDE_FIELDS = "专业领域与本轮要求不符"
ALREADY_ON_PANEL = "已在该申报的评审组中"
REMOVED_FROM_PANEL = "曾从该申报的评审组中移出"
CONFLICT = "回避："
ROUND_LIMIT = "本轮评审任务已达上限"
OWN_LIMIT = "专家本人可承担的评审任务已达上限"


def new_seed():
    """128 random bits as 32 hex digits, from the operating system's secure source."""
    return secrets.token_hex(16)


def pick(candidates, seed, size):
    """The panel drawn from ``candidates`` ([(expert id, load), ...], in any order) with ``seed``:
    sort by id, shuffle with the seed, stable-sort by load, take the first ``size`` ids."""
    ordered = sorted((int(expert_id), int(load)) for expert_id, load in candidates)
    random.Random(int(seed, 16)).shuffle(ordered)
    ordered.sort(key=lambda pair: pair[1])  # stable: ties keep their shuffled order
    return [expert_id for expert_id, _ in ordered[:size]]


def label_order(candidates, excluded):
    """Every expert considered, candidates and excluded, in a random order from the operating system's secure
    source: the order of the draw's public labels."""
    order = [int(expert_id) for expert_id, _ in candidates] + [int(expert_id) for expert_id, _ in excluded]
    secrets.SystemRandom().shuffle(order)
    return order


def pick_in_order(order, candidates, seed, size):
    """``pick`` with each candidate's place in ``order`` as its key: the expert ids drawn."""
    place = {int(expert_id): i for i, expert_id in enumerate(order)}
    keyed = [(place[int(expert_id)], load) for expert_id, load in candidates]
    return [int(order[i]) for i in pick(keyed, seed, size)]


def replay(draw):
    """(panel recomputed from the stored seed, public order and candidates, whether it equals the stored panel)."""
    panel = pick_in_order(draw.public_order, draw.candidates, draw.seed, draw.size)
    return panel, panel == list(draw.picked)


@dataclass
class Pool:
    """Everything a batch of draws needs, loaded once (review/rounds.py builds it): the experts with
    their users, affiliations and conflicts; each expert's load in the round and open load overall;
    who is or was on each application's panel."""

    round: object
    profiles: list  # ExpertProfile, with user, affiliations and conflicts loaded
    round_load: dict = field(default_factory=dict)  # expert id -> active assignments in this round
    open_load: dict = field(default_factory=dict)  # expert id -> unfinished assignments in all open rounds
    active: dict = field(default_factory=dict)  # application id -> set of expert ids on the panel now
    removed: dict = field(default_factory=dict)  # application id -> set of expert ids replaced before

    def __post_init__(self):
        for profile in self.profiles:  # conflict_reasons(user, ...) reads user.expert_profile
            set_committed_value(profile.user, "expert_profile", profile)
        self.profiles = sorted(self.profiles, key=lambda p: p.user_id)

    def took(self, expert_id, application_id):
        """Count a new assignment, so that later draws in the same batch see the load."""
        self.round_load[expert_id] = self.round_load.get(expert_id, 0) + 1
        self.open_load[expert_id] = self.open_load.get(expert_id, 0) + 1
        self.active.setdefault(application_id, set()).add(expert_id)


def standing_reason(profile, rnd):
    """Why this expert cannot be drawn in this round at all (None: may be drawn)."""
    if not profile.active:
        return INACTIVE
    if not profile.available:
        return UNAVAILABLE
    if not profile.user.is_active:
        return ACCOUNT_DISABLED
    wanted = set(rnd.field_list)
    if wanted and not wanted & set(profile.field_list):
        return OUTSIDE_FIELDS
    return None


def load_reason(pool, expert_id, profile, extra=1):
    """Why taking ``extra`` more assignments would put the expert over a limit (None: fits)."""
    if pool.round_load.get(expert_id, 0) + extra > pool.round.load_limit:
        return ROUND_LIMIT
    if pool.open_load.get(expert_id, 0) + extra > profile.load_limit:
        return OWN_LIMIT
    return None


def candidates(pool, application):
    """(candidates [[expert id, load], ...] sorted by id, excluded [[expert id, reason], ...])."""
    kept, excluded = [], []
    on_panel = pool.active.get(application.id, set())
    removed = pool.removed.get(application.id, set())
    for profile in pool.profiles:
        expert_id = profile.user_id
        reason = standing_reason(profile, pool.round)
        if reason is None and expert_id in on_panel:
            reason = ALREADY_ON_PANEL
        if reason is None and expert_id in removed:
            reason = REMOVED_FROM_PANEL
        if reason is None:
            conflicts = conflict_reasons(profile.user, application)
            if conflicts:
                reason = CONFLICT + "；".join(c.reason for c in conflicts)
        if reason is None:
            reason = load_reason(pool, expert_id, profile)
        if reason is None:
            kept.append([expert_id, pool.round_load.get(expert_id, 0)])
        else:
            excluded.append([expert_id, reason])
    return kept, excluded


def round_candidates(pool, applications):
    """For one panel serving the whole round: an expert must be free of conflicts with every entering
    application and have room for all of them."""
    kept, excluded = [], []
    for profile in pool.profiles:
        expert_id = profile.user_id
        reason = standing_reason(profile, pool.round)
        if reason is None:
            for application in applications:
                if expert_id in pool.active.get(application.id, set()) \
                        or expert_id in pool.removed.get(application.id, set()):
                    reason = f"{ALREADY_ON_PANEL}（{application.display_number}）"
                    break
                conflicts = conflict_reasons(profile.user, application)
                if conflicts:
                    reason = f"{CONFLICT}{application.display_number}：" + "；".join(c.reason for c in conflicts)
                    break
        if reason is None:
            reason = load_reason(pool, expert_id, profile, extra=len(applications))
        if reason is None:
            kept.append([expert_id, pool.round_load.get(expert_id, 0)])
        else:
            excluded.append([expert_id, reason])
    return kept, excluded
