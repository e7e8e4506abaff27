"""The Welsh catalogue cannot drift: every patient-facing text goes through gettext, the
catalogue matches the code, and every entry has its Welsh.

- Templates a patient or carer sees (their pages, sign-in and invitation pages, error pages,
  text messages, their emails and the printed plan) are read token by token: any letters left
  outside `{% translate %}` / `{% blocktranslate %}` (after removing tags, variables, comments,
  scripts and text marked with its own `lang`, such as the English / Cymraeg switch) fail, as
  does a text attribute (aria-label, title, alt, placeholder) or a `default:"..."` with words.
- `makemessages` is run on a copy of the code; its msgids must be the committed catalogue's.
- Every entry is translated, none fuzzy, with six plural forms and the same placeholders.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

from tests.po import Entry, entries

ROOT = Path(settings.BASE_DIR)
TEMPLATES = ROOT / "templates"
CATALOGUE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"

# What a patient or carer sees. Staff-only templates (worklist, case pages, chase queue, staff
# emails, MFA) stay English.
PATIENT_FACING = [
    "base.html",
    "[0-9]*.html",
    "account/*.html",
    "account/snippets/*.html",
    "account/email/*.txt",
    "account/messages/*.txt",
    "accounts/invitation_*.html",
    "allauth/layouts/base.html",
    "allauth/elements/field.html",
    "components/*.html",
    "caseload/home.html",
    "appointments/partials/clocks.html",
    "caseload/partials/home_coming_up.html",
    "caseload/partials/home_record_copy.html",
    "caseload/record_copy.html",
    "caseload/pdf/*.html",
    "careplans/partials/home.html",
    "careplans/assessment_*.html",
    "careplans/plan_detail.html",
    "careplans/plan_agree.html",
    "careplans/progress.html",
    "careplans/share/manage.html",
    "careplans/paper_questionnaire.html",
    "careplans/paper_pdf.html",
    "careplans/pdf/*.html",
    "patients/carers.html",
    "patients/carer_*.html",
    "patients/contact_edit.html",
    "patients/documents.html",
    "patients/includes/*.html",
    "patients/messages.html",
    "patients/partials/*.html",
    "patients/patient_invitation_*.html",
    "patients/question_edit.html",
    "patients/questions.html",
    "patients/record_access.html",
    "patients/treatment_summary_details.html",
    "sms/*.txt",
    *[
        f"emails/{kind}-*"
        for kind in (
            "appointment_reminder",
            "assessment_offer",
            "carer_invitation",
            "chase_patient",
            "check_in",
            "new_message",
            "new_update",
            "patient_invitation",
            "record_copy_ready",
            "signpost",
            "signpost_feedback",
        )
    ],
]
# Staff-only, though they sit beside patients' templates: the key-in form, the account pages
# for staff passwords, and the text to a team lead.
STAFF_ONLY = {
    "account/password_reset.html",
    "account/password_reset_done.html",
    "account/password_reset_from_key.html",
    "account/password_reset_from_key_done.html",
    "account/reauthenticate.html",
    "account/base_reauthenticate.html",
    "sms/flag_escalated.txt",
}


def patient_facing_templates() -> list[str]:
    names: set[str] = set()
    for pattern in PATIENT_FACING:
        names.update(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.glob(pattern) if p.is_file())
    return sorted(names - STAFF_ONLY)


TRANSLATING = {"translate", "trans", "blocktranslate", "blocktrans"}
TEXT_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|alt|placeholder)="([^"]*)"')
LETTERS = re.compile(r"[A-Za-z]{2,}")
PLACEHOLDER = "\x00"
# The NHS logo's name is a registered mark, shown as it is in Welsh pages too.
BRAND = {"NHS"}


def untranslated(source: str) -> list[str]:
    """Words a reader would see that no translate tag covers, in this template's source."""
    problems = []
    masked: list[str] = []
    inside: str | None = None  # the block we are in whose text is not checked
    for token in Lexer(source).tokenize():
        content = token.contents
        if inside:
            if token.token_type == TokenType.BLOCK and content.split()[0] == f"end{inside}":
                inside = None
            masked.append(PLACEHOLDER)
            continue
        if token.token_type == TokenType.TEXT:
            masked.append(content)
            continue
        if token.token_type == TokenType.BLOCK:
            name = content.split()[0]
            if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                inside = name
            elif name in TRANSLATING:
                pass
            else:
                problems += _literals_in_tag(content)
        if token.token_type == TokenType.VAR:
            problems += [m for m in re.findall(r'default:"([^"]*)"', content) if LETTERS.search(m)]
        masked.append(PLACEHOLDER)
    text = "".join(masked)
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->", " ", text, flags=re.S)
    # Text in its own language on purpose: "Cymraeg" on the switch, "English" beside it.
    # (Not the page's own <html lang>: that would hide the whole page.)
    text = re.sub(r'<(?!html\b)(\w+)\b[^>]*\blang="[^"]*"[^>]*>.*?</\1>', " ", text, flags=re.S)
    for value in TEXT_ATTRIBUTES.findall(text):
        if LETTERS.search(value.replace(PLACEHOLDER, " ")) and value not in BRAND:
            problems.append(value)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&#?\w+;", " ", text)
    for chunk in text.split(PLACEHOLDER):
        chunk = " ".join(chunk.split())
        if LETTERS.search(chunk) and chunk not in BRAND:
            problems.append(chunk)
    return problems


def _literals_in_tag(content: str) -> list[str]:
    """Words passed to an included template (`heading="There is a problem"`) are shown too."""
    if not content.startswith(("include", "with")):
        return []
    return [
        value
        for value in re.findall(r'=\s*"([^"]*)"', content)
        if " " in value.strip() and LETTERS.search(value)
    ]


@pytest.mark.parametrize("name", patient_facing_templates())
def test_patient_facing_template_has_no_text_outside_gettext(name):
    assert untranslated((TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_the_scope_covers_every_kind_of_patient_text():
    names = patient_facing_templates()
    for expected in (
        "base.html",
        "404.html",
        "500.html",
        "503.html",
        "account/login.html",
        "account/email/login_code_message.txt",
        "account/messages/login_code_sent.txt",
        "patients/patient_invitation_accept.html",
        "caseload/home.html",
        "appointments/partials/clocks.html",
        "careplans/assessment_domain.html",
        "careplans/plan_detail.html",
        "careplans/pdf/plan.html",
        "patients/messages.html",
        "patients/carers.html",
        "sms/new_message.txt",
        "emails/new_message-body.html",
    ):
        assert expected in names
    assert "sms/flag_escalated.txt" not in names


def test_the_check_finds_text_outside_gettext():
    """The check itself: it must catch each way English slips through."""
    assert untranslated("<p>Hello there</p>") == ["Hello there"]
    assert untranslated('<a aria-label="Go home" href="/">{% translate "Home" %}</a>') == [
        "Go home"
    ]
    assert untranslated('{{ phone|default:"Not given" }}') == ["Not given"]
    assert untranslated("{% load i18n %}<p>{% translate 'Hello' %} {{ name }}</p>") == []
    assert untranslated("{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}") == []
    assert untranslated('<button lang="cy">Cymraeg</button>{# a comment #}') == []
    assert untranslated("{% if a %}Yes{% endif %}") == ["Yes"]


def _keys(catalogue: list[Entry]) -> set[tuple[str | None, str, str | None]]:
    return {e.key for e in catalogue if e.msgid}


def test_every_entry_is_translated_into_welsh():
    catalogue = entries(CATALOGUE)
    assert catalogue and catalogue[0].msgid == ""
    untranslated_ids = [e.msgid for e in catalogue[1:] if not e.translated]
    fuzzy = [e.msgid for e in catalogue[1:] if "fuzzy" in e.flags]
    assert untranslated_ids == [] and fuzzy == []
    assert "fuzzy" not in catalogue[0].flags


def test_the_catalogue_header_has_welsh_plurals_and_the_review_note():
    header = entries(CATALOGUE)[0].msgstr[0]
    assert "Language: cy\n" in header
    assert (
        "Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : "
        "n==6 ? 4 : 5);" in header
    )
    comment = CATALOGUE.read_text(encoding="utf-8").split('msgid ""')[0]
    assert "await review by a qualified Welsh translator before live use" in " ".join(
        line.lstrip("# ") for line in comment.splitlines()
    )


def test_plural_entries_have_all_six_welsh_forms():
    plurals = [e for e in entries(CATALOGUE) if e.msgid_plural]
    assert plurals, "Welsh counts need ngettext / blocktranslate count somewhere"
    for entry in plurals:
        assert sorted(entry.msgstr) == [0, 1, 2, 3, 4, 5], entry.msgid


PLACEHOLDERS = re.compile(r"%\(\w+\)s|\{\w*\}|</?\w+")


@pytest.mark.parametrize("entry", [e for e in entries(CATALOGUE)[1:]], ids=lambda e: e.msgid[:40])
def test_each_translation_keeps_the_placeholders_and_markup(entry):
    wanted = sorted(PLACEHOLDERS.findall(entry.msgid))
    for text in entry.msgstr.values():
        assert sorted(PLACEHOLDERS.findall(text)) == wanted


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="needs GNU gettext's xgettext: `make system-packages` installs it",
)
def test_the_catalogue_is_up_to_date_with_the_code(tmp_path):
    """`makemessages` on a copy of the code gives exactly the committed catalogue's msgids
    (run `make messages` and translate the new entries when this fails)."""
    copy = tmp_path / "code"
    ignore = shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc")
    for name in ("navigator", "patients", "appointments", "careplans", "caseload", "templates"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copytree(ROOT / "locale", copy / "locale", ignore=ignore)
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {**os.environ, "DEBUG": "true", "PYTHONPATH": str(copy)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "makemessages", "-l", "cy", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = _keys(entries(copy / "locale" / "cy" / "LC_MESSAGES" / "django.po"))
    committed = _keys(entries(CATALOGUE))
    assert {"new in the code": fresh - committed, "gone from the code": committed - fresh} == {
        "new in the code": set(),
        "gone from the code": set(),
    }


def test_welsh_counts_pick_the_welsh_plural_form():
    """Django uses our catalogue's six-form rule (one, two, and others differ here)."""
    from django.utils import translation

    singular = "The care plan will not be shared with the GP practice. %(count)s link stopped."
    plural = "The care plan will not be shared with the GP practice. %(count)s links stopped."
    with translation.override("cy"):
        said = {n: translation.ngettext(singular, plural, n) % {"count": n} for n in (1, 2, 7)}
    assert said[1].endswith("Mae 1 ddolen wedi'i stopio.")
    assert said[2].endswith("Mae 2 ddolen wedi'u stopio.")
    assert said[7].endswith("Mae 7 dolen wedi'u stopio.")


# Python-side messages a patient or carer can see: a service's ValidationError shown on their
# page, a flash banner, a form error. Each module's patient-facing part is checked (None: the
# whole module; else the functions and classes named), so a new English-only message there fails.
PATIENT_FACING_PYTHON: dict[str, set[str] | None] = {
    "caseload/views/home.py": None,
    "patients/forms.py": {
        "NhsDateField",
        "NhsFormMixin",
        "add_service_errors",
        "ContactFieldsMixin",
        "ContactForm",
    },
    "patients/services/carers.py": None,
    "patients/services/common.py": None,
    "patients/services/contact.py": None,
    "patients/services/documents.py": {"document_add"},
    "patients/services/invitations.py": {"patient_invitation_accept"},
    "patients/services/messages.py": None,
    "patients/services/questions.py": None,
    "patients/validators.py": None,
    "patients/views/carers.py": None,
    "patients/views/contact.py": None,
    "patients/views/documents.py": None,
    "patients/views/invitations.py": {"DateOfBirthForm", "patient_invitation_accept_page"},
    "patients/views/language.py": None,
    "patients/views/messages.py": None,
    "patients/views/questions.py": None,
    "patients/views/record.py": None,
    "careplans/services/actions.py": {"signpost_feedback_record"},
    "careplans/services/assessments.py": None,
    "careplans/services/language.py": None,
    "careplans/services/plans.py": {"care_plan_agree"},
    "careplans/services/sharing.py": {"share_link_create"},
    "careplans/views/actions.py": {"plan_item_feedback"},
    "careplans/views/assessments.py": None,
    "careplans/views/pdf.py": None,
    "careplans/views/plans.py": {"plan_detail", "plan_agree"},
    "careplans/views/progress.py": None,
    "careplans/views/sharing.py": {"share_manage", "share_create", "share_revoke", "share_consent"},
    "navigator/accounts/adapters.py": None,
    "navigator/accounts/forms.py": {
        "LoginForm",
        "RequestLoginCodeForm",
        "ConfirmLoginCodeForm",
        "RequestTextCodeForm",
    },
    "navigator/accounts/services.py": {"user_language_set", "invitation_accept"},
    "navigator/accounts/views.py": {"_send_sign_in_code", "request_login_code_by_text"},
}
GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
# Calls whose text reaches the reader: errors, flash banners, form errors.
RAISING = {"ValidationError", "SharingError"}
FLASH_LEVELS = {"debug", "info", "success", "warning", "error", "add_message"}
# A form field's words: its label, hint and error messages.
FIELD_WORDS = {"label", "help_text", "error_messages"}


def english_messages(source: str, only: set[str] | None = None) -> list[str]:
    """Text literals (plain strings, f-strings, `"..." % x`, dicts of them, and names of
    module-level plain strings) passed to ValidationError, a `_Errors.add`, `add_error` or a
    flash message, or given as a form field's label, hint or error messages, outside a gettext
    call: "line: text" for each."""
    import ast

    tree = ast.parse(source)
    plain_constants = {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and _is_text(node.value, set())
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    roots: list[ast.AST] = (
        [tree]
        if only is None
        else [
            node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in only
        ]
    )
    if only is not None:
        assert {n.name for n in roots} == only, f"not found: {only - {n.name for n in roots}}"
    found = []
    for root in roots:
        for node in ast.walk(root):
            if isinstance(node, ast.Assign):
                # A form field's words set after the fact: `field.label = "..."`.
                if any(
                    isinstance(t, ast.Attribute) and t.attr in FIELD_WORDS for t in node.targets
                ) and _is_text(node.value, plain_constants):
                    found.append(f"{node.lineno}: {ast.unparse(node.value)[:70]}")
                continue
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg in FIELD_WORDS and _is_text(keyword.value, plain_constants):
                    found.append(f"{keyword.value.lineno}: {ast.unparse(keyword.value)[:70]}")
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name in RAISING:
                shown = [*node.args[:1], *(k.value for k in node.keywords if k.arg == "message")]
            elif name == "add_error":
                shown = [*node.args[1:], *(k.value for k in node.keywords if k.arg == "error")]
            elif name == "add" and owner == "errors":
                shown = node.args[1:]
            elif name in FLASH_LEVELS and owner in ("messages", "flash"):
                shown = node.args[1:]
            elif name == "_errors":  # a form field's error messages, set after the fact
                shown = node.args[1:]
            else:
                continue
            for argument in shown:
                if _is_text(argument, plain_constants):
                    found.append(f"{argument.lineno}: {ast.unparse(argument)[:70]}")
    return found


def _is_text(node: object, constants: set[str]) -> bool:
    import ast

    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(LETTERS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.BinOp):  # "..." % values: the text is still the left side
        return _is_text(node.left, constants)
    if isinstance(node, ast.Dict):
        return any(_is_text(value, constants) for value in node.values)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_is_text(value, constants) for value in node.elts)
    return False


@pytest.mark.parametrize("module", sorted(PATIENT_FACING_PYTHON))
def test_patient_facing_python_messages_go_through_gettext(module):
    source = (ROOT / module).read_text(encoding="utf-8")
    assert english_messages(source, PATIENT_FACING_PYTHON[module]) == []


def test_the_python_check_finds_english_only_messages():
    """The check itself: each way a Python message can slip through in English."""
    source = """
STALE = "Someone else changed this."
OK = _("Saved.")

def view(request, errors, form):
    raise ValidationError("This case is closed.")
    raise ValidationError({"body": f"At most {n} characters"})
    errors.add("text", "Enter your question.")
    messages.success(request, "Message sent.")
    flash.error(request, "Sent %s" % n)
    form.add_error(None, STALE)
    raise ValidationError(_("Fine."), code="x")
    errors.add("text", _("Fine."))
    messages.success(request, gettext("Fine %(n)s.") % {"n": 1})
    form.add_error(None, OK)
    form.add_error("email", error)

def staff_only():
    messages.success(request, "Staff read English.")
"""
    assert [line.split(":")[0] for line in english_messages(source)] == [
        "6",
        "7",
        "8",
        "9",
        "10",
        "11",
        "19",
    ]
    assert len(english_messages(source, {"view"})) == 6
    assert english_messages(source, {"staff_only"}) == ["19: 'Staff read English.'"]
