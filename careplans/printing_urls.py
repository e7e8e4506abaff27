from django.urls import path

from careplans.views import printing, returns

app_name = "careplans_printing"

# Mounted at care-plans/: pages across a caseload, not inside one case.
urlpatterns = [
    path("due-for-review/", printing.plans_due, name="plans_due"),
    path(
        "personalised-care-return/",
        returns.personalised_care_return,
        name="personalised_care_return",
    ),
]
