from django.urls import path  # noqa: F401

app_name = "patients"

# Each feature adds its routes here; case URLs carry the case's UUID, never a sequential id.
urlpatterns: list = []
