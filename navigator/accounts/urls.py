from django.urls import path

from navigator.accounts import views

# Mounted under /accounts/ before allauth's own URLs.
urlpatterns = [
    path("login/code/text/", views.request_login_code_by_text, name="request_login_code_text"),
    path("invitations/new/", views.invitation_new, name="invitation_new"),
    path("invitation/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
