from django.urls import path

from navigator.messaging import webhooks

app_name = "messaging"

# Twilio's webhooks (mounted under /webhooks/): signed by Twilio, so no session and no CSRF.
urlpatterns = [
    path("twilio/sms/", webhooks.twilio_inbound_sms, name="twilio_inbound_sms"),
    path("twilio/status/", webhooks.twilio_status_callback, name="twilio_status"),
]
