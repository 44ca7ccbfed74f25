from django.urls import path

from network import views

app_name = "network"
urlpatterns = [
    path("network/", views.network, name="network"),
    path("network/export.gexf", views.export_gexf, name="gexf"),
    path("network/export.graphml", views.export_graphml, name="graphml"),
    path("network/export.csv", views.export_csv, name="csv"),
    path("network/<slug:source>/<slug:target>/", views.edge, name="edge"),
]
