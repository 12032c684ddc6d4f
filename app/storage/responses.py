"""Stored files as downloads: streamed through the app, after the view's permission checks."""

from __future__ import annotations

from flask import Response, abort, send_file

from app.storage import InvalidKey, storage


def send_stored(key: str, *, mimetype: str, download_name: str) -> Response:
    """``key`` as a download named ``download_name``: never cached (the files hold personal
    data), never sniffed by the browser, 404 when the file is gone."""
    files = storage()
    try:
        size = files.size(key)
        handle = files.open(key)
    except (FileNotFoundError, InvalidKey):
        abort(404)
    response = send_file(handle, mimetype=mimetype, as_attachment=True,
                         download_name=download_name, max_age=0, conditional=False, etag=False)
    response.content_length = size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
