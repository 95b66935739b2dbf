"""The production entry point: ``gunicorn grantportal.wsgi:app``, logging to stderr in ``LOG_FORMAT``
(core/logs.py). With ``GRANTPORTAL_ENV=production`` the app refuses to start while ``flask doctor`` finds a
blocking item (core/doctor.py)."""
from grantportal import create_app
from grantportal.core.doctor import refuse_unsafe_start
from grantportal.core.logs import install_handler

app = create_app()
install_handler(app.config["LOG_FORMAT"])
refuse_unsafe_start(app)
