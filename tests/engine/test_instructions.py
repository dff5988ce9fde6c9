"""Issue 17 point 11: instructions are Markdown made safe, never raw HTML; values in their
placeholders read as text, whatever a registrant typed."""

from __future__ import annotations

from engine.instructions import render_instructions


def test_raw_html_in_a_diagram_is_shown_as_text():
    html = render_instructions(
        '<meta http-equiv="refresh" content="0;url=https://evil.example/"><b>x</b>', {}
    )
    assert "<meta" not in html and "<b>" not in html
    assert html.startswith("<p>&lt;meta http-equiv=")


def test_markdown_becomes_a_small_set_of_tags():
    html = render_instructions(
        "**Importante**: anexe\n\n- el RUT\n- el acta\n\n[Guía](https://x.gov.co/)", {}
    )
    assert "<strong>Importante</strong>" in html
    assert "<ul>\n<li>el RUT</li>" in html
    assert '<a href="https://x.gov.co/" rel="noopener noreferrer nofollow">Guía</a>' in html


def test_dangerous_links_are_dropped():
    html = render_instructions("[a](javascript:alert(1)) [b](data:text/html,x) ![i](https://x/i.png)", {})
    assert "href" not in html and "<img" not in html and "javascript" not in html.replace("(javascript", "")


def test_placeholder_values_are_literal_text():
    """An entity name typed by a registrant reaches the Mesa de Servicio's page: it must not
    become a link, a heading, emphasis or markup there."""
    name = "[Pague aquí](https://evil.example) **URGENTE**\n# <script>x</script> 1. _a_"
    html = render_instructions(
        "Caso {{ support_case['number'] }}: {{ name }}", {"name": name, "support_case": {"number": "C-7"}}
    )
    assert "<a" not in html and "<strong>" not in html and "<h1>" not in html and "<em>" not in html
    assert "<script>" not in html
    assert html == (
        "<p>Caso C-7: [Pague aquí](https://evil.example) **URGENTE** # &lt;script&gt;x&lt;/script&gt; "
        "1. _a_</p>"
    )


def test_template_errors_and_sandbox_escapes_do_not_break_the_page():
    assert "no están disponibles" in render_instructions("{{ x.__class__.__mro__[1] }}", {"x": 1})
    assert render_instructions("{% if %}", {}) == (
        "<p>Las instrucciones de esta tarea no están disponibles.</p>"
    )
