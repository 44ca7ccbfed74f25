"""Stable, citable file addresses beside the reading view."""

from django.urls import path

from interchange import views

app_name = "interchange"
urlpatterns = [
    path("cables/export.csv", views.catalogue_csv, name="catalogue_csv"),
    path("cables/<slug:slug>/export.json", views.export_json, name="export_json"),
    path("cables/<slug:slug>/export.tei.xml", views.export_tei, name="export_tei"),
    path("cables/<slug:slug>/export.txt", views.export_text, name="export_text"),
    path("cables/<slug:slug>/export.ris", views.export_ris, name="export_ris"),
    path("cables/<slug:slug>/export.bib", views.export_bibtex, name="export_bibtex"),
    path(
        "cables/<slug:slug>/annotations.jsonld", views.annotations_jsonld, name="annotations_jsonld"
    ),
    path("cables/<slug:slug>/references.jsonld", views.references_jsonld, name="references_jsonld"),
    path("cables/<slug:slug>/annotations.csv", views.annotations_csv, name="annotations_csv"),
    path(
        "cables/<slug:slug>/annotations.md", views.annotations_markdown, name="annotations_markdown"
    ),
]
