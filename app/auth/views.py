"""Sign-in, sign-out, the own profile, and the administrators' account pages."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app.auth import services
from app.auth.forms import ChangePasswordForm, LanguageForm, LoginForm, UserForm
from app.auth.models import User
from app.database import db
from app.edits import conflict_page, current_actor, form_errors, posted_version
from app.errors import DomainError
from app.forms import ConfirmForm
from app.i18n import LANGUAGE_COOKIE, LANGUAGES
from app.labels import label
from app.pagination import paginate
from app.permissions import Permission, login_required, public, require
from app.redirects import safe_next
from app.translate import gettext as _

bp = Blueprint("auth", __name__)


def _throttle():
    return current_app.extensions["koers_login_throttle"]


def _client() -> str:
    return request.remote_addr or "unknown"


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        attempt = _throttle().attempt(form.email.data or "", _client())
        if attempt.refused:
            form.form_errors.append(_(
                "Too many failed attempts. Wait %(minutes)d minute(s) and try again.",
                minutes=math.ceil(attempt.retry_after / 60)))
            status = 429
        else:
            user = services.authenticate(form.email.data or "", form.password.data or "")
            if user is None:  # the reserved attempt stays counted as a failure
                form.form_errors.append(_("The e-mail address or password is not correct."))
                status = 401
            else:
                _throttle().succeeded(attempt)
                session.clear()  # a fresh session: no fixation across the sign-in
                login_user(user)
                db.session.commit()
                if user.must_change_password:
                    flash(_("Choose your own password before you continue."), "info")
                    return redirect(url_for("auth.profile"))
                return redirect(safe_next())
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    ConfirmForm()  # CSRF is checked globally; the form documents the intent
    _end_session(_("You have been signed out."), everywhere=False)
    return redirect(url_for("auth.login"))


@bp.route("/profile/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere() -> Response:
    """End every session of the user, on every device, this one included."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    _end_session(_("You have been signed out on every device."), everywhere=True)
    return redirect(url_for("auth.login"))


def _end_session(message: str, *, everywhere: bool) -> None:
    """Sign out. The user's session token is rotated, so a copy of this session's cookie
    (taken before, from a shared computer or a proxy log) no longer opens anything."""
    services.end_sessions(current_actor(), everywhere=everywhere)
    db.session.commit()
    logout_user()
    session.clear()
    flash(message, "success")


@bp.route("/language", methods=["POST"])
@public
def choose_language() -> Response:
    """The language of the sign-in and error pages, before anyone is signed in."""
    language = request.form.get("locale", "")
    response = redirect(safe_next("auth.login"))
    if language in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _render_profile(password_form: ChangePasswordForm | None = None,
                    language_form: LanguageForm | None = None, status: int = 200):
    language_form = language_form or LanguageForm(
        locale=current_user.locale or current_app.config["KOERS_MUNICIPALITY"].locale)
    return render_template("auth/profile.html",
                           password_form=password_form or ChangePasswordForm(),
                           language_form=language_form), status


@bp.route("/profile")
@login_required
def profile():
    return _render_profile()


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            services.change_password(current_actor(), form.current.data, form.password.data)
        if saved:
            login_user(current_actor())  # keep this session; the rotated token ended the others
            flash(_("Your password has been changed. Other sessions have been signed out."),
                  "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(password_form=form, status=400)


@bp.route("/profile/language", methods=["POST"])
@login_required
def change_language():
    form = LanguageForm()
    if form.validate_on_submit():
        services.update_user(current_actor(), actor=current_actor(), locale=form.locale.data)
        db.session.commit()
        flash(_("Your language has been saved."), "success")
        return redirect(url_for("auth.profile"))
    return _render_profile(language_form=form, status=400)


# --- account administration -------------------------------------------------------------

admin_bp = Blueprint("accounts", __name__, url_prefix="/admin/accounts")


def _user_or_404(user_id: int) -> User:
    user = services.load_user(user_id)
    if user is None:
        abort(404)
    return user


@admin_bp.route("/")
@require(Permission.MANAGE_USERS)
def index():
    search = request.args.get("q", "").strip()
    page = paginate(services.list_users(search or None))
    return render_template("auth/accounts.html", page=page, search=search)


@admin_bp.route("/new", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def create():
    form = UserForm()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            created = services.create_user(form.email.data, form.name.data, form.role.data,
                                           actor=current_actor())
        if saved:
            return render_template("auth/one_time_password.html", user=created.user,
                                   password=created.password, created=True)
    status = 400 if request.method == "POST" else 200
    return render_template("auth/account_form.html", form=form, user=None), status


@admin_bp.route("/<int:user_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_USERS)
def edit(user_id: int):
    user = _user_or_404(user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        version = posted_version()  # as submitted, never a default
        with form_errors(form, conflict=lambda: _account_conflict(user, form)) as saved:
            services.update_user(user, actor=current_actor(), name=form.name.data,
                                 email=form.email.data, role=form.role.data,
                                 expected_version=version)
        if saved:
            flash(_("The account of %(name)s has been saved.", name=user.name), "success")
            return redirect(url_for("accounts.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/account_form.html", form=form, user=user,
                           confirm=ConfirmForm()), status


def _account_conflict(user: User, form: UserForm) -> tuple[str, int]:
    """What someone else saved beside what this administrator submitted; nothing saved. The
    form re-posts the submitted values with the current version, to save them knowingly."""
    return conflict_page(
        "auth/account_conflict.html", lambda: [
            (form.name.label.text, user.name, form.name.data),
            (form.email.label.text, user.email, form.email.data),
            (form.role.label.text, label("role", user.role),
             label("role", form.role.data) if form.role.data else "")],
        form=form, version=lambda: user.version,
        action=url_for("accounts.edit", user_id=user.id), user=user)


@admin_bp.route("/<int:user_id>/reset-password", methods=["POST"])
@require(Permission.MANAGE_USERS)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    password = services.reset_password(user, actor=current_actor())
    db.session.commit()
    return render_template("auth/one_time_password.html", user=user, password=password,
                           created=False)


@admin_bp.route("/<int:user_id>/active", methods=["POST"])
@require(Permission.MANAGE_USERS)
def set_active(user_id: int):
    user = _user_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    try:
        services.set_active(user, active, actor=current_actor())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.edit", user_id=user.id))
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.name) if active
          else _("%(name)s has been deactivated.", name=user.name), "success")
    return redirect(url_for("accounts.index"))
