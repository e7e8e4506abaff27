from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from navigator.api import views

# Platform endpoints, mounted under /api/ beside each app's own API routes.
urlpatterns = [
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("token/", views.TokenApi.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
