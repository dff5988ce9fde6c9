"""Signed-cookie sessions whose expiry slides at most once a minute.

Flask re-signs and re-sends a permanent session's cookie on every response, so that it
expires PERMANENT_SESSION_LIFETIME after the last request. Under load that was 7% of a form
post's CPU (py-spy), for an expiry nobody needs to the second. Here the cookie is re-sent
when the session changed, or when it was signed more than SESSION_REFRESH_AFTER ago (one
minute): a session still ends 8 hours after the last request, give or take that minute.
The signing serializer is also built once per set of keys instead of twice per request.
"""

from __future__ import annotations

import datetime as dt

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

DEFAULT_REFRESH_AFTER = dt.timedelta(minutes=1)


class SlidingCookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, object] = {}

    def get_signing_serializer(self, app):
        keys = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                self._serializers = {keys: serializer}  # a new key replaces the old one
        return serializer

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        refresh_after = app.config.get("SESSION_REFRESH_AFTER", DEFAULT_REFRESH_AFTER)
        return signed_at is None or dt.datetime.now(dt.UTC) - signed_at >= refresh_after
