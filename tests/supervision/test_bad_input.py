"""随手拍 bad input (issue 13 "Bad input"): a photo that is not an image, too large or too many pixels, too many
photos, empty or too short text, a project not in execution — each a Chinese message next to its field (or on
the form), what was typed kept, nothing saved (no report, no stored file, no bytes left in storage). Wrong ids
are 404, other people's reports 403; officers' steps refused by the report's state say why."""
import io
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from PIL import Image

from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.funding.models import Contract, ContractStatus
from grantportal.supervision.models import SupervisionStatus
from tests.core.test_photos import phone_jpeg
from tests.supervision.conftest import REPORT_TEXT, as_user, field_error, file_report, photo, reports


def stored_files():
    return db.session.scalar(sa.select(sa.func.count()).select_from(StoredFile))


def files_in_storage():
    return sorted(p.name for p in Path(current_app.config["STORAGE_DIR"]).rglob("*") if p.is_file())


@pytest.fixture
def citizen_client(client, world):
    return as_user(client, world.citizen)


def assert_nothing_saved(before_files, before_storage):
    assert reports() == []
    assert stored_files() == before_files and files_in_storage() == before_storage


CASES = {
    "not an image": (dict(photos=[photo(b"%PDF-1.4 not a photo at all", "现场.jpg")]), "photos",
                     "文件内容与扩展名 .jpg 不符"),
    "a PDF": (dict(photos=[photo(b"%PDF-1.4", "说明.pdf")]), "photos", "请上传 JPG、JPEG、PNG 格式"),
    "four photos": (dict(photos=[photo(), photo(), photo(), photo()]), "photos", "最多上传3张照片，您选择了4张"),
    "empty text": (dict(text="  "), "text", "请描述您看到的情况（不少于10个字）"),
    "too short": (dict(text="没开门"), "text", "请用10至1000个字描述您看到的情况"),
    "too long": (dict(text="长" * 1001), "text", "请用10至1000个字描述您看到的情况"),
    "long place": (dict(place="地" * 101), "place", "不能超过100个字"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_said_next_to_its_field_and_nothing_is_saved(citizen_client, world, case):
    more, name, message = CASES[case]
    before = stored_files(), files_in_storage()
    resp = file_report(citizen_client, world.contract, **more)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and message in field_error(html, name), html[:3000]
    assert "您已填写的内容已保留" in html
    if "text" not in more:  # what was typed stays in the form
        assert REPORT_TEXT in html
    if "place" not in more:
        assert "幸福社区长者饭堂" in html
    assert_nothing_saved(*before)


def noise_png(side=700):
    """A PNG of random pixels: it cannot be compressed, so 700×700 is about 1.4 MB."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG")
    return out.getvalue()


def test_an_oversize_photo_is_refused_with_the_limit_and_the_text_kept(app, citizen_client, world):
    app.config["MAX_FILE_SIZE"] = 1024 * 1024
    big = noise_png()
    assert len(big) > 1024 * 1024
    before = stored_files(), files_in_storage()
    resp = file_report(citizen_client, world.contract, photos=[photo(), photo(big, "大照片.png")])
    resp.request.environ["wsgi.input"].close()  # the test client spools a body this large to a file it leaves open
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert field_error(html, "photos") == "“大照片.png”：文件过大，单个文件不能超过 1 MB。"
    assert REPORT_TEXT in html and "幸福社区长者饭堂" in html
    assert_nothing_saved(*before)


def test_a_photo_with_too_many_pixels_is_refused_after_the_first_was_stored_and_nothing_stays(
        app, citizen_client, world):
    """The pixel limit is found while storing (core.photos): the first photo's bytes were written, the
    refusal rolls the request back, and its bytes go with it."""
    app.config["PHOTO_MAX_PIXELS"] = 64 * 32 * 2
    before = stored_files(), files_in_storage()
    resp = file_report(citizen_client, world.contract, photos=[photo(), photo(phone_jpeg(400, 300), "大图.jpg")])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "“大图.jpg”：照片像素过大（400×300）" in field_error(html, "photos")
    assert REPORT_TEXT in html
    assert_nothing_saved(*before)


def test_a_project_not_in_execution_takes_no_report_and_the_text_is_kept(citizen_client, world):
    url = f"/projects/{world.closed.id}/supervision/new"
    resp = citizen_client.get(url)
    assert resp.status_code == 409 and "不在执行期内，不受理随手拍监督报告" in resp.get_data(as_text=True)
    assert "提交报告" not in resp.get_data(as_text=True)
    public = citizen_client.get(f"/projects/{world.closed.id}").get_data(as_text=True)
    assert "不再受理随手拍监督报告" in public and f'href="{url}"' not in public

    # the project closes between the form and the submit: said on the form, what was typed kept
    before = stored_files(), files_in_storage()
    db.session.get(Contract, world.contract.id).status = ContractStatus.TERMINATED
    db.session.commit()
    resp = file_report(citizen_client, world.contract, photos=[photo()])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "该项目当前为“已终止”，不在执行期内" in html
    assert REPORT_TEXT in html and "幸福社区长者饭堂" in html and "请重新选择要上传的照片" in html
    assert_nothing_saved(*before)


def test_wrong_ids_are_404(client, world):
    as_user(client, world.citizen)
    assert file_report(client, world.contract).status_code == 303
    (report,) = reports()
    pages = [f"/projects/{world.contract.id + 1000}/supervision/new", "/supervision/99999",
             f"/supervision/{report.id}/photos/99999"]
    for url in pages:
        assert client.get(url).status_code == 404, url
    unsigned = db.session.get(Contract, world.contract.id)
    unsigned.status = ContractStatus.SIGNED  # a project whose page is not public yet
    db.session.commit()
    assert client.get(f"/projects/{world.contract.id}/supervision/new").status_code == 404
    as_user(client, world.officer)
    for url in ("/manage/supervision/99999", "/manage/supervision/99999/assign", "/my/supervision/99999"):
        assert client.open(url, method="POST" if url.endswith("assign") else "GET").status_code == 404, url


def test_other_peoples_reports_are_403(client, world):
    as_user(client, world.citizen)
    file_report(client, world.contract, photos=[photo()])
    (report,) = reports()
    own = f"/supervision/{report.id}"
    photo_url = f"{own}/photos/{report.photos[0].id}"
    as_user(client, world.other_citizen)
    assert client.get(own).status_code == 403 and client.get(photo_url).status_code == 403
    assert client.post(f"/manage/supervision/{report.id}/close", data={"kind": "abusive", "reason": "x"}) \
        .status_code == 403
    as_user(client, world.member)  # the project's organization, not asked yet
    assert client.get(f"/my/supervision/{report.id}").status_code == 403
    assert client.get(photo_url).status_code == 403
    as_user(client, world.other_member)
    assert client.get(own).status_code == 403
    as_user(client, world.officer)
    assert client.get(own).status_code == 403  # the reporter's page; officers use the queue's page
    assert client.get(f"/manage/supervision/{report.id}").status_code == 200


def test_officers_steps_out_of_order_or_incomplete_say_why(client, world):
    as_user(client, world.citizen)
    file_report(client, world.contract)
    (report,) = reports()
    as_user(client, world.officer)
    base = f"/manage/supervision/{report.id}"
    resp = client.post(f"{base}/finding", data={"finding": "true", "public_summary": "属实。"})
    assert resp.status_code == 409 and "该报告尚未分派，请先分派给负责核查的项目官员" in resp.get_data(as_text=True)
    resp = client.post(f"{base}/assign", data={"assignee": str(world.member.id)})
    assert resp.status_code == 400 and "请从列表中选择" in field_error(resp.get_data(as_text=True), "assignee")
    assert client.post(f"{base}/assign", data={"assignee": str(world.officer.id)}).status_code == 303
    resp = client.post(f"{base}/finding", data={"finding": "true", "public_summary": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "请填写向社会公开的处理情况摘要" in field_error(html, "public_summary")
    resp = client.post(f"{base}/finding", data={"finding": "maybe", "public_summary": "已核实。"})
    assert resp.status_code == 400 and "请从选项中选择" in resp.get_data(as_text=True)
    assert client.post(f"{base}/ask", data={"question": "请说明。"}).status_code == 303
    resp = client.post(f"{base}/ask", data={"question": "再请说明。"})
    assert resp.status_code == 409 and re.search("已于.*请承接机构答复，不能重复发送", resp.get_data(as_text=True))
    db.session.refresh(report)
    assert report.status == SupervisionStatus.ASSIGNED and report.org_question == "请说明。"
