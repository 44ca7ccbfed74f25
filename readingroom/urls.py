"""The site's addresses: each app's own, and Django's sign-in pages.

This and the settings are the only modules that name every app.
"""

from django.contrib import admin
from django.urls import include, path

from readingroom import accounts
from readingroom.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Sign in, sign out, password change and reset (templates in templates/registration/).
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/confirm/", accounts.confirmation, name="confirmation"),
    path("accounts/confirm/<str:token>/", accounts.confirm_email, name="confirm_email"),
    # Django's password reset, limited per address and per account (issue 15).
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cables.urls")),
    path("", include("telegrams.urls")),
    path("", include("annotations.urls")),
    path("", include("search.urls")),
    path("", include("interchange.urls")),
    path("", include("reading.urls")),
    path("", include("network.urls")),
    # The benchmark's constant baseline (no query), beside the pages it is compared with.
    path("", include("bench.urls")),
]

# A database outage is a calm 503 with Retry-After, not a bare 500 (readingroom.views).
handler500 = "readingroom.views.server_error"
