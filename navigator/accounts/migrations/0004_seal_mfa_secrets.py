"""Seal the TOTP secrets and recovery-code seeds stored before they were sealed at rest.

From now on allauth seals them through our MFA adapter (navigator.crypto); this turns the
plain ones already in `mfa_authenticator.data` into sealed ones, and back when reversed. A value
that a configured key already opens is left alone, so running it twice changes nothing.
"""

from django.db import migrations

from navigator.crypto import is_sealed, seal, unseal

# The secrets allauth keeps in `data`, per authenticator type.
SECRET_FIELDS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LISTS = {"recovery_codes": ("migrated_codes",)}


def _each_secret(apps, change):  # type: ignore[no-untyped-def]
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_FIELDS).iterator():
        data = dict(authenticator.data)
        for name in SECRET_FIELDS[authenticator.type]:
            if isinstance(data.get(name), str):
                data[name] = change(data[name])
        for name in SECRET_LISTS.get(authenticator.type, ()):
            if isinstance(data.get(name), list):
                data[name] = [change(value) for value in data[name]]
        if data != authenticator.data:
            Authenticator.objects.filter(pk=authenticator.pk).update(data=data)


def seal_plain(apps, schema_editor):  # type: ignore[no-untyped-def]
    _each_secret(apps, lambda value: value if is_sealed(value) else seal(value))


def unseal_sealed(apps, schema_editor):  # type: ignore[no-untyped-def]
    _each_secret(apps, lambda value: unseal(value) if is_sealed(value) else value)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_email_optional"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_plain, unseal_sealed, elidable=False)]
