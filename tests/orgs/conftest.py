import io

import pytest

from grantportal.core.uscc import make_uscc


def _pdf():
    """A minimal one-page PDF with a correct cross-reference table (pypdf reads it without warnings)."""
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
CODE = make_uscc("2", "442000", 777)  # a 社会服务机构 code


def certificate(name="登记证书.pdf", data=PDF):
    return (io.BytesIO(data), name)


@pytest.fixture
def registration():
    """Form data for a complete registration; call with overrides."""

    def make(**over):
        data = {
            "uscc": CODE,
            "name": "中山市石岐区阳光社会工作服务中心",
            "registration_authority": "中山市民政局",
            "registered_on": "2019-04-12",
            "legal_rep": "陈建国",
            "contact_name": "黄丽娟",
            "contact_phone": "13800138000",
            "district": "石岐街道",
            "address": "广东省中山市石岐街道民权路18号三楼",
            "charter_scope": "开展社区社会工作服务、长者照护、青少年成长辅导。",
            "service_fields": ["养老服务", "青少年服务"],
            "certificate": certificate(),
        }
        data.update(over)
        return {k: v for k, v in data.items() if v is not None}

    return make
