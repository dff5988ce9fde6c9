/* The draft's deploy page: each diagram of the pair is drawn and its changed elements get
   the marker classes listed in data-marks (diff-added, diff-changed, diff-removed). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll('[data-diagram="diff"]').forEach(function (container) {
      window.SecopDiagram.load(container).then(function (viewer) {
        var marks = window.SecopDiagram.data(container, "data-marks") || {};
        var registry = viewer.get("elementRegistry");
        var canvas = viewer.get("canvas");
        Object.keys(marks).forEach(function (marker) {
          marks[marker].forEach(function (id) {
            if (registry.get(id)) canvas.addMarker(id, marker);
          });
        });
        container.bpmn = viewer;
        container.setAttribute("data-ready", "true");
      }).catch(function () {});
    });
  });
})();
