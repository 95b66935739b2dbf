"""Forms of the service catalogues: a catalogue's heading, a category, an item. Each message is Chinese and shown
next to its field; what was typed is kept when something is refused. Amounts are ASCII-only (``MoneyField``)."""
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired

from grantportal.catalogue.models import CatalogueKind
from grantportal.catalogue.operations import (
    CATEGORY_MAX,
    DEPARTMENT_MAX,
    DESCRIPTION_MAX,
    FIELD_MAX,
    ITEM_NAME_MAX,
    NOTE_MAX,
    TITLE_MAX,
    CatalogueData,
    ItemData,
)
from grantportal.core.forms import Form, MoneyField, NumberField, choice, strip, too_long
from grantportal.orgs.models import Grade


class CatalogueForm(Form):
    year = NumberField("年度", minimum=2000, maximum=2100, example="2026")
    kind = choice("目录类型", CatalogueKind.choices(), default=CatalogueKind.PURCHASE.value)
    title = StringField("目录名称", [DataRequired("请填写目录名称。"), too_long(TITLE_MAX)], filters=[strip])
    note = TextAreaField("说明", [too_long(NOTE_MAX)], filters=[strip])

    def __init__(self, *args, fixed=False, **kw):
        super().__init__(*args, **kw)
        if fixed:  # an existing catalogue keeps its year and kind
            del self.year
            del self.kind

    def to_data(self):
        fixed = "year" not in self._fields
        return CatalogueData(year=None if fixed else self.year.number,
                             kind=None if fixed else CatalogueKind(self.kind.data),
                             title=self.title.data, note=self.note.data)


class CategoryForm(Form):
    name = StringField("类别名称", [DataRequired("请填写类别名称。"), too_long(CATEGORY_MAX)], filters=[strip])


class ItemForm(Form):
    category_id = choice("所属类别", [])
    name = StringField("事项名称", [DataRequired("请填写事项名称。"), too_long(ITEM_NAME_MAX)], filters=[strip])
    description = TextAreaField("服务内容", [too_long(DESCRIPTION_MAX)], filters=[strip])
    department = StringField("购买主体（部门）", [DataRequired("请填写购买主体（部门）。"), too_long(DEPARTMENT_MAX)],
                             filters=[strip])
    service_field = StringField("承接主体服务领域", [too_long(FIELD_MAX)], filters=[strip])
    min_grade = choice("承接主体最低评估等级", [("", "不限等级"), *[(g.value, f"{g.label}及以上") for g in Grade]])
    min_years_registered = NumberField("承接主体登记成立满（年）", minimum=0, maximum=50, optional=True)
    budget = MoneyField("参考预算（元）", optional=True)

    def __init__(self, *args, categories=(), **kw):
        super().__init__(*args, **kw)
        self.category_id.choices = [("", "请选择"), *[(str(c.id), c.name) for c in categories]]

    def to_data(self):
        category = self.category_id.data or ""
        return ItemData(category_id=int(category) if category.isdigit() else None, name=self.name.data,
                        description=self.description.data, department=self.department.data,
                        service_field=self.service_field.data,
                        min_grade=Grade(self.min_grade.data) if self.min_grade.data else None,
                        min_years_registered=self.min_years_registered.number, budget=self.budget.amount)


def item_data(item):
    """A stored item as form data (for correcting it)."""
    return {"category_id": str(item.category_id), "name": item.name, "description": item.description,
            "department": item.department, "service_field": item.service_field,
            "min_grade": item.min_grade.value if item.min_grade else "",
            "min_years_registered": item.min_years_registered, "budget": item.budget}
