/* Heatmap page: per element, a warmer fill for more instances and a label
   "N inst. · mediana"; the table below the diagram holds the same numbers. */
(function () {
  "use strict";

  function duration(seconds) {
    if (seconds < 60) return Math.round(seconds) + " s";
    if (seconds < 3600) return Math.round(seconds / 60) + " min";
    if (seconds < 86400) return (seconds / 3600).toFixed(1).replace(".", ",") + " h";
    return (seconds / 86400).toFixed(1).replace(".", ",") + " días";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.querySelector('[data-diagram="heatmap"]');
    if (!container) return;
    var heat = window.SecopDiagram.data(container, "data-heat") || {};
    window.SecopDiagram.load(container).then(function (viewer) {
      var canvas = viewer.get("canvas");
      var overlays = viewer.get("overlays");
      var registry = viewer.get("elementRegistry");
      var max = 0;
      Object.keys(heat).forEach(function (id) { max = Math.max(max, heat[id].count); });
      Object.keys(heat).forEach(function (id) {
        var element = registry.get(id);
        if (!element || element.waypoints) return;
        var level = max ? Math.min(4, Math.floor((heat[id].count / max) * 4.999)) : 0;
        canvas.addMarker(id, "heat-" + level);
        var badge = document.createElement("span");
        badge.className = "heat-badge";
        badge.textContent = heat[id].count + " inst. · " + duration(heat[id].median);
        badge.title = heat[id].count + " instancias; mediana " + duration(heat[id].median);
        overlays.add(id, "heat", { position: { top: -20, left: 0 }, html: badge });
      });
      container.bpmn = viewer;
      container.setAttribute("data-ready", "true");
    }).catch(function () {});
  });
})();
