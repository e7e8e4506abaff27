from django.urls import path

from careplans.views import directory

app_name = "directory"

# Mounted at directory/: the service directory for staff.
urlpatterns = [
    path("", directory.directory_search_page, name="search"),
    path("topics/", directory.directory_topics, name="topics"),
    path("topics/<uuid:term_id>/", directory.directory_topic_edit, name="topic_edit"),
]
