"""Issue 11: a 统一社会信用代码 pasted as people paste it (grouped by spaces, full-width, from a chat program)
is neither cut by the browser nor refused: the server normalises it before checking every part."""
import pytest

from grantportal.core.db import db
from grantportal.core.uscc import make_uscc
from grantportal.orgs.models import Organization
from tests.browser.util import shot, sign_in
from tests.factories import UserFactory
from tests.permissions.world import TINY_PDF

pytestmark = pytest.mark.browser


def test_a_code_pasted_with_spaces_is_registered(browser, live_server, tmp_path):
    UserFactory(username="ngo_wang")
    db.session.commit()
    code = make_uscc("1", "442000", 5566)
    pasted = "\u3000" + " ".join(code[i:i + 4] for i in range(0, 18, 4)).replace("1", "１") + " "
    certificate = tmp_path / "登记证书.pdf"
    certificate.write_bytes(TINY_PDF)
    ctx = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 390, "height": 844})
    ctx.set_default_timeout(15000)
    page = ctx.new_page()
    sign_in(page, "ngo_wang")
    page.goto("/org/register")
    page.click("#uscc")
    page.keyboard.insert_text(pasted)  # what a paste does: the browser would cut it at a maxlength
    assert page.input_value("#uscc") == pasted
    page.fill("#name", "中山市东区邻里互助协会")
    page.fill("#registration_authority", "中山市民政局")
    page.fill("#registered_on", "2020-03-18")
    page.fill("#legal_rep", "王建华")
    page.fill("#contact_name", "王建华")
    page.click("#contact_phone")
    page.keyboard.insert_text("１３８ ００１３ ８０００")
    page.select_option("#district", "东区街道")
    page.fill("#address", "广东省中山市东区街道中山四路2号")
    page.fill("#charter_scope", "开展邻里互助和社区志愿服务。")
    page.check("input[name=service_fields][value=社区治理]")
    page.set_input_files("#certificate", str(certificate))
    page.click("main button[type=submit]")
    page.wait_for_url("**/org/")
    assert "社会团体" in page.inner_text("main")
    shot(page, "inputs-pasted-code-registered")
    org = db.session.scalar(db.select(Organization))
    assert org.uscc == code and org.contact_phone == "13800138000"
    ctx.close()
