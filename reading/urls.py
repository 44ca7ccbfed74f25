from django.urls import path

from reading import compare, views

app_name = "reading"
urlpatterns = [
    path("cables/<slug:slug>/", views.cable_detail, name="cable"),
    path("participants/<slug:slug>/", views.participant_detail, name="participant"),
    path("chronology/", views.chronology, name="chronology"),
    path("compare/", compare.compare, name="compare"),
    path("compare/suggestions/", compare.suggestions, name="compare_suggestions"),
]
