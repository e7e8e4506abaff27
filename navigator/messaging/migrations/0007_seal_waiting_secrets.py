"""Withhold the links and codes already stored in clear in the outbox.

Before this, a GP's care plan link sat in its email's body until sent (then was removed), and
invitation links and sign-in codes stayed in their message's body for good. Now the clear words never hold them: a message
still waiting keeps its words as sent in `sealed_body`, sealed (navigator.crypto); every such
message's clear words get "[link withheld]" or "[code withheld]". Not reversible: the clear
secrets are not put back.
"""

import json
import re

from django.db import migrations

from navigator.crypto import seal

WAITING = ("queued", "sending")
# Any address of a GP care plan link or an invitation, whatever SITE_URL was when it was sent.
GP_LINK = (re.compile(r"https?://[^\s\"'<>]*/gp/[^\s\"'<>]*"), "[link withheld]")
INVITATION_LINK = (re.compile(r"https?://[^\s\"'<>]*invitation/[^\s\"'<>]*"), "[link withheld]")
SECRETS = {
    "gp_share": GP_LINK,
    "invitation": INVITATION_LINK,
    "patient_invitation": INVITATION_LINK,
    "carer_invitation": INVITATION_LINK,
    "sign_in_code": (re.compile(r"(?<=service is )[^\s.]+(?=\.)"), "[code withheld]"),
}


def withhold(apps, schema_editor):  # type: ignore[no-untyped-def]
    OutboundMessage = apps.get_model("messaging", "OutboundMessage")
    for kind, (secret, shown) in SECRETS.items():
        for message in OutboundMessage.objects.filter(kind=kind, sealed_body="").iterator():
            body, body_html = secret.sub(shown, message.body), secret.sub(shown, message.body_html)
            if (body, body_html) == (message.body, message.body_html):
                continue
            sealed = ""
            if message.status in WAITING:
                sealed = seal(json.dumps({"body": message.body, "body_html": message.body_html}))
            OutboundMessage.objects.filter(pk=message.pk).update(
                body=body, body_html=body_html, sealed_body=sealed
            )


class Migration(migrations.Migration):
    dependencies = [("messaging", "0006_outbox_sealed_body")]

    operations = [migrations.RunPython(withhold, migrations.RunPython.noop, elidable=False)]
