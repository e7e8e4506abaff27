from django.urls import path

from navigator.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("add/", views.organisation_add, name="add"),
    path("<uuid:organisation_id>/", views.organisation_edit, name="edit"),
]
