"""诚信承诺书: the integrity pledge every application to a call carries (issue 14; DESIGN.md §4 "Who may apply").

A call may word its own pledge (``Call.integrity_pledge``); without one it uses ``DEFAULT_PLEDGE``, written from the
conditions of 政府购买服务管理办法 (财政部令第102号) 第八条 and the 公益创投 practice of the seeds: true materials, no
major violation, not on the 活动异常名录 or 严重违法失信名单, no 转包, funds used as agreed. The applicant's
representative signs it when submitting (applications/operations.py ``submit``); the signed text is kept with
the application as it was signed, and a breach recorded later (orgs ``SanctionKind.BREACH``) bars the organization
for three years (DESIGN.md §4 "Money": breach bars the organization for 3 years)."""
import hashlib

DEFAULT_PLEDGE = (
    "本机构郑重承诺：\n"
    "一、本次申报所提交的全部材料真实、准确、完整，不存在虚假记载、误导性陈述或重大遗漏；\n"
    "二、本机构依法登记、独立承担民事责任，财务会计制度健全，依法缴纳税收和社会保障资金；\n"
    "三、本机构近三年内无重大违法记录，未被列入活动异常名录或严重违法失信名单；\n"
    "四、项目获得资助后，严格按照协议（合同）约定实施，不转包、不违法分包，专款专用，"
    "接受主管部门、第三方机构和社会公众的监督；\n"
    "五、如有违反上述承诺的行为，本机构自愿承担取消资格、退回资金等相应责任，"
    "并同意将失信情况记入信用记录、予以公开。"
)


def pledge_text(call):
    """The pledge an application to ``call`` signs: the call's own wording, or the default."""
    return (call.integrity_pledge or "").strip() or DEFAULT_PLEDGE


def text_version(text):
    """The version of a pledge text printed next to the signature: the first 12 hex digits of its SHA-256, so
    that two receipts show at a glance whether they signed the same words."""
    return hashlib.sha256(text.encode()).hexdigest()[:12]
