"""A staff member's personal calendar feed: make, replace or revoke its secret URL (from the
own profile page), and the feed itself.

The feed is public because calendar apps cannot sign in: the secret token in its URL is the
credential. An unknown or revoked token answers a bare 404, the same as any missing page, so
a guess learns nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale

from app.consultations import calendar, feeds
from app.consultations.blueprint import bp
from app.database import db, utcnow
from app.edits import current_actor
from app.i18n import LANGUAGES
from app.permissions import login_required, public
from app.translate import gettext as _


@bp.route("/calendar-feed", methods=["POST"])
@login_required
def create_feed() -> Any:
    """Make a new feed URL (replacing any earlier one) and show it, this once."""
    token = feeds.create_feed(current_actor())
    db.session.commit()
    return render_template("consultations/calendar_feed_created.html",
                           url=url_for("consultations.calendar_feed", token=token,
                                       _external=True))


@bp.route("/calendar-feed/revoke", methods=["POST"])
@login_required
def revoke_feed() -> Any:
    if feeds.revoke_feed(current_actor()):
        db.session.commit()
        flash(_("Your calendar feed has been revoked: its address no longer works."),
              "success")
    return redirect(url_for("auth.profile", _anchor="calendar-feed-title"))


def _locale_of(user: Any) -> str:
    language = user.locale if user.locale in LANGUAGES else \
        current_app.config["KOERS_MUNICIPALITY"].locale
    return LANGUAGES.get(language, "nl_NL")


@bp.route("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Any:
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    db.session.commit()  # last_used_at
    host = request.host.split(":")[0]
    stamp = datetime.now(UTC)
    with force_locale(_locale_of(user)):
        feed = calendar.new_calendar(_("Koers consultations"))
        for consultation, plan_title in feeds.feed_consultations(user, utcnow().date()):
            url = url_for("consultations.show", consultation_id=consultation.id,
                          _external=True)
            description = _("Plan: %(plan)s", plan=plan_title)
            if consultation.is_comment_period and consultation.last_day is not None:
                feed.add_component(calendar.last_day_event(
                    consultation, host=host, url=url, description=description, stamp=stamp,
                    summary=_("Last day for reactions: %(title)s", title=consultation.title)))
            elif consultation.starts_at is not None:
                feed.add_component(calendar.meeting_event(
                    consultation, host=host, url=url, description=description, stamp=stamp))
    response = make_response(feed.to_ical())
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
