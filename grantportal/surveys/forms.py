"""Forms of satisfaction surveys: the officer's new survey and early close, and the citizen's answer (its rating
and free-text fields are made from the survey's questions). Each message is Chinese and shown next to its field;
what was typed is kept when something is refused."""
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from grantportal.core.forms import Form, LocalDateTimeField, strip, too_long
from grantportal.surveys.models import SCALE, SCALE_WORDS
from grantportal.surveys.operations import COMMENT_MAX, REASON_MAX, TITLE_MAX, AnswerData, SurveyData


class SurveyForm(Form):
    title = StringField("问卷标题", [too_long(TITLE_MAX)], filters=[strip])
    opens_at = LocalDateTimeField("开始时间")
    closes_at = LocalDateTimeField("结束时间")

    def to_data(self):
        return SurveyData(title=self.title.data, opens_at=self.opens_at.utc, closes_at=self.closes_at.utc)


class CloseForm(Form):
    reason = TextAreaField("提前结束的理由", [DataRequired("请写明提前结束的理由。"), too_long(REASON_MAX)],
                           filters=[strip])


def answer_form(survey, formdata=None):
    """The answer form of ``survey``: a 1–5 radio group per rating question, a text area per free-text one.
    Missing ratings are the operation's to refuse (one message per field)."""

    class AnswerForm(Form):
        def to_data(self):
            ratings = {}
            for q in survey.ratings:
                value = self[q["key"]].data
                ratings[q["key"]] = int(value) if value and value.isdigit() else None
            return AnswerData(ratings=ratings, comments={q["key"]: self[q["key"]].data for q in survey.texts})

    for q in survey.questions:
        if q["kind"] == "rating":
            field = RadioField(q["text"], choices=[SelectChoice(str(s), f"{s}分 {SCALE_WORDS[s]}") for s in SCALE],
                               validate_choice=False)
        else:
            field = TextAreaField(f"{q['text']}（可选）", [too_long(COMMENT_MAX)], filters=[strip])
        setattr(AnswerForm, q["key"], field)
    return AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()
