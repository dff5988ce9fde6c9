/* The form editor: a field editor for the common cases over the raw JSON Schema and UI
   schema, a preview drawn by the server with the inbox's renderer, and "Probar", which sends
   the preview's values to the server's validator. Nothing here validates: the server does. */
(function () {
  "use strict";

  var PENDING = "secop-formularios:"; // + process id: new forms waiting for the modeler's save

  function $(id) { return document.getElementById(id); }

  function post(url, csrf, body) { return window.SecopPostJSON(url, csrf, body); }

  function kindOf(prop) {
    if (prop.format === "date") return "date";
    if (prop.format === "document") return "file";
    if (prop.oneOf || prop.anyOf || prop["enum"] || prop["x-options"]) return "choice";
    if (prop.type === "boolean") return "boolean";
    if (prop.type === "integer" || prop.type === "number") return "number";
    return "text";
  }
  var KIND_NAMES = { text: "texto", choice: "opción", date: "fecha", file: "archivo", number: "número", boolean: "sí/no" };

  /* Every field: root properties, then those defined only inside an "if/then" block. */
  function fieldsOf(schema) {
    var root = schema.properties || {};
    var required = schema.required || [];
    var list = Object.keys(root).map(function (name) {
      return { name: name, prop: root[name], required: required.indexOf(name) >= 0, condition: null };
    });
    (schema.allOf || []).forEach(function (block) {
      var props = (block["if"] || {}).properties || {};
      var control = Object.keys(props)[0];
      if (!control || !("const" in props[control]) || !block.then) return;
      var then = block.then;
      Object.keys(then.properties || {}).forEach(function (name) {
        if (root[name]) return;
        list.push({ name: name, prop: then.properties[name], required: (then.required || []).indexOf(name) >= 0,
                    condition: { field: control, value: props[control]["const"] } });
      });
    });
    return list;
  }

  function removeField(schema, ui, name) {
    if (schema.properties) delete schema.properties[name];
    if (schema.required) schema.required = schema.required.filter(function (n) { return n !== name; });
    if (schema.allOf) {
      schema.allOf.forEach(function (block) {
        if (!block.then) return;
        if (block.then.properties) delete block.then.properties[name];
        if (block.then.required) block.then.required = block.then.required.filter(function (n) { return n !== name; });
      });
      schema.allOf = schema.allOf.filter(function (block) {
        return !block.then || Object.keys(block.then.properties || {}).length || (block.then.required || []).length;
      });
      if (!schema.allOf.length) delete schema.allOf;
    }
    if (ui["ui:order"]) ui["ui:order"] = ui["ui:order"].filter(function (n) { return n !== name; });
    if (schema.required && !schema.required.length) delete schema.required;
  }

  function typedValue(schema, field, raw) {
    var control = fieldsOf(schema).filter(function (f) { return f.name === field; })[0];
    var type = control ? control.prop.type : "string";
    if (type === "boolean") return /^(true|s[ií]|1)$/i.test(raw.trim());
    if (type === "integer" || type === "number") return Number(raw);
    return raw;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = $("editor-formulario");
    if (!root) return;
    var csrf = root.getAttribute("data-csrf");
    var isNew = root.getAttribute("data-new") === "true";
    var schemaBox = $("json-schema"), uiBox = $("json-uischema"), preview = $("vista-previa");
    var problemsBox = $("problemas-formulario"), result = $("resultado-prueba"), status = $("estado-formulario");
    var editing = null, timer = null, lastProblems = [];

    function state() {
      var out = { problems: [] };
      try { out.schema = JSON.parse(schemaBox.value); } catch (e) { out.problems.push("JSON Schema: JSON no válido: " + e.message); }
      try { out.ui = JSON.parse(uiBox.value); } catch (e) { out.problems.push("UI schema: JSON no válido: " + e.message); }
      return out;
    }
    function write(schema, ui) {
      schemaBox.value = JSON.stringify(schema, null, 2);
      uiBox.value = JSON.stringify(ui, null, 2);
      changed();
    }
    function showProblems(problems) {
      lastProblems = problems;
      problemsBox.innerHTML = "";
      problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; problemsBox.appendChild(li); });
    }
    function formName() { return $("nombre-formulario").value.trim() || "formulario"; }

    function draw(values) {
      var s = state();
      if (s.problems.length) { showProblems(s.problems); return Promise.resolve(null); }
      var body = { name: formName(), schema: s.schema, uischema: s.ui };
      if (values) body.values = values;
      return post(root.getAttribute("data-preview-url"), csrf, body).then(function (answer) {
        if (answer.status !== 200) { showProblems([answer.body.error || "No se pudo dibujar el formulario."]); return null; }
        showProblems(answer.body.problems || []);
        preview.innerHTML = answer.body.html;
        var form = preview.querySelector("form");
        if (form) {
          form.setAttribute("aria-label", "Vista previa del formulario");
          window.SecopForms.wire(preview);
          form.addEventListener("submit", function (ev) { ev.preventDefault(); tryValues(); });
        }
        return answer.body;
      });
    }

    function tryValues() {
      var form = preview.querySelector("form");
      if (!form) return;
      var values = [];
      new FormData(form).forEach(function (value, key) {
        if (key !== "csrf_token" && typeof value === "string") values.push([key, value]);
      });
      result.textContent = "Probando…";
      draw(values).then(function (body) {
        if (!body) { result.textContent = ""; return; }
        var count = Object.keys(body.errors || {}).length;
        result.className = count ? "bad" : "ok";
        result.textContent = count
          ? "El servidor rechazó los datos de prueba: " + count + (count === 1 ? " campo con error." : " campos con error.")
          : "El servidor aceptó los datos de prueba; guardaría: " + JSON.stringify(body.data);
      });
    }

    function renderList() {
      var s = state(), list = $("lista-campos"), pick = $("editor-si");
      if (s.problems.length) return;
      list.innerHTML = "";
      var chosen = pick.value;
      pick.innerHTML = '<option value="">(siempre visible)</option>';
      fieldsOf(s.schema).forEach(function (f) {
        var li = document.createElement("li");
        var text = document.createElement("span");
        text.textContent = (f.prop.title || f.name) + " (" + f.name + ") · " + KIND_NAMES[kindOf(f.prop)] +
          (f.required ? " · obligatorio" : "") +
          (f.condition ? " · visible si " + f.condition.field + " = " + JSON.stringify(f.condition.value) : "");
        li.appendChild(text);
        [["Editar", function () { load(f); }], ["Quitar", function () {
          var t = state(); removeField(t.schema, t.ui, f.name); write(t.schema, t.ui);
        }]].forEach(function (pair) {
          var b = document.createElement("button");
          b.type = "button"; b.className = "secondary small"; b.textContent = pair[0];
          b.setAttribute("aria-label", pair[0] + " " + (f.prop.title || f.name));
          b.addEventListener("click", pair[1]);
          li.appendChild(b);
        });
        list.appendChild(li);
        var o = document.createElement("option"); o.value = f.name; o.textContent = f.prop.title || f.name;
        pick.appendChild(o);
      });
      pick.value = chosen;
    }

    function showKind() {
      var kind = $("editor-tipo").value;
      root.querySelectorAll("[data-for]").forEach(function (el) { el.hidden = el.getAttribute("data-for") !== kind; });
    }

    function clearEditor() {
      editing = null;
      ["editor-nombre", "editor-etiqueta", "editor-patron", "editor-ayuda", "editor-opciones", "editor-si-valor"].forEach(function (id) { $(id).value = ""; });
      $("editor-tipo").value = "text"; $("editor-obligatorio").checked = false; $("editor-fuente").value = ""; $("editor-si").value = "";
      $("titulo-editor-campo").textContent = "Agregar un campo"; $("aplicar-campo").textContent = "Agregar el campo";
      showKind();
    }

    function load(f) {
      editing = f.name;
      var p = f.prop;
      $("editor-nombre").value = f.name; $("editor-etiqueta").value = p.title || "";
      $("editor-tipo").value = kindOf(p); $("editor-obligatorio").checked = f.required;
      $("editor-patron").value = p.pattern || ""; $("editor-ayuda").value = p.description || "";
      $("editor-opciones").value = (p.oneOf || p.anyOf || []).map(function (o) { return o["const"] + "=" + (o.title || o["const"]); }).join("\n");
      $("editor-fuente").value = p["x-options"] || "";
      $("editor-si").value = f.condition ? f.condition.field : "";
      $("editor-si-valor").value = f.condition ? String(f.condition.value) : "";
      $("titulo-editor-campo").textContent = "Editar el campo " + f.name; $("aplicar-campo").textContent = "Aplicar los cambios";
      showKind();
      $("editor-nombre").focus();
    }

    function apply() {
      var s = state();
      if (s.problems.length) { showProblems(s.problems); return; }
      var name = $("editor-nombre").value.trim();
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) { showProblems(["El nombre del campo: minúsculas, números y «_», sin espacios."]); $("editor-nombre").focus(); return; }
      var kind = $("editor-tipo").value;
      var old = fieldsOf(s.schema).filter(function (f) { return f.name === (editing || name); })[0];
      var prop = old && kindOf(old.prop) === kind ? old.prop : {};
      prop.title = $("editor-etiqueta").value.trim() || name;
      ["format", "oneOf", "x-options", "pattern"].forEach(function (k) { delete prop[k]; });
      prop.type = { number: "number", boolean: "boolean" }[kind] || "string";
      if (kind === "date") prop.format = "date";
      if (kind === "file") prop.format = "document";
      if (kind === "text" && $("editor-patron").value.trim()) prop.pattern = $("editor-patron").value.trim();
      if (kind === "choice") {
        if ($("editor-fuente").value) prop["x-options"] = $("editor-fuente").value;
        else prop.oneOf = $("editor-opciones").value.split("\n").map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
          var at = l.indexOf("="); return at < 0 ? { "const": l, title: l } : { "const": l.slice(0, at).trim(), title: l.slice(at + 1).trim() };
        });
      }
      if ($("editor-ayuda").value.trim()) prop.description = $("editor-ayuda").value.trim(); else delete prop.description;
      var required = $("editor-obligatorio").checked;
      removeField(s.schema, s.ui, editing || name);
      var control = $("editor-si").value;
      if (control && control !== name) {
        var value = typedValue(s.schema, control, $("editor-si-valor").value);
        s.schema.allOf = s.schema.allOf || [];
        var block = s.schema.allOf.filter(function (b) {
          var p = ((b["if"] || {}).properties || {})[control];
          return p && p["const"] === value && b.then;
        })[0];
        if (!block) {
          var cond = {}; cond[control] = { "const": value };
          block = { "if": { properties: cond, required: [control] }, then: { properties: {} } };
          s.schema.allOf.push(block);
        }
        block.then.properties = block.then.properties || {};
        block.then.properties[name] = prop;
        if (required) block.then.required = (block.then.required || []).concat([name]);
      } else {
        s.schema.properties = s.schema.properties || {};
        s.schema.properties[name] = prop;
        if (required) s.schema.required = (s.schema.required || []).concat([name]);
      }
      if (s.ui["ui:order"] && s.ui["ui:order"].indexOf("*") < 0) s.ui["ui:order"].push(name);
      write(s.schema, s.ui);
      clearEditor();
      status.textContent = "Campo «" + name + "» aplicado.";
    }

    function changed() {
      renderList();
      clearTimeout(timer);
      timer = setTimeout(function () { draw(null); }, 300);
    }

    function save() {
      var s = state();
      var name = $("nombre-formulario").value.trim();
      if (s.problems.length || lastProblems.length) { showProblems(s.problems.length ? s.problems : lastProblems); status.textContent = "Corrija los problemas antes de guardar."; return; }
      if (!/^[a-z][a-z0-9_]*$/.test(name)) { status.textContent = "Escriba el nombre del formulario: minúsculas, números y «_»."; $("nombre-formulario").focus(); return; }
      if (isNew) {
        var key = PENDING + root.getAttribute("data-process");
        var pending = JSON.parse(localStorage.getItem(key) || "{}");
        pending[name] = { schema: s.schema, uischema: s.ui };
        localStorage.setItem(key, JSON.stringify(pending));
        status.className = "modeler-status ok";
        status.textContent = "Guardado en este navegador. Elija «" + name + "» en el panel de propiedades del modelador; se despliega con el diagrama.";
        return;
      }
      status.textContent = "Verificando…";
      var body = Object.assign({ name: name, schema: s.schema, uischema: s.ui }, window.SecopDraft.base(root));
      post(root.getAttribute("data-save-url"), csrf, body).then(function (answer) {
        var b = answer.body;
        window.SecopDraft.answered(root, answer);
        var problems = (b.problems || []).map(function (p) { return p.text; });
        status.className = "modeler-status " + (b.ok && !problems.length ? "ok" : "bad");
        status.textContent = b.ok ? [b.message].concat(problems).join(" ") : ((b.refused || []).join(" ") || b.error);
      });
    }

    schemaBox.addEventListener("input", changed);
    uiBox.addEventListener("input", changed);
    $("editor-tipo").addEventListener("change", showKind);
    $("aplicar-campo").addEventListener("click", apply);
    $("nuevo-campo").addEventListener("click", clearEditor);
    $("probar-formulario").addEventListener("click", tryValues);
    $("guardar-formulario").addEventListener("click", save);
    clearEditor();
    renderList();
    draw(null).then(function () { root.setAttribute("data-ready", "true"); });
  });
})();
