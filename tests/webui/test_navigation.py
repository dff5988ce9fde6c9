"""The header's links and the lists' task URLs (webui/core/navigation.py) are built once per
script root and reused: they must equal what url_for builds, behind a proxy's prefix too."""

from __future__ import annotations

from flask import render_template_string
from flask import url_for


def test_links_and_task_urls_equal_url_for_under_each_script_root(app):
    task = "0b7d6c1e-3f1a-4c55-9a1e-2d4f6b8c0a11"
    for root in ("", "/pasos", "", "/otro/prefijo"):
        with app.test_request_context("/", base_url=f"http://localhost{root}"):
            links = app.jinja_env.globals["links"]()
            task_url = app.jinja_env.globals["task_url"]
            assert links["tasks.inbox"] == url_for("tasks.inbox") == f"{root}/tareas/"
            assert links["js/app.js"] == url_for("static", filename="js/app.js")
            for endpoint in ("tasks.task", "tasks.claim", "tasks.release", "tasks.discard"):
                assert task_url(endpoint, task) == url_for(endpoint, task_id=task)
            # Anything but a plain id goes through url_for (quoted).
            assert task_url("tasks.task", "a b/c") == url_for("tasks.task", task_id="a b/c")
            html = render_template_string("{{ task_url('tasks.claim', id) }}", id=task)
            assert html == f"{root}/tareas/{task}/tomar"
