"""Koers: the core package. :func:`create_app` builds one municipality's instance."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask, flash, redirect, request, url_for
from flask_login import current_user

from app import storage
from app.config import build_settings, check_web_containers
from app.translate import gettext as _
from app.translate import lazy_gettext as _l

__all__ = ["create_app"]

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Endpoints a user who must first choose a new password may still reach.
_PASSWORD_CHANGE_ENDPOINTS = {"auth.profile", "auth.change_password", "auth.logout", "static",
                              "main.theme_css", "main.tokens_css", "main.logo",
                              "main.favicon", "main.healthz", "main.accessibility_statement"}


def create_app(overrides: Mapping[str, Any] | None = None,
               environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app: configuration → extensions → blueprints. Never migrates the database."""
    config = build_settings(environ, overrides)
    # Several web containers need Redis and PostgreSQL: refused here, before anything starts.
    check_web_containers(config)
    app = Flask(__name__, instance_path=str(config["KOERS_INSTANCE_DIR"]),
                instance_relative_config=False)
    app.config.update(config)
    # How this app was built: a job process builds the same one (app.jobs.child).
    app.extensions["koers_factory"] = (dict(overrides or {}),
                                       dict(environ) if environ is not None else None)
    _configure_logging(app)
    if app.config["KOERS_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N trusted proxies: take the client address and scheme from their headers,
        # so login throttling counts real clients instead of the load balancer.
        count = app.config["KOERS_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from app.plugins import loader

    manager = loader.load_plugins(app, environ, _area_hooks())
    _init_extensions(app)
    _register_blueprints(app)
    loader.attach_plugins(app, manager)
    from app.plans.transitions import check_workflows

    # Workflows are declarations: a plugin's mistake stops start-up, naming the plugin.
    app.extensions["koers_workflows"] = check_workflows(manager)
    _register_request_hooks(app)

    from app.commands import register_commands

    register_commands(app)
    return app


def _area_hooks() -> list[ModuleType]:
    """Each area's own hook implementations: registered before the plugins, so they run after
    every plugin's (in this order) and answer as the plugin "core"."""
    from app.audit import hooks as audit_hooks
    from app.auth import hooks as auth_hooks
    from app.consultations import hooks as consultation_hooks
    from app.main import hooks as main_hooks
    from app.plans import hooks as plan_hooks
    from app.stakeholders import hooks as stakeholder_hooks

    return [main_hooks, plan_hooks, consultation_hooks, stakeholder_hooks, auth_hooks,
            audit_hooks]


LOG_FORMAT = ("%(asctime)s level=%(levelname)s logger=%(name)s municipality=%(municipality)s "
              "%(message)s")


class _MunicipalityFilter(logging.Filter):
    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug

    def filter(self, record: logging.LogRecord) -> bool:
        record.municipality = getattr(record, "municipality", self.slug)
        return True


def _configure_logging(app: Flask) -> None:
    """One line per event on stderr, with key=value fields that log collectors can parse."""
    level = getattr(logging, app.config["KOERS_LOG_LEVEL"], logging.INFO)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(_MunicipalityFilter(app.config["KOERS_MUNICIPALITY"].slug))
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)
    for name in (app.logger.name, "app"):
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = app.testing  # tests capture records through the root logger


def _init_extensions(app: Flask) -> None:
    from app import i18n, security
    from app.auth.models import User
    from app.auth.throttle import LoginThrottle
    from app.consultations import models as _consultation_models  # noqa: F401  (tables)
    from app.consultations.feedback import models as _feedback_models  # noqa: F401  (tables)
    from app.consultations.inputs import models as _input_models  # noqa: F401  (tables)
    from app.consultations.nota import models as _nota_models  # noqa: F401  (tables)
    from app.extensions import csrf, db, login_manager, migrate
    from app.jobs import inventory  # noqa: F401  (registers the core's jobs)
    from app.jobs.runners import make_runner
    from app.plans import models as _plan_models  # noqa: F401  (tables in the metadata)
    from app.search import indexing
    from app.search import models as _search_models  # noqa: F401  (tables)

    db.init_app(app)
    indexing.install(db.session)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(identifier: str) -> User | None:
        user_id, _, token = identifier.partition(":")
        if not user_id.isdigit() or not token:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_token != token:
            return None
        return user

    app.extensions["koers_login_throttle"] = LoginThrottle(
        app.config["KOERS_LOGIN_MAX_FAILURES"], app.config["KOERS_LOGIN_WINDOW_MINUTES"],
        app.config["REDIS_URL"], f"koers-{app.config['KOERS_MUNICIPALITY'].slug}",
        app.config["SECRET_KEY"])
    app.extensions["koers_jobs"] = make_runner(app)
    storage.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from app.audit.views import bp as audit_bp
    from app.auth.views import admin_bp as accounts_bp
    from app.auth.views import bp as auth_bp
    from app.consultations import feed_views as _feed_views  # noqa: F401  (routes on bp)
    from app.consultations import signin_views as _signin_views  # noqa: F401  (routes on bp)
    from app.consultations import views as _consultation_views  # noqa: F401  (routes on bp)
    from app.consultations.blueprint import bp as consultations_bp
    from app.consultations.feedback import views as _feedback  # noqa: F401  (routes on bp)
    from app.consultations.inputs import grouping_views as _grouping  # noqa: F401  (routes on bp)
    from app.consultations.inputs import intake_views as _intake  # noqa: F401  (routes on bp)
    from app.consultations.inputs import views as _input_views  # noqa: F401  (routes on bp)
    from app.consultations.meetings import views as _meeting_views  # noqa: F401  (routes on bp)
    from app.consultations.nota import views as _nota_views  # noqa: F401  (routes on bp)
    from app.jobs.views import bp as jobs_bp
    from app.main import error_pages
    from app.main.views import bp as main_bp
    from app.plans import views as _plan_views  # noqa: F401  (routes on bp)
    from app.plans.blueprint import bp as plans_bp
    from app.plans.programme import action_views as _action_views  # noqa: F401  (routes on bp)
    from app.plans.programme import involvement_views as _involvement  # noqa: F401  (routes)
    from app.plans.programme import views as _programme_views  # noqa: F401  (routes on bp)
    from app.search.views import bp as search_bp
    from app.stakeholders import transfer_views as _transfer_views  # noqa: F401  (routes on bp)
    from app.stakeholders import views as _stakeholder_views  # noqa: F401  (routes on bp)
    from app.stakeholders.blueprint import bp as stakeholders_bp

    for blueprint in (main_bp, auth_bp, accounts_bp, audit_bp, jobs_bp, stakeholders_bp,
                      plans_bp, consultations_bp, search_bp):
        app.register_blueprint(blueprint)
    error_pages.init_app(app)


def _register_request_hooks(app: Flask) -> None:
    from flask import abort

    from app.forms import ConfirmForm
    from app.permissions import (
        Permission,
        declared_permission,
        has_permission,
        is_static_endpoint,
    )

    @app.before_request
    def enforce_declared_permission() -> Any:
        # Fail closed: a route that forgot to declare who may call it is refused.
        if request.endpoint is None:
            return None
        view = app.view_functions.get(request.endpoint)
        if is_static_endpoint(request.endpoint, view):
            return None
        if view is None or declared_permission(view) is None:
            app.logger.error("route %s declares no permission; refused", request.endpoint)
            abort(403)
        # The endpoint first: /healthz must answer without loading the user (a database
        # outage would otherwise make it an error page for anyone with a session cookie).
        # A plugin's static files (its theme stylesheet) style the profile page too.
        if (request.endpoint not in _PASSWORD_CHANGE_ENDPOINTS
                and not (request.endpoint or "").endswith(".static")
                and current_user.is_authenticated and current_user.must_change_password):
            flash(_("Choose your own password before you continue."), "info")
            return redirect(url_for("auth.profile"))
        return None

    from app.labels import TEMPLATE_HELPERS
    from app.plugins.ui import navigation, render_slot
    from app.terms import term
    from app.theming import themes
    from app.theming.components import input_component, ui
    from app.urls import row_url

    app.jinja_env.globals.update(TEMPLATE_HELPERS, term=term, slot=render_slot,
                                 navigation=navigation, ui=ui,
                                 input_component=input_component, row_url=row_url)

    @app.context_processor
    def template_helpers() -> dict[str, Any]:
        return {
            "municipality": app.config["KOERS_MUNICIPALITY"],
            "can": lambda permission, resource=None: has_permission(
                current_user, Permission(permission), resource),
            "logout_form": ConfirmForm,
            "theme_classes": lambda: themes.theme_classes(app.config["KOERS_MUNICIPALITY"]),
            "stylesheets": lambda: themes.stylesheets(app.config["KOERS_MUNICIPALITY"]),
        }
