from django.urls import path

app_name = "cables"
urlpatterns = []
