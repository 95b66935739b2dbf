"""The app factory: configuration, extensions, every domain's blueprint and the CLI commands."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from grantportal import models  # noqa: F401  (every table registered before use)
from grantportal.accounts.cli import users_cli
from grantportal.accounts.views import bp as accounts_bp
from grantportal.applications import queries as applications_answers  # noqa: F401  (core.signals answers)
from grantportal.applications.views import bp as applications_bp
from grantportal.audit.views import bp as audit_bp
from grantportal.awards import queries as awards_answers  # noqa: F401  (core.signals answers)
from grantportal.awards.objections.views import bp as objections_bp
from grantportal.awards.proposals.views import bp as proposals_bp
from grantportal.calendar.views import bp as calendar_bp
from grantportal.calls import search as calls_index  # noqa: F401  (public index entries)
from grantportal.calls.files.views import bp as call_files_bp
from grantportal.calls.views import bp as calls_bp
from grantportal.catalogue.views import bp as catalogue_bp
from grantportal.citizens.views import bp as citizens_bp
from grantportal.config import INSTANCE, ROOT, default_config
from grantportal.core import districts, logs, metrics_endpoint, navigation, pagecache, replica, templating, web
from grantportal.core.audit_chain_cli import audit_cli
from grantportal.core.backup_cli import backup as backup_cli
from grantportal.core.doctor import doctor_command
from grantportal.core.extensions import csrf, db, init_limiter, login_manager, migrate
from grantportal.core.health import bp as health_bp
from grantportal.core.search_cli import search_cli
from grantportal.demo import cli as demo_cli
from grantportal.disclosure import search as site_search  # noqa: F401  (the /search route)
from grantportal.disclosure.projects.views import bp as projects_bp
from grantportal.disclosure.statistics.cli import statistics_cli
from grantportal.disclosure.statistics.views import bp as statistics_bp
from grantportal.disclosure.views import bp as disclosure_bp
from grantportal.documents import queries as documents_answers  # noqa: F401  (core.signals answers)
from grantportal.documents.cli import documents_cli
from grantportal.documents.views import bp as documents_bp
from grantportal.experts.views import bp as experts_bp
from grantportal.funding import queries as funding_answers  # noqa: F401  (core.signals answers)
from grantportal.funding import search as projects_index  # noqa: F401  (public index entries)
from grantportal.funding.contracts.views import bp as contracts_bp
from grantportal.funding.matched.views import bp as matched_bp
from grantportal.funding.payments.views import bp as payments_bp
from grantportal.funding.views import bp as funding_bp
from grantportal.inbox.digest import notices_cli
from grantportal.inbox.views import bp as inbox_bp
from grantportal.inspection.views import bp as inspection_bp
from grantportal.monitoring import operations as monitoring_receivers  # noqa: F401  (core.signals event receivers)
from grantportal.monitoring import queries as monitoring_answers  # noqa: F401  (core.signals answers)
from grantportal.monitoring.rectification_views import bp as rectification_bp
from grantportal.monitoring.views import bp as monitoring_bp
from grantportal.navigation import ACCOUNT_PAGES, FOLD, MENU
from grantportal.opendata.views import bp as opendata_bp
from grantportal.orgs import search as orgs_index  # noqa: F401  (public index entries)
from grantportal.orgs.views import bp as orgs_bp
from grantportal.pledges import queries as pledges_answers  # noqa: F401  (core.signals answers)
from grantportal.pledges.views import bp as pledges_bp
from grantportal.public_reads import PUBLIC_READS
from grantportal.review import queries as review_answers  # noqa: F401  (core.signals answers)
from grantportal.review.defence.views import bp as defence_bp
from grantportal.review.panels.views import bp as panels_bp
from grantportal.review.results.views import bp as review_results_bp
from grantportal.review.rounds.views import bp as rounds_bp
from grantportal.review.scoring.views import bp as scoring_bp
from grantportal.schedule import schedule_cli
from grantportal.supervision import queries as supervision_answers  # noqa: F401  (core.signals answers)
from grantportal.supervision.views import bp as supervision_bp
from grantportal.surveys import queries as surveys_answers  # noqa: F401  (core.signals answers)
from grantportal.surveys.views import bp as surveys_bp
from grantportal.teams import queries as teams_answers  # noqa: F401  (core.signals answers)
from grantportal.teams.views import bp as teams_bp
from grantportal.votes import queries as votes_answers  # noqa: F401  (core.signals answers)
from grantportal.votes.views import bp as votes_bp
from grantportal.workbench.views import bp as workbench_bp


class GrantPortal(Flask):
    def log_exception(self, exc_info):
        logs.log_exception(exc_info)


def create_app(config=None):
    app = GrantPortal(
        "grantportal",
        instance_path=str(INSTANCE),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    instance = (config or {}).get("INSTANCE_PATH", app.instance_path)
    app.config.update(default_config(instance, config))
    if config:
        app.config.update(config)
    if app.config.get("REPLICA_DATABASE_URL"):
        app.config["SQLALCHEMY_BINDS"] = {**app.config.get("SQLALCHEMY_BINDS", {}),
                                          replica.BIND: replica.engine_options(app.config["REPLICA_DATABASE_URL"])}
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    init_limiter(app)
    login_manager.init_app(app)
    replica.init_app(app, PUBLIC_READS, db)

    logs.init_app(app)
    metrics_endpoint.init_app(app)
    districts.init_app(app)
    web.init_app(app)
    pagecache.init_app(app, PUBLIC_READS, db)  # after web: a query string too long is refused first
    templating.init_app(app)
    navigation.init_app(app, MENU, FOLD, ACCOUNT_PAGES)

    for bp in (disclosure_bp, accounts_bp, citizens_bp, orgs_bp, calendar_bp, calls_bp, call_files_bp, applications_bp,
               audit_bp, experts_bp, rounds_bp, panels_bp, defence_bp, scoring_bp, review_results_bp, proposals_bp,
               objections_bp, monitoring_bp, supervision_bp, pledges_bp, surveys_bp, votes_bp, funding_bp, documents_bp,
               contracts_bp, payments_bp, matched_bp, projects_bp, inbox_bp, workbench_bp, opendata_bp, statistics_bp,
               health_bp, metrics_endpoint.bp, catalogue_bp, rectification_bp, inspection_bp, teams_bp):
        app.register_blueprint(bp)

    app.cli.add_command(demo_cli.demo)
    app.cli.add_command(backup_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(statistics_cli)
    app.cli.add_command(doctor_command)
    app.cli.add_command(notices_cli)
    app.cli.add_command(schedule_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(documents_cli)
    return app
