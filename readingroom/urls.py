from django.contrib import admin
from django.urls import include, path

from cables.compare import compare
from readingroom import accounts
from readingroom.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Sign in, sign out, password change and reset (templates in templates/registration/).
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("compare/", compare, name="compare"),
    path("", include("cables.urls")),
    path("", include("telegrams.urls")),
    path("", include("annotations.urls")),
]
