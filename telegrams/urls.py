from django.urls import path

from telegrams import views

app_name = "telegrams"
urlpatterns = [
    path("agendas/compare/", views.agenda_compare, name="agenda_compare"),
    path(
        "agendas/correspondences/propose/",
        views.propose,
        name="correspondence_propose",
    ),
    path(
        "agendas/correspondences/<int:pk>/review/",
        views.review,
        name="correspondence_review",
    ),
]
