from django.urls import path

from appointments import views

app_name = "appointments"

urlpatterns = [
    path("chase/", views.chase_queue_page, name="chase_queue"),
    path("chase/<uuid:task_id>/", views.chase_record_page, name="chase_record"),
    path("cases/<uuid:case_id>/tracked-items/", views.case_items_page, name="case_items"),
    path("cases/<uuid:case_id>/tracked-items/add/", views.item_add_page, name="item_add"),
    path(
        "cases/<uuid:case_id>/tracked-items/<uuid:item_id>/",
        views.item_transition_page,
        name="item_transition",
    ),
]
