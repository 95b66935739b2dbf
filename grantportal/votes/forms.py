"""Forms of public votes: the officer's vote round settings, the voter's confirmation (with the question asked when
traffic looks automated), the officer's decision on a vote and the confirmation before publishing the tally.
Every message is Chinese, next to its field; what was typed is kept."""
from datetime import timedelta
from decimal import Decimal

from wtforms import BooleanField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired

from grantportal.calls.models import StageKind
from grantportal.core.forms import Form, LocalDateTimeField, NumberField, choice, strip, too_long
from grantportal.review.models import EntryRule
from grantportal.votes.operations import REASON_MAX, VoteRoundData

MAX_DAYS = 60  # a window longer than this is a typing slip


class VoteRoundForm(Form):
    name = StringField("投票名称", [DataRequired("请填写投票名称，如“公众投票”。"), too_long(60)], filters=[strip])
    opens_at = LocalDateTimeField("投票开始时间", [DataRequired("请填写投票开始时间（北京时间，含时分）。")])
    closes_at = LocalDateTimeField("投票截止时间", [DataRequired("请填写投票截止时间（北京时间，含时分）。")])
    entry_rule = choice("参加投票的项目", [(EntryRule.SCREENED.value, "资格审查通过的全部申报"),
                                      (EntryRule.TOP_N.value, "某一轮评审排名前N名")])
    entry_value = NumberField("前N名的N", minimum=1, maximum=10000, optional=True, example="30")
    source_round_id = choice("依据的评审轮次", [])
    per_day = NumberField("每人每天可投票数", minimum=1, maximum=100, example="3")
    per_voter = NumberField("每人本轮共可投票数", minimum=1, maximum=1000, example="10")
    weight_percent = NumberField("投票得分在最终得分中的权重（%）", places=2, minimum=Decimal("0"),
                                 maximum=Decimal("100"), example="20")
    live_tally = BooleanField("投票期间公开实时票数（不勾选则截止并公布结果前不显示票数）")

    def __init__(self, *args, earlier_rounds=(), **kw):
        super().__init__(*args, **kw)
        self.source_round_id.choices = [SelectChoice("", "— 不适用 —")] + [
            SelectChoice(str(r.id), r.name) for r in earlier_rounds]

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        opens, closes = self.opens_at.data, self.closes_at.data
        if opens and closes and not self.opens_at.errors and not self.closes_at.errors:
            if closes <= opens:
                self.closes_at.errors.append("截止时间应晚于开始时间。")
            elif closes - opens > timedelta(days=MAX_DAYS):
                self.closes_at.errors.append(f"投票时间不能超过{MAX_DAYS}天。")
        if self.entry_rule.data == EntryRule.TOP_N.value:
            if not self.source_round_id.data:
                self.source_round_id.errors.append("请选择作为依据的评审轮次。")
            if not self.entry_value.errors and self.entry_value.number is None:
                self.entry_value.errors.append("请填写入围名额N。")
        if not self.per_day.errors and not self.per_voter.errors and self.per_day.number is not None \
                and self.per_voter.number is not None and self.per_day.number > self.per_voter.number:
            self.per_day.errors.append("每天可投票数不能多于每人本轮共可投票数。")
        return ok and not any(f.errors for f in self)

    def to_data(self):
        top_n = self.entry_rule.data == EntryRule.TOP_N.value
        return VoteRoundData(
            name=self.name.data, opens_at=self.opens_at.utc, closes_at=self.closes_at.utc,
            entry_rule=EntryRule(self.entry_rule.data), entry_value=Decimal(self.entry_value.number) if top_n else None,
            source_round_id=int(self.source_round_id.data) if top_n else None, per_day=self.per_day.number,
            per_voter=self.per_voter.number, weight_percent=self.weight_percent.number,
            live_tally=bool(self.live_tally.data))


def new_round_data(call):
    """A new vote's form: the call's 公众投票 stage dates when it has them, one vote a day for each of up to three
    projects, 20% of the final score (东莞 2011), the live tally public."""
    stage = call.stage(StageKind.VOTE)
    return {"name": "公众投票", "opens_at": stage.opens_at if stage else None,
            "closes_at": stage.closes_at if stage else None, "entry_rule": EntryRule.SCREENED.value,
            "per_day": 3, "per_voter": 10, "weight_percent": Decimal("20"), "live_tally": True}


def round_data(rnd, settings):
    return {"name": rnd.name, "opens_at": rnd.opens_at, "closes_at": rnd.closes_at, "entry_rule": rnd.entry_rule.value,
            "entry_value": rnd.entry_value, "source_round_id": str(rnd.source_round_id or ""),
            "per_day": settings.per_day, "per_voter": settings.per_voter, "weight_percent": rnd.weight_percent,
            "live_tally": settings.live_tally}


class VoteForm(Form):
    """确认投票; ``answer`` only when the page asked the question (challenge.py)."""

    answer = StringField("请回答验证问题", [too_long(10)], filters=[strip])


DECISIONS = {"confirm": "确认有效", "void": "作废", "restore": "恢复有效"}


class DecisionForm(Form):
    decision = choice("核查结论", list(DECISIONS.items()))
    reason = TextAreaField("理由", [DataRequired("请填写理由：作废的理由将与该票的回执哈希一同公布。"),
                                  too_long(REASON_MAX)], filters=[strip])


class PublishForm(Form):
    confirm = BooleanField("我已核对：投票已截止，待核查的投票已全部处理。公布后票数和每票的状态不能再改变。",
                           [DataRequired("请勾选确认后再公布。")])

