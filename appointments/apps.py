from django.apps import AppConfig

from navigator.messaging.hooks import sms_received_register, sms_unreachable_register
from patients.hooks import timeline_event_recorded_register, timeline_follow_ups_register


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = "Appointments, tracked items and pathway clocks"

    def ready(self) -> None:
        # The apps below call these through their registries (patients.hooks,
        # navigator.messaging.hooks), so they import nothing of ours. Our own modules load models,
        # so they are imported here, once the app registry is ready.
        from appointments.fhir import register as fhir_register
        from appointments.inbound import sms_received, sms_unreachable
        from appointments.selectors import follow_ups_for_events
        from appointments.services import follow_ups_from_event

        timeline_event_recorded_register(handler=follow_ups_from_event)
        timeline_follow_ups_register(handler=follow_ups_for_events)
        sms_received_register(handler=sms_received)
        sms_unreachable_register(handler=sms_unreachable)
        # Appointment, ServiceRequest and Task, served by the FHIR API (navigator.fhir).
        fhir_register()
