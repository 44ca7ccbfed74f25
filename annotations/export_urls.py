"""URL patterns for the annotations list, exports and imports (included by annotations.urls).

All names live in the ``annotations`` namespace: ``annotations:list``,
``annotations:export_jsonld``, ``annotations:export_csv``,
``annotations:export_markdown`` (each export takes the cable's slug).
"""

from django.urls import path

from annotations import exports

urlpatterns = [
    path("annotations/", exports.annotation_list, name="list"),
    path("cables/<slug:slug>/annotations.jsonld", exports.export_jsonld, name="export_jsonld"),
    path("cables/<slug:slug>/annotations.csv", exports.export_csv, name="export_csv"),
    path("cables/<slug:slug>/annotations.md", exports.export_markdown, name="export_markdown"),
]
