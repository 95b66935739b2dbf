"""Building blocks for the application tests: a ready-to-submit application, its form, files."""
import io
from datetime import date

from grantportal.applications.models import Attachment
from grantportal.core.db import db
from tests import factories as f
from tests.permissions.world import stored_pdf


def _pdf():
    """A minimal one-page PDF with a correct cross-reference table (a real parse accepts it)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


PDF = _pdf()
# the 诚信承诺书 signed as the submit form sends it (calls/integrity.py)
SIGNED = {"pledge_signer": "陈嘉慧琳", "pledge_agree": "y"}

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def eligible_org(**kw):
    """A verified organization that passes every default check of a call judged today."""
    org = f.OrganizationFactory(**kw)
    f.RatingRecordFactory(org=org)
    f.AnnualInspectionFactory(org=org, year=date.today().year - 1)
    return org


def attach(app, name="项目申报书.pdf"):
    att = Attachment(application=app, document=app.call.documents[0], file=stored_pdf(name))
    db.session.add(att)
    db.session.commit()
    return att


def ready(call=None, org=None, member=True, **kw):
    """(member, application): a complete draft that may be submitted now."""
    org = org or eligible_org()
    call = call or f.CallFactory()
    user = f.member_of(org) if member else None
    app = f.ApplicationFactory(call=call, org=org, created_by=user or f.UserFactory(), **kw)
    attach(app)
    return user, app


def form(app=None, lines=None, **overrides):
    """The 申报书 form as the browser posts it."""
    data = {
        "level": "city", "category": "养老服务", "title": "长者幸福食堂", "summary": "为长者提供助餐。",
        "need_analysis": "独居长者就餐难。", "objectives": "服务200名长者。", "activity_plan": "每周助餐五天。",
        "beneficiaries": "独居长者", "target_count": "200", "area_served": "石岐街道", "district": "石岐街道",
        "team": "社工3名。",
        "save": "保存草稿",
    }
    if app is not None:
        data["version"] = str(app.version)
    lines = lines if lines is not None else [("人员经费", "社工补贴", "30000", "grant"),
                                             ("活动经费", "助餐食材", "20000", "grant"),
                                             ("活动经费", "自筹食材", "40000", "matched")]
    for i, (category, item, amount, source) in enumerate(lines):
        data.update({f"budget-{i}-category": category, f"budget-{i}-item": item,
                     f"budget-{i}-amount": amount, f"budget-{i}-source": source})
    data.update(overrides)
    return data


def upload(data=PDF, name="项目申报书.pdf"):
    return (io.BytesIO(data), name)


def text(resp):
    return resp.get_data(as_text=True)
