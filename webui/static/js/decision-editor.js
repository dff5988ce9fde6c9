/* The decision table editor: dmn-js edits the table; "Probar" sends the table as it is in
   the editor and sample inputs to the server, which evaluates it as a business rule task
   would and answers the rows that match and the result; "Guardar en el borrador" saves it into the process's draft. */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  function post(url, csrf, body) { return window.SecopPostJSON(url, csrf, body); }

  function list(el, items) {
    el.innerHTML = "";
    items.forEach(function (text) { var li = document.createElement("li"); li.textContent = text; el.appendChild(li); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = $("editor-decision");
    if (!root) return;
    var csrf = root.getAttribute("data-csrf"), name = root.getAttribute("data-name");
    // Per view: dmn-js replaces, not merges, "common" additionalModules with the view's own.
    var spanish = window.SecopDmnSpanish ? [window.SecopDmnSpanish] : [];
    var editor = new window.DmnJS({
      container: $("tabla-dmn"),
      decisionTable: { additionalModules: spanish },
      drd: { additionalModules: spanish }
    });
    window.secopDecisionEditor = editor; // for tests and the browser console

    function xml() { return editor.saveXML({ format: true }).then(function (r) { return r.xml; }); }

    function values() {
      var out = {};
      root.querySelectorAll("[data-variable]").forEach(function (el) {
        if (el.value !== "") out[el.getAttribute("data-variable")] = el.value;
      });
      return out;
    }

    function buildInputs(inputs) {
      var box = $("campos-entradas");
      box.innerHTML = "";
      inputs.forEach(function (input, i) {
        var wrap = document.createElement("div"); wrap.className = "field";
        var label = document.createElement("label"); label.htmlFor = "entrada-" + i;
        label.textContent = input.label + " (" + input.expression + ")";
        var field;
        if (input.type === "boolean") {
          field = document.createElement("select");
          [["", "(sin valor)"], ["true", "Sí"], ["false", "No"]].forEach(function (o) {
            var opt = document.createElement("option"); opt.value = o[0]; opt.textContent = o[1]; field.appendChild(opt);
          });
        } else {
          field = document.createElement("input"); field.type = "text";
        }
        field.id = "entrada-" + i;
        field.setAttribute("data-variable", input.expression);
        wrap.appendChild(label); wrap.appendChild(field); box.appendChild(wrap);
      });
    }

    function mark(rules) {
      root.querySelectorAll(".fila-aplica").forEach(function (el) { el.classList.remove("fila-aplica"); });
      rules.forEach(function (rule) {
        if (!rule.matched) return;
        root.querySelectorAll('[data-row-id="' + rule.id + '"]').forEach(function (el) { el.classList.add("fila-aplica"); });
      });
    }

    function trial(first) {
      return xml().then(function (text) {
        return post(root.getAttribute("data-try-url"), csrf, { name: name, xml: text, values: first ? {} : values() });
      }).then(function (answer) {
        var b = answer.body, out = $("resultado-tabla");
        list($("problemas-tabla"), b.problems || (b.error ? [b.error] : []));
        if (first) { buildInputs(b.inputs || []); return; }
        out.innerHTML = "";
        if ((b.problems || []).length || answer.status !== 200) return;
        var matched = b.rules.filter(function (r) { return r.matched; });
        var p = document.createElement("p");
        p.textContent = matched.length ? "Aplican " + matched.length + (matched.length === 1 ? " fila:" : " filas:") : "Ninguna fila aplica.";
        out.appendChild(p);
        var ul = document.createElement("ul"); ul.id = "filas-que-aplican";
        matched.forEach(function (r) { var li = document.createElement("li"); li.textContent = "Fila " + r.row + (r.description ? ": " + r.description : ""); ul.appendChild(li); });
        out.appendChild(ul);
        var res = document.createElement("p"); res.id = "resultado-salida";
        res.textContent = "Resultado: " + JSON.stringify(b.result);
        out.appendChild(res);
        mark(b.rules);
      });
    }

    fetch(root.getAttribute("data-xml-url"), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("No se pudo cargar la tabla (" + r.status + ").");
      return r.text();
    }).then(function (text) {
      return editor.importXML(text);
    }).then(function () {
      var table = editor.getViews().filter(function (v) { return v.type === "decisionTable"; })[0];
      return table ? editor.open(table) : null;
    }).then(function () {
      return trial(true);
    }).then(function () {
      root.setAttribute("data-ready", "true");
    }).catch(function (err) {
      $("estado-tabla").textContent = "No se pudo abrir la tabla: " + err;
    });

    $("entradas-prueba").addEventListener("submit", function (ev) { ev.preventDefault(); trial(false); });
    $("guardar-tabla").addEventListener("click", function () {
      var status = $("estado-tabla");
      status.textContent = "Verificando…";
      xml().then(function (text) {
        return post(root.getAttribute("data-save-url"), csrf, Object.assign({ xml: text }, window.SecopDraft.base(root)));
      }).then(function (answer) {
        var b = answer.body;
        window.SecopDraft.answered(root, answer);
        var problems = (b.problems || []).map(function (p) { return p.text; });
        status.className = "modeler-status " + (b.ok && !problems.length ? "ok" : "bad");
        status.textContent = b.ok ? [b.message].concat(problems).join(" ") : (b.error || "No se guardó el borrador.");
      });
    });
  });
})();
