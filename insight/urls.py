from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("", views.insight_page, name="page"),
    path("<slug:slug>.csv", views.insight_csv, name="csv"),
]
