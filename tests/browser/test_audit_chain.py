"""An auditor on a 375 px phone reads the audit chain's page, asks for a verification and sees it pass, then,
after an entry was changed behind the app's back, sees the verification name it. The page has no axe-core
violation. Screenshots: tests/screenshots/audit-chain-*.png."""
import pytest

from grantportal.core import audit_chain as chain
from tests import factories as f
from tests.browser.util import axe_violations, fits_phone, shot, sign_in
from tests.core.test_audit_chain import _as_superuser, _log, _settled

pytestmark = pytest.mark.browser


def test_an_auditor_checks_the_chain_on_a_phone(phone):
    ids = _log()
    chain.seal_settled(now=_settled())
    auditor = f.UserFactory(auditor=True)
    sign_in(phone, auditor.username)
    phone.goto("/audit/chain")
    main = phone.inner_text("main")
    assert f"第 {ids[-1]} 条" in main and "尚未核验" in main
    fits_phone(phone, 375)
    assert not axe_violations(phone)

    phone.click("text=立即核验")
    phone.wait_for_load_state()
    assert "通过" in phone.inner_text("main")
    fits_phone(phone, 375)
    shot(phone, "audit-chain-1-passed")

    _as_superuser(("UPDATE audit_entry SET action = 'organization.nothing' WHERE id = :id", {"id": ids[2]}))
    phone.click("text=立即核验")
    phone.wait_for_load_state()
    main = phone.inner_text("main")
    assert "发现 1 处问题" in main and f"第 {ids[2]} 条审计记录的内容与封存时不一致" in main
    fits_phone(phone, 375)
    assert not axe_violations(phone)
    shot(phone, "audit-chain-2-problem")
