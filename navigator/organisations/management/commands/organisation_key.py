"""Issue, list and revoke the keys providers' systems use to send events (`POST /fhir/`).

    manage.py organisation_key issue RQM "Northshire PAS" --by admin@example.org
    manage.py organisation_key list [RQM]
    manage.py organisation_key revoke 3f9a0c1d2e4b --by admin@example.org

An administrator (`--by`, an active account with the administrator role) is named on every issue
and revoke in the audit trail. The key is printed once, on issue, and never kept: hand it to the
provider's integration team by a secure route.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from navigator.accounts.models import Role, User
from navigator.organisations.models import Organisation, OrganisationCredential
from navigator.organisations.services import (
    organisation_credential_issue,
    organisation_credential_revoke,
)


class Command(BaseCommand):
    help = "Issue, list or revoke a provider system's key for POST /fhir/."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="Issue a new key (printed once).")
        issue.add_argument("ods_code", help="The organisation's ODS code.")
        issue.add_argument("name", help="Which system will hold it, e.g. 'Northshire PAS'.")
        issue.add_argument("--by", required=True, help="The administrator's email address.")
        listing = actions.add_parser("list", help="List keys (never the keys themselves).")
        listing.add_argument("ods_code", nargs="?", help="Only this organisation's.")
        revoke = actions.add_parser("revoke", help="Stop a key working, at once.")
        revoke.add_argument("prefix", help="The key's first part, before the dot.")
        revoke.add_argument("--by", required=True, help="The administrator's email address.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            keys = OrganisationCredential.objects.select_related("organisation")
            if options.get("ods_code"):
                keys = keys.filter(organisation__ods_code=options["ods_code"].upper())
            for row in keys:
                state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                self.stdout.write(f"{row.prefix}  {row.organisation.ods_code}  {row.name}  {state}")
            return
        admin = self._admin(options["by"])
        if action == "issue":
            organisation = Organisation.objects.filter(ods_code=options["ods_code"].upper()).first()
            if organisation is None:
                raise CommandError(f"No organisation has the ODS code {options['ods_code']!r}.")
            try:
                credential, key = organisation_credential_issue(
                    organisation=organisation, name=options["name"], by=admin
                )
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(f"Issued key {credential.prefix} for {organisation}.")
            self.stdout.write("The key (shown this once, store it safely):")
            self.stdout.write(key)
            return
        found = OrganisationCredential.objects.filter(prefix=options["prefix"]).first()
        if found is None:
            raise CommandError(f"No key starts {options['prefix']!r}.")
        organisation_credential_revoke(credential=found, by=admin)
        self.stdout.write(f"Key {found.prefix} of {found.organisation} is revoked.")

    def _admin(self, email: str) -> User:
        admin = User.objects.filter(
            email__iexact=email.strip(), role=Role.ADMIN, is_active=True
        ).first()
        if admin is None:
            raise CommandError(f"{email!r} is not an active administrator's email address.")
        return admin
