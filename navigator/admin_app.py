from django.contrib.admin.apps import AdminConfig


class NavigatorAdminConfig(AdminConfig):
    """Django's admin on our own site class (navigator.adminsite), so every admin page and
    change is audited. A module of its own: the site imports models, this must not."""

    default_site = "navigator.adminsite.NavigatorAdminSite"
