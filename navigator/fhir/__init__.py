"""The FHIR R4 read API's plumbing, served under /fhir/: the media type, OperationOutcome
errors, searchset Bundles, the registry each app fills with its resources (from its
`AppConfig.ready()`), the CapabilityStatement built from that registry, and `$everything`.

It knows no app's models: each resource type's rows, who may see them and how they look in
FHIR come from the app that owns them (`<app>/fhir.py`).
"""
