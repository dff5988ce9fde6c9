/* bpmn-js diagrams: load a BPMN file into a container and mark the checker's problems.
   Shared by the instance, heatmap and modeler pages through window.SecopDiagram. */
(function () {
  "use strict";

  function xmlOf(container) {
    var sourceId = container.getAttribute("data-xml-source");
    if (sourceId) {
      return Promise.resolve(document.getElementById(sourceId).value);
    }
    return fetch(container.getAttribute("data-xml-url"), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("No se pudo cargar el diagrama (" + r.status + ").");
      return r.text();
    });
  }

  function status(container, text) {
    var el = container.nextElementSibling;
    if (el && el.classList.contains("diagram-status")) el.textContent = text;
  }

  /* Size the container to the diagram's proportions (within limits), then fit the drawing. */
  function fitHeight(container, diagram) {
    var canvas = diagram.get("canvas");
    var inner = canvas.viewbox().inner;
    if (inner.width > 0 && !container.hasAttribute("data-fixed-height")) {
      var wanted = container.clientWidth * (inner.height / inner.width) + 48;
      container.style.height = Math.round(Math.min(640, Math.max(224, wanted))) + "px";
      canvas.resized();
    }
    canvas.zoom("fit-viewport", "auto");
  }

  /* Load the container's diagram; resolves to the bpmn-js instance (viewer or modeler). */
  function load(container) {
    // The modeler page loads the spiffworkflow: descriptor, so its extensions are typed.
    var extensions = window.SecopSpiffModdle ? { spiffworkflow: window.SecopSpiffModdle } : {};
    var diagram = new window.BpmnJS({ container: container, moddleExtensions: extensions });
    return xmlOf(container).then(function (xml) {
      return diagram.importXML(xml);
    }).then(function () {
      fitHeight(container, diagram);
      return diagram;
    }).catch(function (err) {
      status(container, "No se pudo mostrar el diagrama: " + (err && err.message ? err.message : err));
      throw err;
    });
  }

  function data(container, name) {
    var raw = container.getAttribute(name);
    return raw ? JSON.parse(raw) : null;
  }

  /* Problems of the checker: a red badge and a dashed outline on each element id found. */
  function markProblems(diagram, problems) {
    var registry = diagram.get("elementRegistry");
    var overlays = diagram.get("overlays");
    var canvas = diagram.get("canvas");
    overlays.remove({ type: "problem" });
    registry.forEach(function (el) { canvas.removeMarker(el, "has-problem"); });
    var counts = {};
    (problems || []).forEach(function (p) {
      if (p.element_id && registry.get(p.element_id)) counts[p.element_id] = (counts[p.element_id] || 0) + 1;
    });
    Object.keys(counts).forEach(function (id) {
      canvas.addMarker(id, "has-problem");
      var badge = document.createElement("span");
      badge.className = "problem-badge";
      badge.textContent = counts[id] === 1 ? "1 problema" : counts[id] + " problemas";
      badge.title = (problems || []).filter(function (p) { return p.element_id === id; })
        .map(function (p) { return p.message; }).join("\n");
      overlays.add(id, "problem", { position: { top: -22, left: 0 }, html: badge });
    });
    return Object.keys(counts);
  }

  window.SecopDiagram = { load: load, data: data, markProblems: markProblems, status: status };

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-diagram="viewer"]').forEach(function (container) {
      load(container).then(function (viewer) {
        markProblems(viewer, data(container, "data-problems"));
        container.bpmn = viewer;
        container.setAttribute("data-ready", "true");
      }).catch(function () {});
    });
  });
})();
