"""Scoring forms. The scoring form is built per round: one score and one comment field per criterion of
the round's rubric (``score_<criterion id>``, ``comment_<criterion id>``). A total is never a field: the
server adds the scores up."""
import re
from decimal import Decimal

from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from grantportal.core.forms import Form, strip, too_long
from grantportal.core.money import format_points
from grantportal.review.scoring.operations import ReviewData

SCORE_RE = re.compile(r"^\d{1,4}(\.\d{1,2})?$")
FIELD_RE = re.compile(r"^(score|comment)_(.+)$")
COMMENT_MAX = 2000
OVERALL_MAX = 5000
HALF = Decimal("0.5")


class ScoreError(ValueError):
    """Raised with a Chinese message suitable to show next to the field."""


def parse_score(text, max_points, half_points):
    """A score typed by an expert: ASCII digits, within 0..max, in whole (or half) points; None if blank."""
    raw = (text or "").strip()
    if not raw:
        return None
    example = "例如 12 或 12.5" if half_points else "例如 12"
    if not raw.isascii():
        raise ScoreError(f"请使用半角数字填写分数，{example}。")
    if raw.startswith("-"):
        raise ScoreError("分数不能为负数。")
    if not SCORE_RE.match(raw):
        raise ScoreError(f"分数格式不正确：只能填写数字，{example}。")
    value = Decimal(raw)
    if value % (HALF if half_points else Decimal(1)):
        raise ScoreError("本轮评分以0.5分为单位，例如 12 或 12.5。" if half_points else "本轮评分须为整数，例如 12。")
    if value > Decimal(max_points):
        raise ScoreError(f"分数不能超过该项满分{format_points(max_points)}分。")
    return value.quantize(Decimal("0.1"))


class ScoreField(StringField):
    """Keeps what was typed; ``points`` holds the parsed value after validation."""

    def __init__(self, label=None, validators=None, max_points=0, half_points=False, **kw):
        super().__init__(label, validators, **kw)
        self.max_points = max_points
        self.half_points = half_points
        self.points = None

    def process_data(self, value):
        self.data = format_points(value) if value is not None else ""

    def pre_validate(self, form):
        try:
            self.points = parse_score(self.data, self.max_points, self.half_points)
        except ScoreError as e:
            self.points = None
            raise ValidationError(str(e)) from None


class ScoringFormBase(Form):
    version = HiddenField()
    comment = TextAreaField("总体评价意见", [too_long(OVERALL_MAX)],
                            filters=[strip])
    save = SubmitField("暂存")
    submit_review = SubmitField("提交评审")

    round = None  # set on the class built per round

    @property
    def expected_version(self):
        text = (self.version.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() else -1

    @property
    def wants_submit(self):
        return bool(self.submit_review.data)

    def criterion_fields(self):
        """(criterion, score field, comment field) in rubric order, for the template."""
        return [(c, self[f"score_{c.id}"], self[f"comment_{c.id}"]) for c in self.round.criteria]

    def to_data(self):
        data = ReviewData(comment=self.comment.data or "")
        for c, score, comment in self.criterion_fields():
            data.points[c.id] = score.points
            data.comments[c.id] = comment.data or ""
        return data


def scoring_form_class(round_):
    """The scoring form of this round's rubric."""
    attrs = {"round": round_}
    for c in round_.criteria:
        attrs[f"score_{c.id}"] = ScoreField(f"{c.name}（满分{format_points(c.max_points)}分）",
                                            max_points=c.max_points, half_points=round_.half_points,
                                            filters=[strip])
        attrs[f"comment_{c.id}"] = TextAreaField(
            f"{c.name}评分理由", [too_long(COMMENT_MAX)],
            filters=[strip])
    return type("ScoringForm", (ScoringFormBase,), attrs)


def unknown_criterion_keys(form_keys, round_):
    """Posted score/comment keys that name no criterion of this round's rubric."""
    known = {str(c.id) for c in round_.criteria}
    return [k for k in form_keys if (m := FIELD_RE.match(k)) and m.group(2) not in known]


def initial_data(review):
    """Form data from a stored review (GET)."""
    data = {"version": str(review.version if review else 0)}
    if review is not None:
        data["comment"] = review.comment
        for s in review.scores:
            data[f"score_{s.criterion_id}"] = s.points
            data[f"comment_{s.criterion_id}"] = s.comment
    return data


class ReopenForm(Form):
    version = HiddenField()
    reason = TextAreaField("退回理由", [too_long(1000)], filters=[strip])

    def validate_reason(self, field):
        if not (field.data or "").strip():
            raise ValidationError("请填写退回理由。")

    @property
    def expected_version(self):
        text = (self.version.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() else -1


