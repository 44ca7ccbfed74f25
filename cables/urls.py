from django.urls import path

from cables import views

app_name = "cables"
urlpatterns = [
    path("", views.home, name="home"),
    path("cables/", views.catalogue, name="catalogue"),
    path("cables/<slug:slug>/", views.cable_detail, name="cable"),
    path("participants/", views.participant_list, name="participants"),
    path("participants/<slug:slug>/", views.participant_detail, name="participant"),
]
