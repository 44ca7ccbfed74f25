from django.urls import path

from cables import exports, views

app_name = "cables"
urlpatterns = [
    path("", views.home, name="home"),
    path("cables/", views.catalogue, name="catalogue"),
    path("cables/export.csv", exports.catalogue_csv, name="catalogue_csv"),
    path("cables/suggestions/", views.cable_suggestions, name="cable_suggestions"),
    path("cables/<slug:slug>/", views.cable_detail, name="cable"),
    # Per-cable exports (cables.exports): stable, citable file addresses.
    path("cables/<slug:slug>/export.json", exports.export_json, name="export_json"),
    path("cables/<slug:slug>/export.tei.xml", exports.export_tei, name="export_tei"),
    path("cables/<slug:slug>/export.txt", exports.export_text, name="export_text"),
    path("cables/<slug:slug>/export.ris", exports.export_ris, name="export_ris"),
    path("cables/<slug:slug>/export.bib", exports.export_bibtex, name="export_bibtex"),
    path("participants/", views.participant_list, name="participants"),
    path(
        "participants/suggestions/",
        views.participant_suggestions,
        name="participant_suggestions",
    ),
    path("participants/<slug:slug>/", views.participant_detail, name="participant"),
    path("chronology/", views.chronology, name="chronology"),
    path("search/", views.search_view, name="search"),
]
