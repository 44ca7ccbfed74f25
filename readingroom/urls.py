from django.contrib import admin
from django.urls import include, path

from readingroom import accounts

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in, sign out, password change and reset (templates in templates/registration/).
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cables.urls")),
    path("", include("telegrams.urls")),
    path("", include("annotations.urls")),
]
