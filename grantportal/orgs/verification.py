"""The automatic checks on a registration before an officer verifies it, and their digest: a batch
verification offers only the organizations whose checks all pass, and takes only those whose registration
still reads as it did on the officer's page."""
import hashlib
import json
from dataclasses import dataclass

from grantportal.core.uscc import CIVIL_AFFAIRS, UsccError, validate_code


@dataclass(frozen=True)
class Check:
    passed: bool
    reason: str


def registration_checks(org, today):
    """What can be checked without a person: the code, the certificate scan, the registration date."""
    try:
        validate_code(org.uscc, department=CIVIL_AFFAIRS)
        code = Check(True, "统一社会信用代码符合国家标准（GB 32100），为民政部门登记的社会组织")
    except UsccError as e:
        code = Check(False, f"统一社会信用代码有误：{e}")
    return [
        code,
        Check(org.certificate_file_id is not None, "已上传登记证书扫描件" if org.certificate_file_id
              else "未上传登记证书扫描件"),
        Check(org.registered_on <= today, "成立登记日期不晚于今天" if org.registered_on <= today
              else "成立登记日期晚于今天，请核对"),
    ]


def registration_digest(org):
    """A short digest of what the officer checks against the certificate: changed, the page is stale."""
    fields = [org.uscc, org.name, org.legal_rep, str(org.registered_on), org.registration_authority,
              org.certificate_file_id]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, default=str).encode()).hexdigest()[:16]
