"""A small world for the permission matrix: two organizations (a and b), staff, calls, applications.

Domains may add objects here (append; do not rename existing attributes)."""
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app

from grantportal import create_app
from grantportal.applications.models import AppStatus
from grantportal.calls.models import CallFile, CallFileKind, CallStatus
from grantportal.core.db import db
from grantportal.core.files import StoredFile
from grantportal.core.storage import get_storage
from grantportal.orgs.models import OrgDocument, OrgStatus
from tests import factories as f
from tests.conftest import _base_config, _empty_postgresql, release


def _tiny_pdf():
    """A real one-page PDF (pypdf parses it), made by Pillow."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(out, format="PDF")
    return out.getvalue()


TINY_PDF = _tiny_pdf()


def stored_pdf(name="登记证书.pdf"):
    key = get_storage().save(TINY_PDF)
    record = StoredFile(storage_key=key, original_name=name, extension="pdf", content_type="application/pdf",
                        size=len(TINY_PDF), sha256="0" * 64)
    db.session.add(record)
    db.session.commit()
    return record


def build_world():
    w = SimpleNamespace()
    w.officer = f.UserFactory(officer=True, username="officer")
    w.auditor = f.UserFactory(auditor=True, username="auditor")
    w.admin = f.UserFactory(admin=True, username="admin")
    w.expert = f.UserFactory(expert=True, username="expert")
    w.org_a = f.OrganizationFactory(certificate=stored_pdf())
    w.org_b = f.OrganizationFactory(certificate=stored_pdf())
    w.org_pending = f.OrganizationFactory(status=OrgStatus.PENDING)
    w.member = f.member_of(w.org_a, username="member_a")
    w.member_b = f.member_of(w.org_b, username="member_b")
    w.rating_a = f.RatingRecordFactory(org=w.org_a)
    w.rating_b = f.RatingRecordFactory(org=w.org_b)
    w.inspection_a = f.AnnualInspectionFactory(org=w.org_a)
    w.inspection_b = f.AnnualInspectionFactory(org=w.org_b)
    w.call = f.CallFactory(created_by=w.officer)
    w.call_draft = f.CallFactory(created_by=w.officer, status=CallStatus.DRAFT, published_at=None)
    guide, template = stored_pdf("申报指南.pdf"), stored_pdf("申报书模板.pdf")
    w.call_file = CallFile(call=w.call, kind=CallFileKind.GUIDE, title="申报指南", file=guide,
                           created_by_id=w.officer.id)
    w.call_draft_file = CallFile(call=w.call_draft, kind=CallFileKind.TEMPLATE, title="申报书模板", file=template,
                                 created_by_id=w.officer.id)
    db.session.add_all([w.call_file, w.call_draft_file])
    w.app_a = f.ApplicationFactory(call=w.call, org=w.org_a, created_by=w.member)
    w.app_a_submitted = f.ApplicationFactory(call=w.call, org=w.org_a, created_by=w.member,
                                             status=AppStatus.SUBMITTED, number="BA-2026-0001")
    w.app_b = f.ApplicationFactory(call=w.call, org=w.org_b, created_by=w.member_b)
    w.app_b_submitted = f.ApplicationFactory(call=w.call, org=w.org_b, created_by=w.member_b,
                                             status=AppStatus.SUBMITTED, number="BA-2026-0002")
    db.session.commit()
    _review_world(w)
    w.citizen = f.CitizenFactory(user__username="citizen").user
    _third_party_world(w)
    w.users = {"member": w.member, "expert": w.expert, "officer": w.officer, "auditor": w.auditor,
               "admin": w.admin, "citizen": w.citizen, "third_party": w.third_party,
               "third_party_other": w.third_party_other}
    _orgs_world(w)
    _inbox_world(w)
    _teams_world(w)
    return w


def _third_party_world(w):
    """Two third-party agencies with one staff account each, appointed to nothing yet
    (tests/permissions/inspection.py appoints them when a row needs it)."""
    from grantportal.core.roles import Role
    from grantportal.core.uscc import make_uscc
    from grantportal.inspection.models import Agency, AgencyStaff

    for side, username in (("a", "third_party"), ("b", "third_party_other")):
        agency = Agency(name=f"第三方评估中心{side.upper()}", uscc=make_uscc("1", "442000", 81000 + ord(side),
                                                                         department="9"),
                        contact_name="陈经理", contact_phone="0760-88123456", created_by_id=w.officer.id)
        user = f.UserFactory(username=username, role=Role.THIRD_PARTY)
        db.session.add_all([agency, AgencyStaff(agency=agency, user=user)])
        setattr(w, f"agency_{side}", agency)
        setattr(w, username, user)
    db.session.commit()


def _teams_world(w):
    """teams: a grassroots team asking org_a to support it, one asking org_b, and a draft of org_a's team (its
    leader is an organization account without an organization)."""
    from grantportal.teams.models import SupportStatus, Team

    w.leader = f.UserFactory(username="team_leader")
    w.leader_b = f.UserFactory(username="team_leader_b")
    w.team_a = Team(name="悦来社区长者关爱队", filing_number="石岐社备〔2025〕001号", district="石岐街道",
                    leader_name="林小红", leader_phone="13800138001", leader_user_id=w.leader.id,
                    supporting_org_id=w.org_a.id, support_status=SupportStatus.PENDING)
    w.team_b = Team(name="东区青少年义教队", filing_number="东区社备〔2025〕002号", district="东区街道",
                    leader_name="陈大明", leader_phone="13800138002", leader_user_id=w.leader_b.id,
                    supporting_org_id=w.org_b.id, support_status=SupportStatus.PENDING)
    db.session.add_all([w.team_a, w.team_b])
    db.session.flush()
    w.app_team_a = f.ApplicationFactory(call=w.call, org=w.org_a, created_by=w.leader, team_id=w.team_a.id)
    w.app_team_b = f.ApplicationFactory(call=w.call, org=w.org_b, created_by=w.leader_b, team_id=w.team_b.id)


def _orgs_world(w):
    """orgs: open invitations of a and b (token known), a second member in each, sanctions."""
    w.invitation_token_a = "world-invitation-a"
    w.invitation_a = f.OrgInvitationFactory(org=w.org_a, created_by_id=w.member.id, token=w.invitation_token_a)
    w.invitation_b = f.OrgInvitationFactory(org=w.org_b, created_by_id=w.member_b.id, token="world-invitation-b")
    w.member_a2 = f.OrgMemberFactory(org=w.org_a, user=f.UserFactory(username="member_a2"), is_owner=False)
    w.member_b2 = f.OrgMemberFactory(org=w.org_b, user=f.UserFactory(username="member_b2"), is_owner=False)
    w.sanction_a = f.SanctionFactory(org=w.org_a)
    w.sanction_b = f.SanctionFactory(org=w.org_b)
    charter_a, charter_b = stored_pdf("机构章程.pdf"), stored_pdf("机构章程.pdf")
    w.org_doc_a = OrgDocument(org_id=w.org_a.id, name="机构章程", file_id=charter_a.id, uploaded_by_id=w.member.id)
    w.org_doc_b = OrgDocument(org_id=w.org_b.id, name="机构章程", file_id=charter_b.id,
                              uploaded_by_id=w.member_b.id)
    db.session.add_all([w.org_doc_a, w.org_doc_b])


def _inbox_world(w):
    """inbox: one unread notice each for member_a and member_b; app_a_submitted has its receipt hash."""
    w.notice_a = f.NoticeFactory(user=w.member, link=f"/applications/{w.app_a_submitted.id}")
    w.notice_b = f.NoticeFactory(user=w.member_b)
    w.app_a_submitted.content_sha256 = "a" * 64
    w.app_a_submitted.submitted_at = w.app_a_submitted.submitted_at or w.app_a_submitted.created_at
    db.session.commit()


def attachment_of(app, name="项目申报书.pdf"):
    """An uploaded document (the call's first) on an application, for the applications rows."""
    from grantportal.applications.models import Attachment

    att = Attachment(application=app, document=app.call.documents[0], file=stored_pdf(name))
    db.session.add(att)
    db.session.commit()
    return att


def _review_world(w):
    """Issue 3: the expert has a profile and one assignment (org_a's submitted application) in an open
    round; expert_b has another; expert_conflicted declared a conflict with org_a."""
    from grantportal.experts.conflicts import new_conflict
    from grantportal.experts.models import ConflictSource

    w.expert_profile = f.ExpertProfileFactory(user=w.expert)
    w.expert_b = f.expert(user_username="expert_b")
    w.expert_conflicted = f.expert(user_username="expert_c")
    db.session.add(new_conflict(w.expert_conflicted.expert_profile, w.expert_conflicted, "曾任该机构理事",
                                ConflictSource.DECLARED, org=w.org_a))
    w.round = f.ReviewRoundFactory(call=w.call)
    w.assignment = f.AssignmentFactory(round=w.round, application=w.app_a_submitted, expert=w.expert)
    w.assignment_b = f.AssignmentFactory(round=w.round, application=w.app_b_submitted, expert=w.expert_b)
    w.review = f.ReviewFactory(assignment=w.assignment)
    db.session.commit()


def conflicted_assignment(w):
    """scoring: expert_conflicted assigned (by mistake) to org_a's submitted application, which the expert
    declared a conflict with: every scoring route must still refuse them."""
    if getattr(w, "assignment_conflicted", None) is None:
        w.assignment_conflicted = f.AssignmentFactory(round=w.round, application=w.app_a_submitted,
                                                      expert=w.expert_conflicted)
    return w.assignment_conflicted


def submitted_review_b(w):
    """scoring: expert_b's submitted review of org_b's application (for reopening)."""
    if getattr(w, "review_b", None) is None:
        w.review_b = f.submitted_review(w.assignment_b)
    return w.review_b


def awards_world(w, status="publicized"):
    """Issue 4: a proposal for the world's call (``status``: draft / publicized / final) with org_a's and
    org_b's submitted applications selected (``award_a``, ``award_b``) and an objection by member_b against
    org_a's award (``objection_b``, with one evidence file ``objection_file_b``). The 公示 ends in 5 days."""
    from datetime import timedelta
    from decimal import Decimal

    from grantportal.awards.models import (
        Award,
        AwardStatus,
        Objection,
        ObjectionFile,
        Proposal,
        ProposalStatus,
    )
    from grantportal.calls.models import Level
    from grantportal.core.db import utcnow
    from tests.factories import confirm_calendar_around

    if getattr(w, "proposal", None) is not None:
        return w
    now = utcnow()
    state = ProposalStatus(status)
    w.proposal = Proposal(call=w.call, status=state, generated_by_id=w.officer.id, generated_at=now)
    if state != ProposalStatus.DRAFT:
        w.proposal.published_at, w.proposal.published_by_id = now - timedelta(days=1), w.officer.id
        w.proposal.publicity_days, w.proposal.ends_at = 5, now + timedelta(days=5)
    amount = Decimal("50000.00")
    w.award_a = Award(proposal=w.proposal, application=w.app_a_submitted, level=Level.CITY, rank=1,
                      final_score=Decimal("88.00"), grade="4A", requested=amount, cap=amount, amount=amount,
                      status=AwardStatus.SELECTED, explanation=["在市级排名第1位。"])
    w.award_b = Award(proposal=w.proposal, application=w.app_b_submitted, level=Level.CITY, rank=2,
                      final_score=Decimal("85.00"), grade="4A", requested=amount, cap=amount, amount=amount,
                      status=AwardStatus.SELECTED, explanation=["在市级排名第2位。"])
    db.session.add_all([w.proposal, w.award_a, w.award_b])
    confirm_calendar_around(now)  # 公示 periods are counted only in years an officer confirmed
    if state != ProposalStatus.DRAFT:
        w.objection_b = Objection(award=w.award_a, filed_by=w.member_b, filed_at=now, real_name="王晓明",
                                  contact="13812345678", reason="该项目的服务对象与另一已资助项目重复，请核实。")
        w.objection_file_b = ObjectionFile(objection=w.objection_b, file=stored_pdf("证明材料.pdf"))
        db.session.add_all([w.objection_b, w.objection_file_b])
    db.session.commit()
    return w


# Built once per test worker, restored before every row: the matrix runs several hundred rows, and building the
# world took most of each row's time (0.2-0.5 s). A restore puts back exactly the database and files that
# build_world() left, so a row that writes cannot affect another: SQLite gets a byte copy of the database file,
# PostgreSQL the COPY text of every table that had rows and the values of the sequences that were used. The
# world's attributes are read again from the restored database (by primary key); params and data helpers that
# add objects (awards_world, conflicted_assignment ...) add them to that fresh world, as before.

@dataclass(frozen=True)
class WorldSnapshot:
    files: Path  # a copy of STORAGE_DIR
    # world attribute -> ("row", model class, primary key) | ("value", value) | ("dict", {...}) | ("list", [...])
    attributes: dict
    sqlite_file: Path | None = None
    tables: dict = field(default_factory=dict)  # PostgreSQL: table name -> COPY text
    sequences: dict = field(default_factory=dict)  # PostgreSQL: sequence -> last value


def _ref(value):
    state = sa.inspect(value, raiseerr=False)
    if state is not None and getattr(state, "identity", None) is not None:
        return ("row", type(value), state.identity)
    if isinstance(value, dict):
        return ("dict", {k: _ref(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return ("list", [_ref(v) for v in value])
    if value is None or isinstance(value, str | int | bool):
        return ("value", value)
    raise TypeError(f"the world cannot be snapshotted with a {type(value).__name__} attribute")


def _load(ref):
    kind, *rest = ref
    if kind == "row":
        model, identity = rest
        return db.session.get(model, identity)
    if kind == "dict":
        return {k: _load(v) for k, v in rest[0].items()}
    if kind == "list":
        return [_load(v) for v in rest[0]]
    return rest[0]


def take_snapshot(w, where):
    """Snapshot of the current app's database and files after build_world(): ``where`` is an empty folder."""
    db.session.commit()
    attributes = {name: _ref(value) for name, value in vars(w).items()}
    files = where / "files"
    if Path(current_app.config["STORAGE_DIR"]).exists():
        shutil.copytree(current_app.config["STORAGE_DIR"], files)
    else:
        files.mkdir()  # a world without files
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
        sqlite_file = where / "world.db"
        shutil.copyfile(db.engine.url.database, sqlite_file)
        return WorldSnapshot(files=files, attributes=attributes, sqlite_file=sqlite_file)
    tables = {}
    with db.engine.connect() as conn:
        cursor = conn.connection.dbapi_connection.cursor()
        for table in db.metadata.sorted_tables:
            with cursor.copy(f'COPY "{table.name}" TO STDOUT') as copy:
                text = b"".join(bytes(block) for block in copy)
            if text:
                tables[table.name] = text
        sequences = dict(conn.execute(sa.text("SELECT format('%I.%I', schemaname, sequencename), last_value "
                                              "FROM pg_sequences WHERE last_value IS NOT NULL")).all())
        conn.rollback()
    return WorldSnapshot(files=files, attributes=attributes, tables=tables, sequences=sequences)


def restore_world(snapshot):
    """Put the snapshot into the current app's database (migrated and empty, as every test gets it) and storage,
    and return the world read from it."""
    db.session.remove()
    if snapshot.sqlite_file is not None:
        db.engine.dispose()
        shutil.copyfile(snapshot.sqlite_file, db.engine.url.database)
    else:
        with db.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL session_replication_role = replica"))  # no FK order to follow
            cursor = conn.connection.dbapi_connection.cursor()
            for name, text in snapshot.tables.items():
                with cursor.copy(f'COPY "{name}" FROM STDIN') as copy:
                    copy.write(text)
            for sequence, value in snapshot.sequences.items():
                conn.execute(sa.text("SELECT setval(CAST(:seq AS regclass), :value)"),
                             {"seq": sequence, "value": value})
    shutil.copytree(snapshot.files, current_app.config["STORAGE_DIR"], dirs_exist_ok=True)
    return SimpleNamespace(**{name: _load(ref) for name, ref in snapshot.attributes.items()})


def built_once(database, tmp_path_factory, build):
    """The snapshot of ``build()``'s world, built in an app of its own on this worker's database (which it leaves
    empty): a module- or session-scoped fixture returns it and each test restores it (``restore_world``)."""
    where = tmp_path_factory.mktemp("world")
    if database["kind"] == "sqlite":
        url = f"sqlite:///{where / 'building.db'}"
        (where / "building.db").write_bytes(database["template"].read_bytes())
    else:
        url = database["url"]
    app = create_app(_base_config(where / "app", url))
    with app.app_context():
        snapshot = take_snapshot(build(), where)
    if database["kind"] == "postgresql":
        _empty_postgresql(app)  # the worker's database is every test's: leave it empty
    release(app)
    return snapshot
