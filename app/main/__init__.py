"""The dashboard, the health check, branding assets and the error pages."""
