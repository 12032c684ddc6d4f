from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.database import db
from app.permissions import Permission, public, require
from app.plugins.ui import dashboard_widgets
from app.theming import themes

bp = Blueprint("main", __name__)


@bp.route("/")
@require(Permission.VIEW)
def dashboard() -> str:
    manager = current_app.extensions["koers_plugins"]
    title = manager.hook.dashboard_title(user=current_user) or _(
        "Welcome, %(name)s", name=current_user.name)
    return render_template("main/dashboard.html", title=title,
                           widgets=dashboard_widgets(current_user))


@bp.route("/healthz")
@public
def healthz() -> tuple[Response, int]:
    """Liveness and readiness for load balancers and container health checks.

    Loads no user and touches no session, so it answers JSON whatever cookies come along."""
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    body: dict[str, object] = {
        "status": "ok",
        "municipality": municipality.slug,
        "database": "ok",
        "schema_revision": None,
        "plugins": list(municipality.plugins),
        "redis": _redis_state(),
    }
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        current_app.logger.warning("health check: database unreachable: %s",
                                   error.__class__.__name__)
        body.update(status="unavailable", database="unreachable")
        return _no_store(jsonify(body)), 503
    try:
        with db.engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            body["schema_revision"] = sorted(row[0] for row in rows) or None
    except SQLAlchemyError:
        pass
    if body["schema_revision"] is None:
        body.update(status="unavailable", database="not migrated")
    elif body["redis"] == "unreachable":
        # New jobs cannot be queued (pages and sign-in still work): say so with a 503.
        body["status"] = "degraded"
    return _no_store(jsonify(body)), 200 if body["status"] == "ok" else 503


#: Seconds the health check waits for Redis, so a dead server cannot stall the probe.
REDIS_TIMEOUT_SECONDS = 1.0


def _redis_state() -> str:
    """``ok``, ``unreachable`` or ``not configured`` (no ``REDIS_URL``)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    client = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                            socket_timeout=REDIS_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 0))
    try:
        client.ping()
    except (RedisError, OSError) as error:
        current_app.logger.warning("health check: redis unreachable: %s",
                                   error.__class__.__name__)
        return "unreachable"
    finally:
        client.close()
    return "ok"


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/branding/theme.css")
@public
def theme_css() -> Response:
    """The municipality's colours as design tokens (a stylesheet: no inline styles, CSP)."""
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    response = current_app.response_class(themes.theme_css(municipality), mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/branding/tokens.css")
@public
def tokens_css() -> Response:
    """The municipality's own design tokens file (``branding.tokens_css``), if it has one."""
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    if municipality.tokens_css is None:
        abort(404)
    return send_file(municipality.tokens_css, mimetype="text/css", max_age=300)


@bp.route("/favicon.ico")
@public
def favicon() -> Response:
    """For tools that ask for /favicon.ico without reading the page's icon link."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/branding/logo")
@public
def logo() -> Response:
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    if municipality.logo is None:
        abort(404)
    return send_file(municipality.logo, max_age=300)
