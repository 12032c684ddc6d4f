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
from flask_login import current_user
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.database import db
from app.permissions import Permission, public, require
from app.plugins.ui import dashboard_widgets
from app.theming import themes
from app.translate import gettext as _

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
    # One connection, one query: the pool's pre-ping proves the server answers, the query that
    # the schema is there (it is what load balancers call every few seconds).
    try:
        connection = db.engine.connect()
    except SQLAlchemyError as error:
        return _database_unreachable(body, error)
    with connection:
        try:
            body["schema_revision"] = sorted(connection.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalars()) or None
        except DBAPIError as error:
            if error.connection_invalidated:
                return _database_unreachable(body, error)
        except SQLAlchemyError:
            pass
    if body["schema_revision"] is None:
        body.update(status="unavailable", database="not migrated")
    elif body["redis"] == "unreachable":
        # New jobs cannot be queued (pages and sign-in still work): say so with a 503.
        body["status"] = "degraded"
    return _no_store(jsonify(body)), 200 if body["status"] == "ok" else 503


def _database_unreachable(body: dict[str, object], error: Exception
                          ) -> tuple[Response, int]:
    current_app.logger.warning("health check: database unreachable: %s",
                               error.__class__.__name__)
    body.update(status="unavailable", database="unreachable")
    return _no_store(jsonify(body)), 503


#: Seconds the health check waits for Redis, so a dead server cannot stall the probe.
REDIS_TIMEOUT_SECONDS = 1.0


def _redis_state() -> str:
    """``ok``, ``unreachable`` or ``not configured`` (no ``REDIS_URL``)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    # One client per process: its pool keeps the connection between probes; one retry, so a
    # connection the server closed (a Redis restart) is replaced instead of reported.
    client = current_app.extensions.get("koers_health_redis")
    if client is None:
        client = current_app.extensions["koers_health_redis"] = Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS, retry=Retry(NoBackoff(), 1))
    try:
        client.ping()
    except (RedisError, OSError) as error:
        current_app.logger.warning("health check: redis unreachable: %s",
                                   error.__class__.__name__)
        return "unreachable"
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
