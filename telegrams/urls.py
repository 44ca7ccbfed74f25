from django.urls import path

app_name = "telegrams"
urlpatterns = []
