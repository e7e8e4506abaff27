"""The app's URLs plus the bare view the floor benchmark times."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from navigator.urls import urlpatterns as app_urlpatterns


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """No queries and no template of its own: what is left is the middleware stack."""
    return HttpResponse("floor", content_type="text/plain")


urlpatterns = [path("bench/floor", floor, name="bench-floor"), *app_urlpatterns]
