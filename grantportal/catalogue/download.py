"""A year's published service catalogues as a CSV anyone can download (数据开放): one row per item and call that
names it (an item no call names yet: one row with the purchase columns blank), with the same facts as the year's
page — the item, its purchasing department, the requirements, the indicative budget, and what was bought under
it. UTF-8 with a byte-order mark so that Excel and WPS read the Chinese; text passed through ``safe_cell``;
amounts in yuan with two decimals."""
import csv
import io

from grantportal.core.spreadsheet import safe_cell
from grantportal.core.timeutil import to_local

COLUMNS = ("目录", "目录类型", "发布日期", "类别", "事项", "服务内容", "购买主体", "承接主体条件", "参考预算（元）",
           "征集", "征集状态", "结果是否确定", "资助项目数", "资助金额（元）")


def _money(value):
    return "" if value is None else f"{value:.2f}"


def rows(catalogues, purchases):
    """The CSV's rows (lists of cells) for ``catalogues`` (published, with categories and items loaded) and
    ``purchases`` ({item id: [Purchase]}, as the year's page gets them); dates ISO 8601 in the site's zone."""
    for catalogue in catalogues:
        head = [catalogue.title, catalogue.kind.label, to_local(catalogue.published_at).date().isoformat()]
        for category in catalogue.categories:
            for item in category.items:
                facts = [category.name, item.name, item.description, item.department,
                         "；".join(item.requirements) or "不限", _money(item.budget)]
                bought = purchases.get(item.id) or [None]
                for p in bought:
                    tail = ["", "", "", "", ""] if p is None else [
                        p.title, p.status.label, "是" if p.final else "否",
                        str(p.projects) if p.final else "", _money(p.amount) if p.final else ""]
                    yield head + facts + tail


def csv_text(catalogues, purchases):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(catalogues, purchases):
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
