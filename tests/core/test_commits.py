"""The one way a view ends its write: commit once, or roll everything back and answer the refusal in Chinese."""
import pytest
from flask_wtf import FlaskForm
from werkzeug.exceptions import Conflict
from wtforms import StringField

from grantportal.core.commits import commit_or_abort, commit_or_refusal
from grantportal.core.db import db
from grantportal.core.errors import Refused
from tests.factories import UserFactory


class _Form(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("姓名")
    phone = StringField("电话")


def _name_in_database(user):
    return db.session.execute(db.select(type(user).name).where(type(user).id == user.id)).scalar_one()


def test_a_write_that_is_not_refused_is_committed(app):
    user = UserFactory(name="张三")
    db.session.commit()
    with commit_or_refusal() as attempt:
        user.name = "李四"
    db.session.expire_all()
    assert attempt.ok and attempt.status == 200
    assert _name_in_database(user) == "李四"


def test_a_refusal_rolls_back_everything_and_goes_next_to_its_field(app):
    user = UserFactory(name="张三")
    db.session.commit()
    with app.test_request_context(method="POST"):
        form = _Form(data={"name": "李四"})
        with commit_or_refusal(form) as attempt:
            user.name = "李四"
            db.session.flush()
            raise Refused("该姓名不能使用。", field="name")
        assert not attempt.ok and attempt.status == 409
        assert attempt.message is None  # the message is next to the field, not on the page
        assert form.name.errors == ["该姓名不能使用。"]
        assert form.name.data == "李四"  # what the user typed is kept for the page
    assert _name_in_database(user) == "张三"


def test_a_refusal_without_a_field_is_the_pages_message(app):
    with commit_or_refusal() as attempt:
        raise Refused("评审已结束，不能再指派专家。")
    assert attempt.message == "评审已结束，不能再指派专家。"


def test_a_button_without_a_form_answers_with_the_refusals_status_and_message(app):
    user = UserFactory(name="张三")
    db.session.commit()
    with pytest.raises(Conflict) as raised:
        with commit_or_abort():
            user.name = "李四"
            db.session.flush()
            raise Refused("只有评审中的轮次才能结束。")
    assert raised.value.description == "只有评审中的轮次才能结束。"
    assert _name_in_database(user) == "张三"


def test_other_errors_are_not_swallowed(app):
    with pytest.raises(ZeroDivisionError):
        with commit_or_refusal():
            1 / 0  # noqa: B018


def test_a_row_another_request_created_at_the_same_moment_is_answered_with_the_given_refusal(app):
    taken_name = UserFactory().username
    db.session.commit()
    taken = Refused("该内容刚由其他人员创建，请刷新页面后查看。")
    with commit_or_refusal(taken=taken) as attempt:
        db.session.add(UserFactory.build(username=taken_name))  # as a concurrent request would
    assert attempt.refused is taken and attempt.status == 409 and attempt.message == taken.message


def test_without_a_refusal_for_it_a_unique_violation_is_a_bug_and_propagates(app):
    from sqlalchemy.exc import IntegrityError

    taken_name = UserFactory().username
    db.session.commit()
    with pytest.raises(IntegrityError):
        with commit_or_refusal():
            db.session.add(UserFactory.build(username=taken_name))  # as a concurrent request would
    db.session.rollback()


def test_a_refusal_naming_several_fields_puts_each_message_next_to_its_field(app):
    """Several entries missing at once (a review submitted without some scores): each field gets its own
    message, and the refusal's own message is the page's."""
    with app.test_request_context(method="POST"):
        form = _Form(data={"name": ""})
        with commit_or_refusal(form) as attempt:
            raise Refused("未能提交，请按提示补充。", status=200,
                          fields={"name": "请填写姓名。", "phone": "请填写电话。", "gone": "不在表单上。"})
        assert attempt.status == 200 and attempt.message == "未能提交，请按提示补充。"
        assert form.name.errors == ["请填写姓名。"] and form.phone.errors == ["请填写电话。"]
