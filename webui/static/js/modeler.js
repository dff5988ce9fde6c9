/* The bpmn-js modeler page: edit, then "Guardar borrador" posts the XML with the version and
   draft revision it started from; the checker's problems come back as a list and as marks on
   the diagram, and a stale start as both changes side by side (nothing saved). */
(function () {
  "use strict";

  function problemsList(problems) {
    var box = document.getElementById("problemas");
    var list = document.getElementById("lista-problemas");
    list.innerHTML = "";
    problems.forEach(function (p) {
      var li = document.createElement("li");
      var code = document.createElement("code");
      code.textContent = p.text;
      li.appendChild(code);
      list.appendChild(li);
    });
    box.hidden = problems.length === 0;
    if (problems.length) box.focus();
  }

  var PENDING = "secop-formularios:"; // + process id: new forms from the form editor (form-editor.js)

  function pendingForms(container) {
    try { return JSON.parse(localStorage.getItem(PENDING + container.getAttribute("data-process")) || "{}"); }
    catch (e) { return {}; }
  }

  function forgetForms(container, names) {
    var pending = pendingForms(container);
    names.forEach(function (name) { delete pending[name]; });
    localStorage.setItem(PENDING + container.getAttribute("data-process"), JSON.stringify(pending));
  }

  window.SecopPendingForms = pendingForms; // the properties panel's form picker lists them too

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector('[data-diagram="modeler"]');
    if (!container) return;
    var button = document.getElementById("guardar-diagrama");
    var state = document.getElementById("estado-modelador");

    function say(text, kind) {
      state.textContent = text;
      state.className = "modeler-status" + (kind ? " " + kind : "");
    }

    window.SecopDiagram.load(container).then(function (modeler) {
      window.secopModeler = modeler; // for tests and the browser console
      var panel = JSON.parse(container.getAttribute("data-panel") || "null");
      if (panel && window.SecopProperties) {
        window.secopProperties = window.SecopProperties.attach(modeler, {
          panel: document.getElementById("panel-propiedades"),
          body: document.getElementById("propiedades-contenido"),
          container: container, forms: panel.forms, catalog: panel.catalog, lanes: panel.lanes,
          checkUrl: panel.check_url, csrf: container.getAttribute("data-csrf"),
          bundle: function (xml) {
            var pending = pendingForms(container), forms = {};
            Object.keys(pending).forEach(function (name) {
              if (xml.indexOf('"' + name + '-schema.json"') < 0) return;
              forms[name + "-schema.json"] = pending[name].schema;
              forms[name + "-uischema.json"] = pending[name].uischema;
            });
            return { forms: forms };
          },
          onProblems: function (problems) {
            // Checked as one types: a summary that never moves the focus; the marks and the
            // panel's element section say where.
            document.getElementById("resumen-verificador").textContent = problems.length
              ? "El verificador encontró " + problems.length + (problems.length === 1 ? " problema" : " problemas") +
                ": " + problems.map(function (p) { return p.text; }).join(" · ")
              : "El verificador no encontró problemas.";
          }
        });
      }
      container.setAttribute("data-ready", "true");
      button.disabled = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        say("Verificando…");
        var sent = [];
        modeler.saveXML({ format: true }).then(function (result) {
          // New forms the form editor kept in this browser go with the diagram that uses them.
          var pending = pendingForms(container), files = {};
          Object.keys(pending).forEach(function (name) {
            if (result.xml.indexOf('"' + name + '-schema.json"') < 0) return;
            files["forms/" + name + "-schema.json"] = JSON.stringify(pending[name].schema, null, 2) + "\n";
            files["forms/" + name + "-uischema.json"] = JSON.stringify(pending[name].uischema, null, 2) + "\n";
            sent.push(name);
          });
          if (window.secopProperties && window.secopProperties.lanes()) {
            files["lanes.json"] = JSON.stringify(window.secopProperties.lanes(), null, 2) + "\n";
          }
          return fetch(container.getAttribute("data-save-url"), {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": container.getAttribute("data-csrf") },
            body: JSON.stringify({
              xml: result.xml,
              files: files,
              base_version: window.SecopDraft.base(container).base_version,
              base_revision: window.SecopDraft.base(container).base_revision
            })
          });
        }).then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        }).then(function (answer) {
          var problems = answer.body.problems || [];
          problemsList(problems);
          window.SecopDiagram.markProblems(modeler, problems);
          window.SecopDraft.answered(container, answer);
          if (answer.status === 200) {
            forgetForms(container, sent);
            say(answer.body.message, problems.length ? "bad" : "ok");
          } else {
            say(answer.body.error || "No se guardó el borrador.", "bad");
          }
        }).catch(function (err) {
          say("No se pudo guardar: " + err, "bad");
        }).then(function () { button.disabled = false; });
      });
    }).catch(function (err) {
      say("No se pudo abrir el diagrama: " + err, "bad");
    });
  });
})();
