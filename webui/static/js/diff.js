/* The draft's deploy page: the live diagram and the draft side by side, coloured by
   bpmn-js-differ (vendor/bpmn-js-differ): on the draft, green what is new and orange what
   changed (blue: only moved); on the live one, red what goes and orange what changed. Without
   the differ the server's element changes (data-marks) colour them the same way. */
(function () {
  "use strict";

  function mark(viewer, marks) {
    var registry = viewer.get("elementRegistry");
    var canvas = viewer.get("canvas");
    Object.keys(marks).forEach(function (marker) {
      marks[marker].forEach(function (id) {
        if (registry.get(id)) canvas.addMarker(id, marker);
      });
    });
  }

  function fromDiffer(result) {
    var changed = Object.keys(result._changed);
    var moved = Object.keys(result._layoutChanged).filter(function (id) { return changed.indexOf(id) < 0; });
    return {
      live: { "diff-removed": Object.keys(result._removed), "diff-changed": changed },
      draft: { "diff-added": Object.keys(result._added), "diff-changed": changed, "diff-layout": moved }
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var live = document.getElementById("diff-vigente");
    var draft = document.getElementById("diff-borrador");
    if (!live || !draft) return;
    Promise.all([window.SecopDiagram.load(live), window.SecopDiagram.load(draft)]).then(function (viewers) {
      var marks;
      if (window.BpmnJSDiffer) {
        marks = fromDiffer(window.BpmnJSDiffer.diff(viewers[0].getDefinitions(), viewers[1].getDefinitions()));
        live.setAttribute("data-differ", "bpmn-js-differ");
        draft.setAttribute("data-differ", "bpmn-js-differ");
      } else {
        marks = { live: window.SecopDiagram.data(live, "data-marks"), draft: window.SecopDiagram.data(draft, "data-marks") };
      }
      mark(viewers[0], marks.live || {});
      mark(viewers[1], marks.draft || {});
      // Where a failing scenario's path left the expected one.
      mark(viewers[1], { "has-problem": window.SecopDiagram.data(draft, "data-scenario-marks") || [] });
      [live, draft].forEach(function (container, i) {
        container.bpmn = viewers[i];
        container.setAttribute("data-ready", "true");
      });
    }).catch(function () {});
  });
})();
