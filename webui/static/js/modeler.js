/* The bpmn-js modeler page: edit, then "Guardar y desplegar" posts the XML; the checker's
   problems come back as a list and as marks on the diagram. */
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
      container.setAttribute("data-ready", "true");
      button.disabled = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        say("Verificando…");
        modeler.saveXML({ format: true }).then(function (result) {
          return fetch(container.getAttribute("data-save-url"), {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": container.getAttribute("data-csrf") },
            body: JSON.stringify({ xml: result.xml })
          });
        }).then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        }).then(function (answer) {
          var problems = answer.body.problems || [];
          problemsList(problems);
          window.SecopDiagram.markProblems(modeler, problems);
          if (answer.status === 200) {
            say(answer.body.message, "ok");
          } else {
            say(answer.body.error || "No se desplegó: corrija los problemas marcados.", "bad");
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
