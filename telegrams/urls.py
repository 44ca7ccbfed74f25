from django.urls import path

from telegrams import views

app_name = "telegrams"
urlpatterns = [
    path("agendas/compare/", views.agenda_compare, name="agenda_compare"),
]
