from django.urls import path  # noqa: F401

# API routes for patients, cases, care teams, timeline and messages (mounted under /api/).
urlpatterns: list = []
