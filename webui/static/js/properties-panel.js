/* The modeler's properties panel for what the engine reads: a user task's form and
   instructions, a lane's role, a service task's function and parameters, scripts,
   conditions, timers and messages. Edits go into the diagram (spiffworkflow: extensions,
   typed by spiffworkflow-moddle.js); after each one the whole bundle is sent to the engine's
   checker, whose problems mark the elements and show under the panel. Parameter names are
   also compared with the function's signature at once, before the server answers. */
(function () {
  "use strict";

  var SPIFF = "spiffworkflow:";
  var LANE_KINDS = [["owner", "La persona dueña del trámite"], ["account", "Un rol en la cuenta de la Entidad"],
                    ["platform", "Un rol de la plataforma"]];
  var TIMER_KINDS = [["timeDuration", "Duración (ISO 8601, p. ej. \"P3D\")"], ["timeDate", "Fecha (ISO 8601)"],
                     ["timeCycle", "Ciclo (ISO 8601, p. ej. \"R3/PT1H\")"]];
  var ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
  var ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/;
  var ISO_CYCLE = /^R\d*\/.+$/;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  var counter = 0;
  function control(parent, label, input, help) {
    var id = "prop-" + (++counter);
    var wrap = el("div", { "class": "field" });
    var lab = el("label", { "for": id }, label);
    input.id = id;
    wrap.appendChild(lab);
    wrap.appendChild(input);
    if (help) {
      var h = el("p", { "class": "help", id: id + "-ayuda" }, help);
      input.setAttribute("aria-describedby", h.id);
      wrap.appendChild(h);
    }
    parent.appendChild(wrap);
    return input;
  }

  function select(options, value) {
    var s = el("select");
    options.forEach(function (o) {
      var opt = el("option", { value: o[0] }, o[1]);
      if (o[0] === value) opt.selected = true;
      s.appendChild(opt);
    });
    if (value && !options.some(function (o) { return o[0] === value; })) {
      var extra = el("option", { value: value }, value + " (no registrado)");
      extra.selected = true;
      s.appendChild(extra);
    }
    return s;
  }

  function text(value, multiline) {
    var t = el(multiline ? "textarea" : "input", multiline ? { rows: "3", spellcheck: "false" } : { type: "text" });
    t.value = value || "";
    return t;
  }

  /* Literal ISO 8601 text inside quotes is checked here; anything else is an expression the
     engine evaluates (a variable such as activation_link_ttl), checked by the server. */
  function timerProblem(kind, value) {
    var m = /^\s*["'](.*)["']\s*$/.exec(value || "");
    if (!m) return "";
    var pattern = kind === "timeDuration" ? ISO_DURATION : kind === "timeDate" ? ISO_DATE : ISO_CYCLE;
    return pattern.test(m[1]) ? "" : "«" + m[1] + "» no es un valor ISO 8601 válido para este temporizador.";
  }

  function parameterProblems(signature, names) {
    if (!signature) return [];
    var known = signature.map(function (p) { return p.name; });
    var problems = names.filter(function (n) { return n && known.indexOf(n) < 0; }).map(function (n) {
      return "parámetro desconocido '" + n + "' (la función recibe: " + (known.join(", ") || "ninguno") + ")";
    });
    signature.forEach(function (p) {
      if (p.required && names.indexOf(p.name) < 0) problems.push("falta el parámetro obligatorio '" + p.name + "'");
    });
    return problems;
  }

  function attach(modeler, options) {
    var panel = options.panel, body = options.body;
    var moddle = modeler.get("moddle"), modeling = modeler.get("modeling");
    var original = JSON.stringify(options.lanes || {});
    var lanes = JSON.parse(original);
    var lanesChanged = false, problems = [], selected = null, timer = null, checks = 0;

    function ext(bo, type, create) {
      var list = bo.extensionElements;
      var found = list && (list.values || []).filter(function (v) { return v.$type === SPIFF + type; })[0];
      if (found || !create) return found;
      if (!list) {
        list = moddle.create("bpmn:ExtensionElements", { values: [] });
        list.$parent = bo;
        bo.extensionElements = list;
      }
      found = moddle.create(SPIFF + type);
      found.$parent = list;
      list.values = (list.values || []).concat([found]);
      return found;
    }

    function dropExt(bo, type) {
      var list = bo.extensionElements;
      if (!list) return;
      list.values = (list.values || []).filter(function (v) { return v.$type !== SPIFF + type; });
    }

    /* A change made on the business object: tell bpmn-js (undo, re-render, the check). */
    function touched(element) {
      modeling.updateProperties(element, { extensionElements: element.businessObject.extensionElements });
    }

    function property(bo, name) {
      var props = ext(bo, "Properties");
      var p = props && (props.properties || []).filter(function (x) { return x.name === name; })[0];
      return p ? p.value : "";
    }

    function setProperty(bo, name, value) {
      var props = ext(bo, "Properties", true);
      var list = (props.properties || []).filter(function (x) { return x.name !== name; });
      if (value) {
        var p = moddle.create(SPIFF + "Property", { name: name, value: value });
        p.$parent = props;
        list.push(p);
      }
      props.properties = list;
      if (!list.length) dropExt(bo, "Properties");
    }

    function section(title) {
      var s = el("section", { "class": "prop-section" });
      s.appendChild(el("h3", {}, title));
      body.appendChild(s);
      return s;
    }

    function inlineProblems(parent, id, list) {
      var ul = el("ul", { "class": "problems-inline", id: id, "aria-live": "polite" });
      list.forEach(function (m) { ul.appendChild(el("li", {}, m)); });
      parent.appendChild(ul);
      return ul;
    }

    function userTask(element) {
      var bo = element.businessObject, s = section("Tarea de usuario");
      var current = (property(bo, "formJsonSchemaFilename") || "").replace(/-schema\.json$/, "");
      var pending = Object.keys(window.SecopPendingForms ? window.SecopPendingForms(options.container) : {});
      var names = options.forms.concat(pending.filter(function (n) { return options.forms.indexOf(n) < 0; }));
      var choices = [["", "(sin formulario: solo «Continuar»)"]].concat(names.map(function (n) {
        return [n, pending.indexOf(n) >= 0 && options.forms.indexOf(n) < 0 ? n + " (nuevo, de este navegador)" : n];
      }));
      var form = control(s, "Formulario", select(choices, current),
                         "Los formularios del paquete y los nuevos del editor de formularios.");
      form.addEventListener("change", function () {
        setProperty(bo, "formJsonSchemaFilename", form.value ? form.value + "-schema.json" : "");
        setProperty(bo, "formUiSchemaFilename", form.value ? form.value + "-uischema.json" : "");
        touched(element);
      });
      var instructions = ext(bo, "InstructionsForEndUser");
      var box = control(s, "Instrucciones para la persona", text(instructions && instructions.value, true),
                        "Markdown; {{ variable }} muestra un dato del trámite.");
      box.addEventListener("change", function () {
        if (box.value.trim()) ext(bo, "InstructionsForEndUser", true).value = box.value;
        else dropExt(bo, "InstructionsForEndUser");
        touched(element);
      });
      propertyField(element, bo, s, "doneMessage", "Mensaje al completar la tarea (doneMessage)",
                    "Texto con {{ variable }}; vacío: el mensaje general.");
    }

    /* A property of the spiffworkflow:properties list as a text field (empty: removed). */
    function propertyField(element, bo, parent, name, label, help, multiline) {
      var box = control(parent, label, text(property(bo, name), multiline), help);
      box.addEventListener("change", function () { setProperty(bo, name, box.value.trim()); touched(element); });
      return box;
    }

    /* The procedure's metadata (docs/diagrams.md): who starts it and what people are told. */
    function procedure(element) {
      var bo = element.businessObject.processRef || element.businessObject;
      var s = section("Procedimiento: " + (bo.name || bo.id));
      propertyField(element, bo, s, "startableBy", "Quién lo inicia (startableBy)",
                    "anonymous, logged_in, account:<rol> o platform:<rol>; vacío: solo lo llaman otros procesos.");
      propertyField(element, bo, s, "startLabel", "Texto del botón de inicio (startLabel)");
      propertyField(element, bo, s, "startDescription", "Descripción en la página de inicio (startDescription)", "", true);
      propertyField(element, bo, s, "endMessage", "Mensaje al terminar el trámite (endMessage)");
    }

    function lane(element) {
      var bo = element.businessObject, s = section("Carril y su rol (lanes.json)");
      var name = bo.name || "";
      var rule = lanes[name] || {};
      var kind = control(s, "Quién trabaja las tareas del carril", select(LANE_KINDS, rule.kind || ""));
      var role = control(s, "Rol", text(rule.role), "Cuenta: p. ej. «Administrador»; plataforma: p. ej. «mesa_servicio».");
      var variable = control(s, "Variable con la cuenta", text(rule.account_variable), "Solo para un rol en la cuenta (p. ej. account_id).");
      function store() {
        var r = { kind: kind.value };
        if (kind.value !== "owner" && role.value.trim()) r.role = role.value.trim();
        if (kind.value === "account" && variable.value.trim()) r.account_variable = variable.value.trim();
        lanes[bo.name || name] = r;
        lanesChanged = true;
        schedule();
      }
      [kind, role, variable].forEach(function (c) { c.addEventListener("change", store); });
    }

    function serviceTask(element) {
      var bo = element.businessObject, s = section("Tarea de servicio");
      var op = ext(bo, "ServiceTaskOperator");
      var names = Object.keys(options.catalog.services || {});
      var fn = control(s, "Función", select([["", "(elija una función registrada)"]].concat(names.map(function (n) { return [n, n]; })), op ? op.id : ""));
      var result = control(s, "Variable del resultado", text(op && op.resultVariable));
      var list = el("div", { "class": "param-list" });
      s.appendChild(el("h4", {}, "Parámetros (nombre → expresión)"));
      s.appendChild(list);
      var add = el("button", { type: "button", "class": "secondary small" }, "Agregar parámetro");
      s.appendChild(add);
      var signatureBox = el("p", { "class": "help", id: "firma-funcion" });
      s.appendChild(signatureBox);
      var problemsBox = inlineProblems(s, "problemas-parametros", []);

      function operator() {
        var o = ext(bo, "ServiceTaskOperator", true);
        if (!o.parameterList) { o.parameterList = moddle.create(SPIFF + "Parameters", { parameters: [] }); o.parameterList.$parent = o; }
        return o;
      }
      function params() { var o = ext(bo, "ServiceTaskOperator"); return o && o.parameterList ? o.parameterList.parameters || [] : []; }
      function check() {
        var sig = (options.catalog.services || {})[fn.value];
        signatureBox.textContent = sig ? "La función recibe: " + (sig.map(function (p) { return p.name + (p.required ? "" : " (opcional)"); }).join(", ") || "ningún parámetro") : "";
        var found = parameterProblems(sig, params().map(function (p) { return p.id; }));
        problemsBox.innerHTML = "";
        found.forEach(function (m) { problemsBox.appendChild(el("li", {}, m)); });
        list.querySelectorAll("input[data-param-name]").forEach(function (input) {
          var bad = sig && input.value && !sig.some(function (p) { return p.name === input.value; });
          input.setAttribute("aria-invalid", bad ? "true" : "false");
        });
      }
      function row(p) {
        var r = el("div", { "class": "param-row" });
        var n = text(p.id); n.setAttribute("data-param-name", "true");
        var v = text(p.value);
        control(r, "Nombre del parámetro", n);
        control(r, "Expresión del valor", v);
        var remove = el("button", { type: "button", "class": "secondary small" }, "Quitar");
        remove.setAttribute("aria-label", "Quitar el parámetro " + (p.id || ""));
        r.appendChild(remove);
        n.addEventListener("input", function () {
          p.id = n.value.trim();
          remove.setAttribute("aria-label", "Quitar el parámetro " + p.id);
          check();
        });
        n.addEventListener("change", function () { touched(element); });
        v.addEventListener("change", function () { p.value = v.value; touched(element); });
        remove.addEventListener("click", function () {
          var o = operator();
          o.parameterList.parameters = o.parameterList.parameters.filter(function (x) { return x !== p; });
          list.removeChild(r); check(); touched(element);
        });
        list.appendChild(r);
        return n;
      }
      params().forEach(row);
      add.addEventListener("click", function () {
        var o = operator();
        var p = moddle.create(SPIFF + "Parameter", { id: "", type: "any", value: "" });
        p.$parent = o.parameterList;
        o.parameterList.parameters = (o.parameterList.parameters || []).concat([p]);
        row(p).focus();
        check();
      });
      fn.addEventListener("change", function () { operator().id = fn.value; check(); touched(element); });
      result.addEventListener("change", function () { operator().resultVariable = result.value.trim() || undefined; touched(element); });
      check();
    }

    function scriptTask(element) {
      var s = section("Tarea de script");
      var box = control(s, "Script (Python del subconjunto permitido)", text(element.businessObject.script, true));
      box.addEventListener("change", function () { modeling.updateProperties(element, { script: box.value }); });
    }

    function condition(element) {
      var bo = element.businessObject, s = section("Flujo con condición");
      var expr = bo.conditionExpression;
      var box = control(s, "Condición (expresión Python)", text(expr && expr.body), "Vacía: el flujo no tiene condición.");
      box.addEventListener("change", function () {
        var value = box.value.trim();
        modeling.updateProperties(element, {
          conditionExpression: value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined
        });
      });
    }

    function timerEvent(element, definition) {
      var s = section("Temporizador");
      var kind = TIMER_KINDS.filter(function (k) { return definition[k[0]]; }).map(function (k) { return k[0]; })[0] || "timeDuration";
      var which = control(s, "Tipo", select(TIMER_KINDS, kind));
      var value = control(s, "Valor (expresión)", text(definition[kind] && definition[kind].body),
                          "Un texto ISO 8601 entre comillas, o una variable del trámite.");
      var problemsBox = inlineProblems(s, "problemas-temporizador", []);
      function check() {
        problemsBox.innerHTML = "";
        var m = timerProblem(which.value, value.value);
        if (m) problemsBox.appendChild(el("li", {}, m));
        value.setAttribute("aria-invalid", m ? "true" : "false");
      }
      function store() {
        var props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
        if (value.value.trim()) props[which.value] = moddle.create("bpmn:FormalExpression", { body: value.value.trim() });
        modeling.updateModdleProperties(element, definition, props);
      }
      value.addEventListener("input", check);
      [which, value].forEach(function (c) { c.addEventListener("change", store); });
      check();
    }

    function messageEvent(element, holder) {
      var s = section("Mensaje");
      var definitions = modeler.getDefinitions();
      var messages = (definitions.rootElements || []).filter(function (r) { return r.$type === "bpmn:Message"; });
      var current = holder.messageRef ? holder.messageRef.id : "";
      var pick = control(s, "Mensaje", select([["", "(ninguno)"]].concat(messages.map(function (m) { return [m.id, m.name || m.id]; })), current));
      pick.addEventListener("change", function () {
        var message = messages.filter(function (m) { return m.id === pick.value; })[0];
        modeling.updateModdleProperties(element, holder, { messageRef: message });
      });
      var owner = holder.$type === "bpmn:MessageEventDefinition" ? holder : element.businessObject;
      var variable = ext(owner, "MessageVariable");
      var box = control(s, "Variable donde queda el mensaje", text(variable && variable.value));
      box.addEventListener("change", function () {
        if (box.value.trim()) ext(owner, "MessageVariable", true).value = box.value.trim(); else dropExt(owner, "MessageVariable");
        touched(element);
      });
      var corr = ext(owner, "ProcessVariableCorrelation");
      if (corr) {
        s.appendChild(el("p", { "class": "help" }, "Correlación: la propiedad «" + (corr.propertyId && corr.propertyId.value) +
          "» debe ser igual a «" + (corr.expression && corr.expression.value) + "»."));
      }
    }

    function general(element) {
      var bo = element.businessObject, s = section("General");
      var id = control(s, "Identificador", text(bo.id));
      id.readOnly = true;
      var name = control(s, "Nombre", text(bo.name));
      name.addEventListener("change", function () {
        var old = bo.name;
        modeling.updateLabel(element, name.value);
        if (bo.$type === "bpmn:Lane" && old && lanes[old] && !lanes[name.value]) {
          lanes[name.value] = lanes[old]; delete lanes[old]; lanesChanged = true;
        }
      });
    }

    function elementProblems() {
      if (!selected) return;
      var mine = problems.filter(function (p) { return p.element_id === selected.id; }).map(function (p) { return p.message; });
      var box = document.getElementById("problemas-elemento");
      if (!box) return;
      box.innerHTML = "";
      mine.forEach(function (m) { box.appendChild(el("li", {}, m)); });
    }

    function render(element) {
      selected = element;
      body.innerHTML = "";
      if (!element || element.type === "label") {
        body.appendChild(el("p", { "class": "help" }, "Seleccione un elemento del diagrama para ver y editar sus propiedades."));
        return;
      }
      var bo = element.businessObject, type = bo.$type;
      general(element);
      if (type === "bpmn:Participant" || type === "bpmn:Process") procedure(element);
      if (type === "bpmn:UserTask") userTask(element);
      if (type === "bpmn:Lane") lane(element);
      if (type === "bpmn:ServiceTask") serviceTask(element);
      if (type === "bpmn:ScriptTask") scriptTask(element);
      if (type === "bpmn:SequenceFlow" && /Gateway$/.test(bo.sourceRef && bo.sourceRef.$type || "")) condition(element);
      if (type === "bpmn:ReceiveTask") messageEvent(element, bo);
      (bo.eventDefinitions || []).forEach(function (d) {
        if (d.$type === "bpmn:TimerEventDefinition") timerEvent(element, d);
        if (d.$type === "bpmn:MessageEventDefinition") messageEvent(element, d);
      });
      var s = section("Problemas de este elemento (verificador del motor)");
      s.appendChild(el("ul", { "class": "problems-inline", id: "problemas-elemento", "aria-live": "polite" }));
      elementProblems();
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(verify, 700);
    }

    function verify() {
      // Checks can overlap (a slow answer, a quick next edit): only the newest one's answer
      // is drawn, so an older diagram's problems never replace the current ones.
      var mine = ++checks;
      modeler.saveXML({ format: false }).then(function (result) {
        var bundle = options.bundle(result.xml);
        return window.SecopPostJSON(options.checkUrl, options.csrf, { xml: result.xml, forms: bundle.forms, lanes: api.lanes() });
      }).then(function (answer) {
        if (mine !== checks) return;
        problems = answer.body.problems || [];
        window.SecopDiagram.markProblems(modeler, problems);
        options.onProblems(problems);
        elementProblems();
      });
    }

    var eventBus = modeler.get("eventBus");
    eventBus.on("selection.changed", function (e) { render(e.newSelection.length === 1 ? e.newSelection[0] : null); });
    eventBus.on("commandStack.changed", schedule);
    render(null);
    panel.hidden = false;

    var api = {
      // Only a real change goes with the draft: a rewritten but equal lanes.json would
      // version every process for nothing.
      lanes: function () { return lanesChanged && JSON.stringify(lanes) !== original ? lanes : null; },
      verify: verify,
      problems: function () { return problems; }
    };
    return api;
  }

  window.SecopProperties = { attach: attach };
})();
