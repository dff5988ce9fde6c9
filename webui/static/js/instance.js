/* Instance page: colour completed, active and failed elements; clicking an element shows its
   history (who, when, submitted data). The same history is a plain GET form without JS. */
(function () {
  "use strict";
  var STATE_NAMES = { completed: "completado", active: "activo", failed: "falló" };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function showHistory(target, id, names, events, kinds, states) {
    target.innerHTML = "";
    var title = (names[id] || id) + (states[id] ? " (" + STATE_NAMES[states[id]] + ")" : "");
    target.appendChild(el("h3", title));
    var mine = events.filter(function (e) { return e.element_id === id; });
    if (!mine.length) {
      target.appendChild(el("p", "Sin eventos registrados para este elemento."));
      return;
    }
    var list = el("ol");
    mine.forEach(function (e) {
      var item = el("li");
      item.appendChild(el("strong", kinds[e.kind] || e.kind));
      item.appendChild(document.createTextNode(" — " + e.at + " — " + e.who));
      if (e.data && Object.keys(e.data).length) {
        var pre = el("pre", JSON.stringify(e.data, null, 2), "data");
        pre.tabIndex = 0; // scrollable: reachable by keyboard
        item.appendChild(pre);
      }
      list.appendChild(item);
    });
    target.appendChild(list);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector('[data-diagram="instance"]');
    if (!container) return;
    var D = window.SecopDiagram;
    var states = D.data(container, "data-states") || {};
    var events = D.data(container, "data-events") || [];
    var names = D.data(container, "data-names") || {};
    var kinds = D.data(container, "data-kinds") || {};
    var target = document.getElementById("historial-elemento");
    var select = document.getElementById("elemento");
    D.load(container).then(function (viewer) {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      Object.keys(states).forEach(function (id) {
        var element = registry.get(id);
        // the process itself is "active" too: only drawn elements (those with a parent) are coloured
        if (element && element.parent) canvas.addMarker(id, "state-" + states[id]);
      });
      registry.forEach(function (element) {
        if (names[element.id]) canvas.addMarker(element.id, "clickable");
      });
      var selected = null;
      function choose(id) {
        if (selected && registry.get(selected)) canvas.removeMarker(selected, "selected-element");
        selected = id;
        if (registry.get(id)) canvas.addMarker(id, "selected-element");
        if (select) select.value = id;
        showHistory(target, id, names, events, kinds, states);
      }
      viewer.get("eventBus").on("element.click", function (event) {
        var id = event.element.businessObject && event.element.businessObject.id;
        if (id && names[id]) choose(id);
      });
      if (select) {
        select.addEventListener("change", function () { if (select.value) choose(select.value); });
      }
      container.bpmn = viewer;
      container.setAttribute("data-ready", "true");
    }).catch(function () {});
  });
})();
