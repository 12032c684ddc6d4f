"""The dashboard, the health check, branding assets and the error pages."""

# The accessibility statement's route lives on the main blueprint (app.main.views.bp).
from app.main import accessibility as _accessibility  # noqa: F401  (routes on bp)
