/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function valueOf(form, name) {
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    var staged = form.querySelector('[name="' + name + '__staged"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "file") return el.value || (staged ? staged.value : "");
      if (el.type === "radio") { if (el.checked) return el.value; continue; }
      if (el.type === "checkbox") return el.checked ? "true" : "false";
      return el.value;
    }
    return "";
  }

  /* Conditional fields: hide (and disable) a field while its condition is false. */
  function applyConditions(form) {
    form.querySelectorAll("[data-conditions]").forEach(function (wrap) {
      var conds = JSON.parse(wrap.getAttribute("data-conditions"));
      var show = conds.every(function (c) {
        var value = valueOf(form, c.field);
        var found = c.present ? (value !== "" && value !== "false") : c.values.indexOf(value) !== -1;
        return c.negate ? !found : found;
      });
      wrap.hidden = !show;
      wrap.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }

  /* Dependent selects (municipality after department). */
  function wireDependent(form, select) {
    var dep = select.getAttribute("data-depends-on");
    var url = select.getAttribute("data-options-url");
    var control = form.querySelector('[name="' + dep + '"]');
    if (!control) return;
    function reload() {
      fetch(url + "?" + encodeURIComponent(dep) + "=" + encodeURIComponent(control.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (items) {
          // Read the choice when the list arrives: the person may have chosen meanwhile.
          var current = select.value;
          while (select.options.length > 1) select.remove(1);
          items.forEach(function (it) {
            var opt = new Option(it.label, it.value, false, it.value === current);
            select.add(opt);
          });
        }).catch(function () {});
    }
    control.addEventListener("change", reload);
    if (control.value) reload();
  }

  /* Autocomplete: refresh a datalist from a JSON endpoint as the user types. */
  function wireAutocomplete(input) {
    var url = input.getAttribute("data-autocomplete-url");
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, pending = null, sent = false;
    // Once the form is sent its task is done: a suggestion asked for now would only be
    // refused (the task is no longer open), so nothing more is asked and nothing waits.
    if (input.form) {
      input.form.addEventListener("submit", function () {
        sent = true;
        clearTimeout(timer);
        if (pending) pending.abort();
      });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2 || sent) return;
      timer = setTimeout(function () {
        if (pending) pending.abort();
        pending = window.AbortController ? new AbortController() : null;
        fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", signal: pending && pending.signal })
          .then(function (r) { return r.json(); })
          .then(function (items) {
            list.innerHTML = "";
            items.forEach(function (it) { var o = document.createElement("option"); o.value = it.label; list.appendChild(o); });
          }).catch(function () {});
      }, 250);
    });
  }

  /* Upload progress: send the multipart form with XHR and show a progress bar. */
  function wireUpload(form) {
    var bar = form.querySelector(".upload-progress");
    if (!bar || !window.XMLHttpRequest || !window.FormData) return;
    form.addEventListener("submit", function (ev) {
      var hasFile = Array.prototype.some.call(form.querySelectorAll('input[type="file"]'), function (i) { return i.files.length > 0; });
      if (!hasFile) return;
      ev.preventDefault();
      var data = new FormData(form);
      if (ev.submitter && ev.submitter.name) data.append(ev.submitter.name, ev.submitter.value);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      bar.hidden = false;
      xhr.upload.addEventListener("progress", function (e) { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); });
      xhr.addEventListener("load", function () {
        var html = xhr.responseText;
        if (xhr.responseURL) history.replaceState(null, "", xhr.responseURL);
        document.open(); document.write(html); document.close();
      });
      xhr.addEventListener("error", function () { bar.hidden = true; form.submit(); });
      xhr.send(data);
    });
  }

  /* "Buscar documentos": show the name of the file chosen beside the Spanish button. */
  function wireFilePicker(input) {
    var shown = input.parentNode.querySelector(".file-chosen");
    if (!shown) return;
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
      shown.textContent = names.length ? names.join(", ") : shown.getAttribute("data-none");
    });
  }

  function wireForm(form) {
    if (form.querySelector("[data-conditions]")) {
      applyConditions(form);
      form.addEventListener("change", function () { applyConditions(form); });
    }
    form.querySelectorAll("select[data-depends-on]").forEach(function (s) { wireDependent(form, s); });
    if (form.getAttribute("data-upload")) wireUpload(form);
  }
  /* The form editor's preview draws a form after the page loaded: it wires it the same way. */
  window.SecopForms = { wire: function (root) {
    root.querySelectorAll("form").forEach(function (form) {
      form.removeAttribute("data-upload"); // a preview never uploads: its page reads the values
      wireForm(form);
    });
    root.querySelectorAll(".file-picker .file-input").forEach(wireFilePicker);
  } };

  /* POST JSON with the page's CSRF token -> {status, body} (the workbench's editors). */
  window.SecopPostJSON = function (url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  };

  function init() {
    document.querySelectorAll("form").forEach(wireForm);
    document.querySelectorAll("input[data-autocomplete-url]").forEach(wireAutocomplete);
    document.querySelectorAll(".file-picker .file-input").forEach(wireFilePicker);
    var summary = document.getElementById("resumen-errores");
    if (summary) summary.focus();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
