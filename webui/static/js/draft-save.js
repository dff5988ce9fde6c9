/* Shared by the editors that save into a process's draft (modeler, forms, decision tables):
   what a save names (the version and draft revision the editor started from), the revision to
   name next, and a stale save's refusal as both changes side by side (#conflicto). */
(function () {
  "use strict";

  function conflict(body) {
    var box = document.getElementById("conflicto");
    var found = body && body.conflict;
    box.hidden = !found;
    if (!found) return;
    document.getElementById("conflicto-mensaje").textContent = body.error;
    document.getElementById("conflicto-autor").textContent = found.by;
    [["conflicto-de-ellos", found.theirs], ["conflicto-suyo", found.yours]].forEach(function (pair) {
      var list = document.getElementById(pair[0]);
      list.innerHTML = "";
      (pair[1].length ? pair[1] : ["(sin cambios)"]).forEach(function (line) {
        var li = document.createElement("li");
        li.textContent = line;
        list.appendChild(li);
      });
    });
    box.focus();
  }

  window.SecopDraft = {
    conflict: conflict,
    base: function (root) {
      return { base_version: Number(root.getAttribute("data-base-version")),
               base_revision: Number(root.getAttribute("data-base-revision")) };
    },
    /* After a save's answer ({status, body}): the conflict box, and the next revision. */
    answered: function (root, answer) {
      conflict(answer.status === 409 ? answer.body : null);
      if (answer.status === 200 && answer.body.revision) {
        root.setAttribute("data-base-revision", String(answer.body.revision));
      }
    }
  };
})();
