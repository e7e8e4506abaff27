"""Who may manage the providers the chase contacts: team leads and administrators (with MFA)."""

from typing import Any

import rules

from navigator.accounts.models import Role

MANAGERS = (Role.TEAM_LEAD, Role.ADMIN)


@rules.predicate
def can_manage_organisations(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.role in MANAGERS and bool(user.has_mfa)


rules.add_perm("organisations.manage_organisations", can_manage_organisations)
