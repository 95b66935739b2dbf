"""PDF documents against bare WeasyPrint rendering the same HTML, in the same run.

    .venv/bin/python bench/documents.py [--repeat 5] [--batch 200] [--database-url URL]

Builds a migrated database (SQLite in a temporary folder by default) with a call whose results are final,
then times (1) one contract issued end to end (snapshot, template, render as PDF/A-2b, PAdES signature with a
test CA's certificate, store, hash, commit) against WeasyPrint alone on the same HTML with the same stylesheet
(plain PDF, unsigned), median of ``--repeat``; (2) a batch of notices (one job, in-process, synchronous) against
WeasyPrint alone on the same documents' HTML. Prints which font subsetter ran (HarfBuzz or fontTools) and the
signature's share of the app path. Goal: contract ≤ 1.5× the floor, signing included. No timing is asserted.
"""
import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pypdf import PdfReader  # noqa: E402

from grantportal import create_app  # noqa: E402
from grantportal.core.db import db  # noqa: E402

# the bureau's identity every document prints (documents are refused without it: documents/render.py)
BUREAU = {"BUREAU_NAME": "中山市民政局", "BUREAU_USCC": "11442000007252497B", "BUREAU_LEGAL_REP": "陈志明",
          "BUREAU_ADDRESS": "广东省中山市东区松苑路1号", "BUREAU_CONTACT_NAME": "李明",
          "BUREAU_CONTACT_PHONE": "0760-88312345", "BUREAU_BANK_NAME": "中国银行中山分行",
          "BUREAU_BANK_ACCOUNT": "6543210987654321", "BUREAU_BANK_ACCOUNT_NAME": "中山市民政局"}


def bare(html):
    """The floor: WeasyPrint alone, same HTML and stylesheet, no fetcher, no storage."""
    import gc

    import weasyprint

    from grantportal.core.pdf import PDF_CSS, static_root

    root = static_root()
    data = weasyprint.HTML(string=html, base_url=root.as_uri() + "/").write_pdf(
        stylesheets=[weasyprint.CSS(filename=str(root / PDF_CSS))])
    gc.collect()  # as the app does after each document, so both sides pay for it
    return data


def build(batch):
    from grantportal.applications.models import Application
    from grantportal.awards.models import Award, FinalStatus
    from tests import factories as f

    call, awards = f.final_awards()
    template, officer = awards[0], call.created_by
    for i in range(batch - len(awards)):
        org = f.OrganizationFactory.build()
        app = Application(call_id=call.id, org=org, level=template.level, title=f"社区长者关爱服务项目{i}",
                          created_by_id=officer.id, number=f"{call.code}-B-{i:04d}")
        db.session.add_all([org, Award(proposal_id=template.proposal_id, application=app, level=template.level,
                                       requested=template.amount, cap=template.amount, amount=template.amount,
                                       status=template.status,
                                       final_status=FinalStatus.SELECTED if i % 3 else FinalStatus.NOT_SELECTED,
                                       final_reason="综合得分未达入选线。")])
    db.session.commit()
    return call, awards[0], officer


def bench_contract(award, officer, repeat):
    from grantportal.core.signing import check_signature, sign_pdf
    from grantportal.core.storage import get_storage
    from grantportal.documents import operations as ops
    from grantportal.documents.models import DocumentKind
    from grantportal.funding.contracts.operations import prepare_contract
    from grantportal.funding.queries import contract_terms

    contract = prepare_contract(award, officer, date(2026, 7, 1))
    db.session.commit()
    app_times, bare_times, pages = [], [], 0
    for i in range(repeat + 1):  # the first round warms fonts and templates up; not counted
        start = time.perf_counter()
        doc = ops.issue_document(award, DocumentKind.CONTRACT_VENTURE, officer, terms=contract_terms(contract),
                                 enqueue=False)
        ops.render_one(doc)
        db.session.commit()
        elapsed = time.perf_counter() - start
        html = ops.render.document_html(doc)
        start = time.perf_counter()
        data = bare(html)
        bare_elapsed = time.perf_counter() - start
        doc.superseded_at = doc.issued_at  # let the next round issue another one
        db.session.commit()
        if i:
            app_times.append(elapsed)
            bare_times.append(bare_elapsed)
        pages = len(PdfReader(io.BytesIO(data)).pages)
    signed = get_storage().read(doc.file.storage_key)
    check = check_signature(signed)
    assert check.valid, check.reason  # the app path did sign: its file validates
    unsigned = signed[:signed.rindex(b"%%EOF", 0, signed.rindex(b"%%EOF")) + 5]  # the revision before the signature
    sign_times = []
    for _ in range(repeat):
        start = time.perf_counter()
        sign_pdf(unsigned)
        sign_times.append(time.perf_counter() - start)
    return statistics.median(app_times), statistics.median(bare_times), pages, statistics.median(sign_times)


def bench_batch(call, officer):
    from grantportal.core.jobs_models import Job
    from grantportal.documents import operations as ops
    from grantportal.documents.models import IssuedDocument

    start = time.perf_counter()
    job = ops.issue_notice_batch(call, officer)
    db.session.commit()  # JOBS_SYNC: the job runs right after this commit
    elapsed = time.perf_counter() - start
    job = db.session.get(Job, job.id)
    docs = db.session.scalars(db.select(IssuedDocument).where(IssuedDocument.id.in_(job.params["doc_ids"]))).all()
    htmls = [ops.render.document_html(d) for d in docs]
    start = time.perf_counter()
    for html in htmls:
        bare(html)
    return elapsed, time.perf_counter() - start, job


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gp-bench-docs-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    from grantportal.core.signing import make_test_ca

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "STORAGE_DIR": str(tmp / "files"),
                      "INSTANCE_PATH": str(tmp), "JOBS_SYNC": True, "JOB_QUEUE": "inprocess",
                      "PUBLIC_BASE_URL": "https://gp.example.cn", **BUREAU, **make_test_ca(tmp, BUREAU["BUREAU_NAME"])})
    os.environ.setdefault("GRANTPORTAL_STORAGE_DIR", str(tmp / "files"))
    with app.app_context():
        from flask_migrate import upgrade

        from grantportal.core.pdf import subsetter

        upgrade()
        import weasyprint

        print(f"WeasyPrint {weasyprint.__version__}; font subsetter: {subsetter()}"
              + ("" if subsetter() == "harfbuzz" else "  (slow path: install libharfbuzz-subset0)"))
        call, award, officer = build(args.batch)
        app_t, bare_t, pages, sign_t = bench_contract(award, officer, args.repeat)
        print(f"contract ({pages} pages), median of {args.repeat}: app {app_t:.3f}s (PDF/A-2b, signed; signing "
              f"{sign_t * 1000:.0f} ms)  bare WeasyPrint {bare_t:.3f}s  ratio {app_t / bare_t:.2f}x  (goal ≤ 1.5x)")
        batch_t, bare_batch_t, job = bench_batch(call, officer)
        print(f"batch of {job.total} notices (one job, done {job.done}, failed {job.failed}): app {batch_t:.1f}s "
              f"({batch_t / job.total * 1000:.0f} ms each)  bare WeasyPrint {bare_batch_t:.1f}s  "
              f"ratio {batch_t / bare_batch_t:.2f}x")


if __name__ == "__main__":
    main()
