"""The public record of a call's expert draws, and its replay (issue 12; DESIGN.md §4 "the draw reproducible
and logged", 财库〔2016〕198号; personal information §4).

Once the call's results are public (the moment its score table is), anyone may read, for every draw made in
the rounds that counted towards the ranking: the seed, the number of experts drawn, every expert considered
under a label (专家A, 专家B, … in the draw's ``public_order``, a random order fixed at draw time: the labels of
one draw say nothing about another's, nor about the score table's letters), each candidate's load when drawn,
each excluded expert's reason in words, and the labels drawn.

Never printed: names, accounts, ids, phones, ID numbers, and the details of a conflict of interest. A
conflict's recorded reason names the expert's tie to the applicant ("曾任该机构理事", an employer, a relative):
that is personal information about the expert, and with the application beside it, it would point at a
person. The public record says only "回避（与申报方存在利益关系）"; the officers' draw log keeps the detail.

``draw_record(call)`` reads it in a fixed number of queries; ``replay(record)`` is pure: it takes only the
published labels, loads, seed and size, runs the same ``pick`` as the draw (review/panels/draw.py) and
``differences(record)`` says where it disagrees with the published result (``[]``: 复核一致).
"""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from grantportal.applications.models import Application
from grantportal.awards.models import Award
from grantportal.core.db import db
from grantportal.review.models import Draw, RoundStatus
from grantportal.review.panels import draw as drawing
from grantportal.review.results.aggregate import expert_label, scored_rounds

METHOD = ("将候选专家按公开代号顺序（专家A、专家B……）排列，以随机种子（十六进制）转换的整数初始化 Python 的 "
          "random.Random（梅森旋转算法），调用 shuffle 打乱顺序，再按抽取时的任务量从少到多稳定排序（任务量相同者保持"
          "打乱后的顺序），取前N位（N为抽取人数）。")
NOTE = "专家代号仅在同一次抽取内有效，与评分明细中的专家字母互不对应；不公开专家姓名、账号及回避的具体事由。"
SNIPPET = ("import random\n"
           "def draw(candidates, seed, size):  # candidates: [(代号, 任务量), ...]，按代号顺序\n"
           "    order = list(candidates)\n"
           "    random.Random(int(seed, 16)).shuffle(order)\n"
           "    order.sort(key=lambda c: c[1])\n"
           "    return [label for label, _ in order[:size]]")

CONFLICT = "回避（与申报方存在利益关系）"
OTHER = "其他原因"
# The recorded reasons (review/panels/draw.py) as printed; a conflict's details are withheld (module docstring).
PUBLIC_REASONS = {
    drawing.INACTIVE: "专家库中已停用",
    drawing.UNAVAILABLE: "本人暂不接受评审",
    drawing.ACCOUNT_DISABLED: "专家账户已停用",
    drawing.OUTSIDE_FIELDS: drawing.OUTSIDE_FIELDS,
    drawing.ALREADY_ON_PANEL: drawing.ALREADY_ON_PANEL,
    drawing.REMOVED_FROM_PANEL: drawing.REMOVED_FROM_PANEL,
    drawing.ROUND_LIMIT: drawing.ROUND_LIMIT,
    drawing.OWN_LIMIT: drawing.OWN_LIMIT,
}


def public_reason(reason):
    """The recorded reason for leaving an expert out, in the words the public record uses."""
    reason = reason or ""
    if reason.startswith(drawing.CONFLICT):
        return CONFLICT
    if reason.startswith(drawing.ALREADY_ON_PANEL):  # a whole-round panel names the application: not needed
        return drawing.ALREADY_ON_PANEL
    return PUBLIC_REASONS.get(reason, OTHER)


@dataclass
class PublicDraw:
    number: int  # 第N次抽取 within its round
    round_name: str
    application: str  # "编号 项目名称", 全轮共用评审组, or 未参与排名的申报
    drawn_at: datetime
    seed: str
    size: int
    candidates: list  # [(label, load)] in label order
    excluded: list  # [(label, reason in words)] in label order
    picked: list  # [label] as stored, in the order drawn

    @property
    def candidate_labels(self):
        return [label for label, _ in self.candidates]


@dataclass
class RoundDraws:
    name: str
    draws: list = field(default_factory=list)  # [PublicDraw]


def _labelled(draw):
    """(candidates, excluded, picked) of one stored draw under its public labels, in label order."""
    place = {int(expert_id): i for i, expert_id in enumerate(draw.public_order)}
    candidates = [(expert_label(place[int(e)]), int(load))
                  for e, load in sorted(draw.candidates, key=lambda c: place[int(c[0])])]
    excluded = [(expert_label(place[int(e)]), public_reason(reason))
                for e, reason in sorted(draw.excluded, key=lambda c: place[int(c[0])])]
    picked = [expert_label(place[int(e)]) if int(e) in place else "（不在候选名单中的专家）" for e in draw.picked]
    return candidates, excluded, picked


def considered(draw):
    """Every expert a published draw considered, in label order: [(label, load or None, reason or None, drawn)]."""
    picked = set(draw.picked)
    rows = [(label, load, None, label in picked) for label, load in draw.candidates]
    rows += [(label, None, reason, False) for label, reason in draw.excluded]
    return sorted(rows, key=lambda row: (len(row[0]), row[0]))  # 专家B < 专家Z < 专家AA


def draw_record(call, proposal):
    """[RoundDraws] for the call's closed scored rounds that have draws, in round order; draws by time.
    Applications are named only when they are in the published ranking."""
    rounds = [r for r in scored_rounds(call) if r.status == RoundStatus.CLOSED]
    if not rounds:
        return []
    names = {app_id: f"{number or ''} {title}".strip() for app_id, number, title in db.session.execute(
        sa.select(Application.id, Application.number, Application.title)
        .join(Award, Award.application_id == Application.id)
        .where(Award.proposal_id == proposal.id, Award.rank.is_not(None)))}
    by_round = {r.id: RoundDraws(r.name) for r in rounds}
    counters = {}
    for draw in db.session.scalars(sa.select(Draw).where(Draw.round_id.in_(list(by_round)))
                                   .order_by(Draw.round_id, Draw.created_at, Draw.id)):
        counters[draw.round_id] = counters.get(draw.round_id, 0) + 1
        if draw.application_id is None:
            application = "全轮共用评审组"
        else:
            application = names.get(draw.application_id, "未参与排名的申报")
        candidates, excluded, picked = _labelled(draw)
        by_round[draw.round_id].draws.append(PublicDraw(
            counters[draw.round_id], by_round[draw.round_id].name, application, draw.created_at, draw.seed,
            draw.size, candidates, excluded, picked))
    return [by_round[r.id] for r in rounds if by_round[r.id].draws]


# --- replay: only the published record ------------------------------------------------------------------

def replay(draw):
    """The labels drawn again from ``draw.candidates`` (label order), ``draw.seed`` and ``draw.size`` alone."""
    labels = draw.candidate_labels
    drawn = drawing.pick([(i, load) for i, (_, load) in enumerate(draw.candidates)], draw.seed, draw.size)
    return [labels[i] for i in drawn]


def differences(record):
    """Chinese sentences, one per draw whose replay differs from the published result (``[]``: 复核一致)."""
    out = []
    for rnd in record:
        for draw in rnd.draws:
            again = replay(draw)
            if again != draw.picked:
                out.append(f"{rnd.name}第{draw.number}次抽取（{draw.application}）：公布的抽取结果为"
                           f"{'、'.join(draw.picked) or '无'}，按公开的种子和候选名单复算为{'、'.join(again) or '无'}")
    return out


def draw_lines(record):
    """The record as CSV lines: the method, then one line per expert considered in each draw."""
    yield ["抽取方法", METHOD]
    yield ["说明", NOTE]
    yield []
    yield ["评审轮次", "抽取序号", "申报", "抽取时间", "随机种子", "抽取人数", "专家代号", "是否为候选", "抽取时任务量",
           "未列入候选的原因", "是否抽中"]
    for rnd in record:
        for draw in rnd.draws:
            head = [rnd.name, draw.number, draw.application, draw.drawn_at.isoformat(), draw.seed, draw.size]
            picked = set(draw.picked)
            for label, load in draw.candidates:
                yield head + [label, "是", load, "", "是" if label in picked else "否"]
            for label, reason in draw.excluded:
                yield head + [label, "否", "", reason, "否"]


def draw_json(call, record):
    """The record as a JSON-ready dict, with each draw's replay."""
    return {
        "call": {"id": call.id, "title": call.title},
        "method": METHOD,
        "replay_code": SNIPPET,
        "note": NOTE,
        "rounds": [{
            "name": rnd.name,
            "draws": [{
                "number": draw.number,
                "application": draw.application,
                "drawn_at": draw.drawn_at.isoformat(),
                "seed": draw.seed,
                "size": draw.size,
                "candidates": [{"label": label, "load": load} for label, load in draw.candidates],
                "excluded": [{"label": label, "reason": reason} for label, reason in draw.excluded],
                "picked": draw.picked,
                "replayed": replay(draw),
            } for draw in rnd.draws],
        } for rnd in record],
    }
