"""The production entry point: ``gunicorn grantportal.wsgi:app``. With ``GRANTPORTAL_ENV=production`` the
app refuses to start while ``flask doctor`` finds a blocking item (core/doctor.py)."""
from grantportal import create_app
from grantportal.core.doctor import refuse_unsafe_start

app = create_app()
refuse_unsafe_start(app)
