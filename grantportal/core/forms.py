"""The form kit every domain uses: money, numbers, percentages, choices, local dates and date-times, button
forms and refusals, page forms with repeated rows and a rubric's row, each with its Chinese message next to
the field and what was typed kept on error."""
import re
from datetime import datetime
from decimal import Decimal

import wtforms
from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from grantportal.core.districts import districts
from grantportal.core.inputs import CONTROL_MESSAGE, has_control, normalize_code, normalize_phone, trim
from grantportal.core.money import AmountError, parse_amount
from grantportal.core.timeutil import local_to_utc, to_local


def strip(value):
    """Spaces around a value gone (the ideographic space U+3000 and zero-width characters included)."""
    return trim(value)


def code(value):
    """A code typed or pasted: half-width, upper case, no spaces (core.inputs.normalize_code)."""
    return normalize_code(value)


def phone_number(value):
    """A phone number in ASCII digits (core.inputs.normalize_phone)."""
    return normalize_phone(value)


class NoControlCharacters:
    """Refuses control characters in a text field (tab and line breaks are allowed in multi-line text); it
    runs before every other rule of the field, so that no rule (nor a query) ever sees them."""

    def __init__(self, multiline):
        self.multiline = multiline

    def __call__(self, form, field):
        if has_control(field.data, self.multiline):
            raise StopValidation(CONTROL_MESSAGE)


class InputMeta:
    """The kit's rules for every text field of every form (``Form`` and ``RowForm`` below):
    control characters refused next to the field, and no ``maxlength`` attribute, because a browser cuts a
    paste at ``maxlength`` silently, before the server has trimmed or normalised it; the server says in
    Chinese when something is too long."""

    def bind_field(self, form, unbound_field, options):
        field = unbound_field.bind(form=form, **options)
        if isinstance(field, StringField):
            field.validators = [NoControlCharacters(isinstance(field, TextAreaField)), *field.validators]
        return field

    def render_field(self, field, render_kw):
        if isinstance(field, StringField):
            render_kw = {**render_kw, "maxlength": False}
        return super().render_field(field, render_kw)


class Form(FlaskForm):
    """Every page form's base: FlaskForm (CSRF) with the kit's input rules."""

    class Meta(InputMeta):
        pass


class RowForm(wtforms.Form):
    """A repeated row inside a page form (FieldList of FormField), with the kit's input rules."""

    class Meta(InputMeta):
        pass


def too_long(n):
    """A length limit with the one wording for it."""
    return Length(max=n, message=f"不能超过{n}个字。")


class RowsForm(Form):
    """A page form with sections of repeated rows (FieldList of FormField of a RowForm with ``is_blank``):
    '增加一行' (``grow``), a few blank rows below the filled ones (``pad``), messages about a whole section
    (``section_errors``), and the rows' errors gathered after the form's own checks (``collect_errors``).
    ``growable``: the sections that grow, each with its most rows."""

    growable = {}
    blank_rows = 1

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.section_errors = {}

    def section_error(self, section, message):
        self.section_errors.setdefault(section, []).append(message)
        self.form_errors.append(message)

    def grow(self, section):
        """'增加一行': one more blank row, if the section allows it. Returns False at the limit."""
        rows = getattr(self, section, None)
        if section not in self.growable or rows is None or len(rows) >= self.growable[section]:
            return False
        rows.append_entry()
        return True

    def pad(self):
        """A few blank rows below the filled ones."""
        for section, limit in self.growable.items():
            rows = getattr(self, section, None)
            if rows is None:
                continue
            blanks = sum(1 for r in rows if r.form.is_blank())
            while blanks < self.blank_rows and len(rows) < limit:
                rows.append_entry()
                blanks += 1

    def collect_errors(self):
        """Errors added after the field-by-field pass, rows included (FieldList caches its own)."""
        found = bool(self.form_errors)
        for f in self:
            if isinstance(f, FieldList):
                f.errors = [entry.errors for entry in f.entries]
                if not any(f.errors):
                    f.errors = []
            found = found or bool(f.errors)
        return found


class RubricRowForm(RowForm):
    """One criterion of a rubric (评分项, a call's or a review round's): its name here; the form that uses it
    adds ``max_points`` (an optional NumberField) and ``guidance``, with its own range and length."""

    id = HiddenField()
    name = StringField("评分项", [too_long(40)], filters=[strip])

    def is_blank(self):
        return not self.name.data and not (self.max_points.data or "").strip() and not self.guidance.data


def check_rubric(rows):
    """The rubric's filled rows, each with a name, not repeated, and its full points; the messages go next
    to the fields. Returns the filled rows' forms."""
    seen = set()
    filled = [row.form for row in rows if not row.form.is_blank()]
    for f in filled:
        if not f.name.data:
            f.name.errors.append("请填写评分项名称。")
        elif f.name.data in seen:
            f.name.errors.append("评分项名称重复。")
        seen.add(f.name.data)
        if not (f.max_points.data or "").strip() and not f.max_points.errors:
            f.max_points.errors.append("请填写该项满分。")
    return filled


CHOOSE_FROM_LIST = "请从列表中选择。"


def choice(label, choices, **kw):
    """A drop-down that refuses unknown values in Chinese; ``choices``: SelectChoice or (value, label)."""
    options = [c if isinstance(c, SelectChoice) else SelectChoice(str(c[0]), c[1]) for c in choices]
    return SelectField(label, choices=options, invalid_choice_message=CHOOSE_FROM_LIST, **kw)


class ChoiceField(SelectField):
    """A drop-down whose unknown values get a Chinese message."""

    def pre_validate(self, form):
        if self.data not in {c.value for c in self.choices}:
            raise ValidationError(CHOOSE_FROM_LIST)


class DistrictField(ChoiceField):
    """A 镇街 drop-down of this deployment's list (core/districts.py), "请选择" first: whether it may stay blank
    is the form's rule (DataRequired, or a completeness check at submission). Built with the form, in a
    request, so that it reads the running app's setting."""

    def __init__(self, label, validators=None, **kw):
        kw["choices"] = [SelectChoice("", "请选择"), *(SelectChoice(d, d) for d in districts())]
        super().__init__(label, validators, **kw)

    def pre_validate(self, form):
        if self.data:  # absent or blank is for the form's rules to judge
            super().pre_validate(form)

    @property
    def chosen(self):
        """The chosen name, or None when left blank (stored as NULL)."""
        return self.data or None


class RadioChoiceField(RadioField):
    """Radio buttons whose unknown values get a Chinese message."""

    def pre_validate(self, form):
        if self.data not in {c.value for c in self.choices}:
            raise ValidationError("请从选项中选择。")


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; an unknown value is refused in Chinese."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        known = {c.value for c in self.choices}
        if any(v not in known for v in self.data or []):
            raise ValidationError(CHOOSE_FROM_LIST)


class NumberField(StringField):
    """A number typed in ASCII digits (full-width digits are refused, as for amounts): a whole number when
    ``places`` is 0, else at most ``places`` decimals. ``number`` holds the int or Decimal after
    validation (None when left blank and ``optional``). ``signed`` lets a minus through, so that the rule
    that uses the number can say why it must not be negative. ``out_of_range`` replaces the range message."""

    def __init__(self, label=None, validators=None, places=0, minimum=None, maximum=None, optional=False,
                 example="10", what="", signed=False, out_of_range=None, **kw):
        super().__init__(label, validators, **kw)
        self.places, self.optional, self.example, self.what = places, optional, example, what
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)
        self.signed, self.out_of_range = signed, out_of_range
        self.number = None

    def process_data(self, value):
        if isinstance(value, Decimal):
            value = f"{value.normalize():f}"
        self.data = "" if value is None else str(value)

    def _format_message(self):
        kind = self.what or ("整数" if not self.places else "")
        decimals = f"，最多{self.places}位小数" if self.places else ""
        return f"请使用半角数字填写{kind}{decimals}，例如 {self.example}。"

    def _range_message(self):
        if self.out_of_range:
            return self.out_of_range
        noun = "整数" if not self.places else "数"
        low, high = (None if b is None else f"{b.normalize():f}" for b in (self.minimum, self.maximum))
        if low is not None and high is not None:
            return f"请填写{low}到{high}之间的{noun}。"
        return f"不能小于{low}。" if low is not None else f"不能大于{high}。"

    def pre_validate(self, form):
        text = (self.data or "").strip()
        self.number = None
        if not text:
            if self.optional:
                return
            raise ValidationError("请填写此项。")
        decimals = rf"(\.[0-9]{{1,{self.places}}})?" if self.places else ""
        sign = "-?" if self.signed else ""
        if not re.fullmatch(rf"{sign}[0-9]{{1,6}}{decimals}", text):
            raise ValidationError(self._format_message())
        value = Decimal(text)
        if (self.minimum is not None and value < self.minimum) or (self.maximum is not None and value > self.maximum):
            raise ValidationError(self._range_message())
        self.number = int(value) if not self.places else value


class CountField(IntegerField):
    """A whole number read by WTForms (``data`` is an int), with a Chinese message when it cannot be read;
    for fields checked with WTForms' own validators (InputRequired, NumberRange)."""

    def __init__(self, label=None, validators=None, message="请填写整数，例如 20。", **kw):
        super().__init__(label, validators, **kw)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None


class MoneyField(StringField):
    """A yuan amount: ASCII digits with at most two decimals; keeps what was typed on error."""

    def __init__(self, label=None, validators=None, optional=False, **kw):
        super().__init__(label, validators, **kw)
        self.optional = optional
        self.amount = None

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = self.raw
        self.amount = None

    def process_data(self, value):
        self.data = "" if value is None else f"{value:.2f}" if not isinstance(value, str) else value
        self.raw = self.data

    def pre_validate(self, form):
        text = (self.data or "").strip()
        if not text and self.optional:
            self.amount = None
            return
        try:
            self.amount = parse_amount(text)
        except AmountError as e:
            raise ValidationError(str(e)) from None


# Dates outside these years are typing mistakes (and break date arithmetic near year 1 or 9999).
MIN_YEAR, MAX_YEAR = 1949, 2100
YEAR_RANGE_MESSAGE = f"请填写{MIN_YEAR}年至{MAX_YEAR}年之间的日期。"


class LocalDateField(DateField):
    """A date typed as <input type=date>; a Chinese message when it cannot be read or is out of range."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("请按“年-月-日”填写日期，例如 2026-03-01。") from None
        if self.data and not MIN_YEAR <= self.data.year <= MAX_YEAR:
            self.data = None
            raise ValueError(YEAR_RANGE_MESSAGE)


class LocalDateTimeField(DateTimeLocalField):
    """A deadline typed in Asia/Shanghai wall-clock time; ``utc`` gives the stored value."""

    def __init__(self, label=None, validators=None, **kw):
        kw.setdefault("format", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(label, validators, **kw)

    def process_data(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            value = to_local(value).replace(tzinfo=None)
        super().process_data(value)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("请按“年-月-日 时:分”填写日期和时间。") from None
        if self.data and not MIN_YEAR <= self.data.year <= MAX_YEAR:
            self.data = None
            raise ValueError(YEAR_RANGE_MESSAGE)

    @property
    def utc(self):
        return local_to_utc(self.data) if self.data else None


def refusal(form, e):
    """Put an operation's refusal (an exception with ``field`` and ``message``) next to its field and return
    None; without such a field (or without a form) return the message for the page. The messages of the
    refusal's ``fields`` (``core.errors.Refused``) go next to theirs too."""
    for name, message in getattr(e, "fields", {}).items():
        if form is not None and name in form._fields:
            form[name].errors = [*form[name].errors, message]
    field = form._fields.get(e.field) if (form is not None and e.field) else None
    if field is not None:
        field.errors = [*field.errors, e.message]
        return None
    return e.message


class ButtonForm(Form):
    """A form that is only a button (and its CSRF token): confirm, send, retry."""


class BatchForm(Form):
    """One confirmed decision over several rows ticked on a page (batch screening, batch verification):
    ``items`` are the ids the page offered (its view sets the choices), ``confirm`` the officer's
    statement that each was checked. Subclasses set the two labels."""

    items = CheckboxesField("选择", [DataRequired("请至少选择一项。")])
    confirm = BooleanField("我已逐项核对", [DataRequired("请勾选确认后再提交。")])

    def offer(self, pairs):
        """Offer ``pairs`` of (id, label); on GET tick them all."""
        self.items.choices = [SelectChoice(str(value), label) for value, label in pairs]
        if not self.is_submitted():
            self.items.data = [str(value) for value, _label in pairs]
        return self

    def still_as_shown(self, rows):
        """Of ``rows`` — ``(object, …, digest)`` as the page showed them — the ticked ones whose posted
        ``digest-<id>`` still matches, and how many ticked rows changed since the page was shown."""
        chosen = {int(v) for v in self.items.data or []}
        current = [row for row in rows
                   if row[0].id in chosen and request.form.get(f"digest-{row[0].id}") == row[-1]]
        return current, len(chosen) - len(current)


class VersionForm(Form):
    """A form (or a confirm button for a state change) carrying the version of the row the user saw, for
    optimistic locking: ``expected_version`` is -1 when it is missing or not a number."""

    version = HiddenField()

    @property
    def expected_version(self):
        text = (self.version.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() else -1
