from django.urls import path

from cables import views

app_name = "cables"
urlpatterns = [
    path("", views.home, name="home"),
    path("cables/", views.catalogue, name="catalogue"),
    path("cables/suggestions/", views.cable_suggestions, name="cable_suggestions"),
    path("participants/", views.participant_list, name="participants"),
    path(
        "participants/suggestions/",
        views.participant_suggestions,
        name="participant_suggestions",
    ),
]
