from django.urls import path

from annotations import views

app_name = "annotations"
urlpatterns = [
    path("annotations/", views.annotation_list, name="list"),
    path("annotations/new/", views.create, name="create"),
    path("annotations/links/new/", views.link_create, name="link_create"),
    path("annotations/on/<slug:slug>/", views.document_create, name="document_create"),
    path("annotations/<int:pk>/", views.detail, name="detail"),
    path("annotations/<int:pk>/edit/", views.edit, name="edit"),
    path("annotations/<int:pk>/delete/", views.delete, name="delete"),
    path("annotations/<int:pk>/reply/", views.reply, name="reply"),
    path("annotations/<int:pk>/hide/", views.hide, name="hide"),
    path("annotations/<int:pk>/review/", views.review, name="review"),
    path("annotations/<int:pk>/approve/", views.approve, name="approve"),
    path("annotations/<int:pk>/flag/", views.flag, name="flag"),
]
