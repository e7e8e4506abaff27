"""NHS.UK frontend's stylesheet, as we serve it, asks for no font our CSP would refuse."""

from django.contrib.staticfiles import finders

from navigator.middleware import CSP
from navigator.staticfiles import NAME, stylesheet_without_font_faces


def test_the_served_stylesheet_names_no_outside_font_and_keeps_the_rest():
    path = finders.find(NAME)
    assert path is not None
    with open(path, encoding="utf-8") as built:
        css = built.read()
    assert "@font-face" not in css
    assert "assets.nhs.uk" not in css
    assert "sourceMappingURL" not in css
    assert ".nhsuk-button" in css and ".nhsuk-summary-list" in css
    assert "font-src 'self' data:" in CSP


def test_only_the_font_faces_and_the_source_map_comment_are_taken_out():
    css = (
        "html{font-family:Frutiger W01,arial}"
        "@font-face{font-family:Frutiger W01;src:url(https://assets.nhs.uk/a.woff2)}"
        ".x{color:red}\n/*# sourceMappingURL=nhsuk-frontend.min.css.map */"
    )
    assert (
        stylesheet_without_font_faces(css) == "html{font-family:Frutiger W01,arial}.x{color:red}\n"
    )


def test_pages_link_the_served_stylesheet(client):
    html = client.get("/accounts/login/").content.decode()
    assert "/static/css/nhsuk-frontend.min.css" in html
    assert "/static/nhsuk/nhsuk-frontend.min.css" not in html
