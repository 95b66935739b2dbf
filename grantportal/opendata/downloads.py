"""Bulk downloads of every published award, streamed: each function is a generator of chunks fed by
``queries.award_rows`` (keyset batches), so a 100,000-project file never sits in memory.

The fields (``FIELDS``) are the data dictionary: the JSON keys, the Chinese column headers of the CSV and XLSX,
and the description shown on the 数据开放 page. Amounts are yuan with two decimals (text in JSON and CSV, so no
cents are lost; numbers in XLSX); dates are ISO 8601 (the site's zone, +08:00).

Money by funding source (``calls.sources``): the awarded amount is split across the call's funding sources pro
rata to the sources' amounts, rounded down to the 分 with the remainder on the largest source, so that the parts
add up to the amount exactly. ``funding_sources`` names every part (其他 with its name); the ``amount_<kind>``
columns give the part of each kind of source (blank when the call has no source of that kind, all blank when the
call records no sources). The 360Giving file carries the same columns after the standard's.

The 360Giving-style file uses the column titles of the 360Giving Data Standard's flat form (schema in
``tests/opendata/schemas/360giving``): one row per award, the bureau as the funding organization and the
organization, identified as ``CN-USCI-<统一社会信用代码>``, as the recipient.
"""
import csv
import io
import json
from dataclasses import dataclass

from grantportal.calls.sources import KINDS, breakdown_text, by_kind
from grantportal.core.spreadsheet import safe_cell
from grantportal.opendata.ocds import CURRENCY, iso, org_id


@dataclass(frozen=True)
class Urls:
    """Absolute stable addresses, for links inside the data. Built with a URL adapter bound in the view (or the
    job), so that a streamed download can build them after the request context is gone."""
    base: str
    adapter: object

    def package(self, call_id):
        return self.base + self.adapter.build("opendata.call_package", {"call_id": call_id})

    def record(self, contract_id):
        return self.base + self.adapter.build("opendata.project_record", {"contract_id": contract_id})


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    description: str
    kind: str = "text"  # text / money / date / int


SOURCE_FIELDS = (
    Field("funding_sources", "资金来源",
          "资助金额按征集资金来源的分摊，各来源名称与金额（元），以“；”分隔：按各来源金额占征集资金来源合计的比例分摊，"
          "舍去分以下尾数，尾差计入金额最大的来源，各项之和等于资助金额；征集未登记资金来源时为空"),
    *(Field(f"amount_{k.value}", f"其中：{k.label}（元）", f"资助金额中分摊给{k.label}的部分（按“资金来源”的规则）；"
            f"征集无此类来源时为空", "money") for k in KINDS),
)

FIELDS = (
    Field("ocid", "开放合同标识", "本征集在开放合同数据标准（OCDS）中的流程标识 ocid"),
    Field("award_id", "资助标识", "OCDS 资助（award）标识，award-加资助编号"),
    Field("call_id", "征集编号", "本平台的征集编号", "int"),
    Field("call_title", "征集名称", "征集的届次与名称"),
    Field("call_year", "年度", "征集年度", "int"),
    Field("call_kind", "征集类型", "公益创投或政府购买服务"),
    Field("level", "项目级别", "市级、镇级或社区级"),
    Field("application_number", "申报编号", "项目申报时取得的编号"),
    Field("project_title", "项目名称", "入选项目的名称"),
    Field("category", "服务类别", "申报时选择的服务类别"),
    Field("district", "服务镇街", "项目服务的镇街；跨镇街或未填写时为空"),
    Field("recipient_id", "承接机构标识", "CN-USCI-加统一社会信用代码"),
    Field("recipient_uscc", "统一社会信用代码", "承接机构的统一社会信用代码（GB 32100-2015）"),
    Field("recipient_name", "承接机构名称", "承接项目的社会组织名称"),
    Field("amount_requested", "申请金额（元）", "申报时申请的资助金额", "money"),
    Field("amount_awarded", "资助金额（元）", "最终确定的资助金额", "money"),
    Field("currency", "币种", "人民币（CNY）"),
    *SOURCE_FIELDS,
    Field("award_date", "结果确定时间", "评审结果公示期满、最终确定的时间", "date"),
    Field("contract_id", "合同编号", "合同生效后在本平台的编号；合同未生效时为空", "int"),
    Field("contract_status", "合同状态", "履行中、已结项或已终止"),
    Field("contract_amount", "合同金额（元）", "签约时的资助金额", "money"),
    Field("contract_start", "合同开始日期", "合同履行期限的第一天", "date"),
    Field("contract_end", "合同结束日期", "合同履行期限的最后一天", "date"),
    Field("amount_paid", "已拨付（元）", "已拨付给承接机构的金额合计", "money"),
    Field("amount_recovered", "已追回（元）", "已从承接机构追回的金额合计", "money"),
    Field("record_url", "OCDS 记录地址", "本项目 OCDS 记录包的固定地址；合同未生效时为空"),
)

GIVING_COLUMNS = (
    "Identifier", "Title", "Description", "Currency", "Amount Applied For", "Amount Awarded", "Award Date",
    "Planned Dates:Start Date", "Planned Dates:End Date", "Recipient Org:Identifier", "Recipient Org:Name",
    "Beneficiary Location:Name", "Beneficiary Location:Country Code",
    "Funding Org:Identifier", "Funding Org:Name", "Grant Programme:Code", "Grant Programme:Title",
    "From An Open Call?", "URL", "Data Source",
    # not in the 360Giving standard (it has no funding-source breakdown): the same columns as in awards.csv
    *(f.label for f in SOURCE_FIELDS),
)


def _text(value):
    return "" if value is None else f"{value:.2f}" if hasattr(value, "quantize") else str(value)


def source_columns(row):
    """{field key: text} of the award's funding-source columns."""
    kinds = by_kind(row.sources)
    return {"funding_sources": breakdown_text(row.sources),
            **{f"amount_{k.value}": _text(kinds.get(k)) for k in KINDS}}


def flat(row, publisher, urls):
    """One ``AwardRow`` as {field key: value} — text for JSON and CSV (money with two decimals)."""
    return {
        "ocid": publisher.ocid(row.call_id),
        "award_id": f"award-{row.award_id}",
        "call_id": row.call_id,
        "call_title": row.call_title,
        "call_year": row.call_year,
        "call_kind": row.call_kind.label,
        "level": row.level.label,
        "application_number": row.application_number or "",
        "project_title": row.project_title,
        "category": row.category,
        "district": row.district or "",
        "recipient_id": org_id(row.uscc),
        "recipient_uscc": row.uscc,
        "recipient_name": row.org_name,
        "amount_requested": _text(row.requested),
        "amount_awarded": _text(row.amount),
        "currency": CURRENCY,
        **source_columns(row),
        "award_date": iso(row.award_date) or "",
        "contract_id": row.contract_id,
        "contract_status": row.contract_status.label if row.contract_status else "",
        "contract_amount": _text(row.contract_amount),
        "contract_start": iso(row.contract_start) or "",
        "contract_end": iso(row.contract_end, end_of_day=True) or "",
        "amount_paid": _text(row.paid),
        "amount_recovered": _text(row.recovered),
        "record_url": urls.record(row.contract_id) if row.contract_id else "",
    }


def json_chunks(rows, publisher, urls, meta):
    """``{"...meta", "awards": [ … ]}``, one award per chunk."""
    head = json.dumps(meta, ensure_ascii=False)[:-1]
    yield head + (", " if meta else "") + '"awards": [\n'
    first = True
    for row in rows:
        yield ("" if first else ",\n") + json.dumps(flat(row, publisher, urls), ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _csv_line(values):
    buf = io.StringIO()
    csv.writer(buf).writerow([safe_cell("" if v is None else v) for v in values])
    return buf.getvalue()


def csv_chunks(rows, publisher, urls):
    """UTF-8 with a byte-order mark (so that Excel and WPS read the Chinese), headers in Chinese."""
    yield "\ufeff" + _csv_line([f.label for f in FIELDS])
    for row in rows:
        values = flat(row, publisher, urls)
        yield _csv_line([values[f.key] for f in FIELDS])


def _cell(field, value):
    if value in ("", None):
        return None
    if field.kind == "money":
        return float(value)
    return safe_cell(value)


def write_xlsx(rows, publisher, urls, path):
    """Write the rows as an XLSX to ``path`` with openpyxl's write-only workbook (rows go to a temporary file as
    they come: flat memory); the number of rows written. Amounts are numbers with the format #,##0.00. Slow — a
    job does it (opendata/bulk.py)."""
    from openpyxl import Workbook  # noqa: PLC0415  (slow import, only for this file)
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("资助项目")
    ws.append([f.label for f in FIELDS])
    written = 0
    for row in rows:
        values = flat(row, publisher, urls)
        cells = []
        for f in FIELDS:
            cell = WriteOnlyCell(ws, value=_cell(f, values[f.key]))
            if f.kind == "money":
                cell.number_format = "#,##0.00"
            cells.append(cell)
        ws.append(cells)
        written += 1
    wb.save(path)
    return written


def giving_row(row, publisher, urls):
    """One ``AwardRow`` as a 360Giving flat row {column title: value}."""
    sources = source_columns(row)
    return {
        "Identifier": f"{publisher.ocid(row.call_id)}-award-{row.award_id}",
        "Title": row.project_title,
        "Description": f"{row.call_title}入选项目：{row.project_title}{f'（{row.category}）' if row.category else ''}",
        "Currency": CURRENCY,
        "Amount Applied For": _text(row.requested),
        "Amount Awarded": _text(row.amount),
        "Award Date": iso(row.award_date) or "",
        "Planned Dates:Start Date": iso(row.contract_start) or "",
        "Planned Dates:End Date": iso(row.contract_end, end_of_day=True) or "",
        "Recipient Org:Identifier": org_id(row.uscc),
        "Recipient Org:Name": row.org_name,
        "Beneficiary Location:Name": row.district or "",
        "Beneficiary Location:Country Code": "CN" if row.district else "",
        "Funding Org:Identifier": publisher.buyer_id,
        "Funding Org:Name": publisher.bureau_name,
        "Grant Programme:Code": publisher.ocid(row.call_id),
        "Grant Programme:Title": row.call_title,
        "From An Open Call?": "Yes",
        "URL": urls.record(row.contract_id) if row.contract_id else urls.package(row.call_id),
        "Data Source": urls.package(row.call_id),
        **{f.label: sources[f.key] for f in SOURCE_FIELDS},
    }


def giving_chunks(rows, publisher, urls):
    yield "\ufeff" + _csv_line(GIVING_COLUMNS)
    for row in rows:
        values = giving_row(row, publisher, urls)
        yield _csv_line([values[c] for c in GIVING_COLUMNS])
