from django.urls import path

from careplans.views import sharing

# Mounted at gp/: GP practices open a shared care plan here without an account. The names stay
# un-namespaced ("gp_link", …), as they were when these routes lived in navigator/urls.py.
urlpatterns = [
    path("<str:token>/", sharing.gp_link, name="gp_link"),
    path("<str:token>/pdf/", sharing.gp_link_pdf, name="gp_link_pdf"),
    path("<str:token>/acknowledge/", sharing.gp_link_acknowledge, name="gp_link_acknowledge"),
]
