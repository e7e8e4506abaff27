from django.urls import path

from appointments import api

# API routes for tracked items, the chase and hospital imports (mounted under /api/).
urlpatterns = [
    path(
        "cases/<uuid:case_id>/tracked-items/",
        api.TrackedItemsApi.as_view(),
        name="api-case-tracked-items",
    ),
    path(
        "cases/<uuid:case_id>/tracked-items/<uuid:item_id>/",
        api.TrackedItemApi.as_view(),
        name="api-case-tracked-item",
    ),
    path(
        "cases/<uuid:case_id>/tracked-items/<uuid:item_id>/transitions/",
        api.TrackedItemTransitionApi.as_view(),
        name="api-case-tracked-item-transition",
    ),
    path(
        "cases/<uuid:case_id>/chase-tasks/",
        api.ChaseTasksApi.as_view(),
        name="api-case-chase-tasks",
    ),
    path(
        "cases/<uuid:case_id>/chase-tasks/<uuid:task_id>/records/",
        api.ChaseRecordApi.as_view(),
        name="api-case-chase-record",
    ),
    path(
        "teams/<uuid:team_id>/imports/hospital/",
        api.HospitalImportApi.as_view(),
        name="api-team-hospital-import",
    ),
]
