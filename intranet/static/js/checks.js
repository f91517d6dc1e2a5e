/* Content-check panel: re-check the text being edited without saving, and
   flash the highlighted place when a finding is clicked. No inline scripts:
   this file is loaded by checks/_panel.html. */
(function () {
  "use strict";

  function flash(id) {
    var mark = document.getElementById(id);
    if (!mark) { return; }
    mark.classList.add("check-flash");
    window.setTimeout(function () { mark.classList.remove("check-flash"); }, 1500);
  }

  function bindJumps(root) {
    root.querySelectorAll("a.check-jump").forEach(function (a) {
      a.addEventListener("click", function () { flash(a.getAttribute("href").slice(1)); });
    });
  }

  function init() {
    var panel = document.getElementById("check-panel");
    if (!panel) { return; }
    var body = document.getElementById("check-panel-body");
    bindJumps(body);
    var button = document.getElementById("check-rerun");
    var form = document.getElementById("item-form");
    if (!button || !form || !window.fetch) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var data = new FormData();
      ["title", "body", "classification", "csrf_token"].forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field) { data.append(name, field.value); }
      });
      button.disabled = true;
      fetch(panel.getAttribute("data-preview-url"), { method: "POST", body: data, credentials: "same-origin" })
        .then(function (resp) {
          if (!resp.ok) { throw new Error(String(resp.status)); }
          return resp.text();
        })
        .then(function (html) {
          body.innerHTML = html;
          bindJumps(body);
          // the editor (lanmu-editor.js) shows the new findings in place
          document.dispatchEvent(new CustomEvent("lanmu:checks-updated"));
        })
        .catch(function () { body.insertAdjacentHTML("afterbegin", '<div class="alert alert-danger small">检查失败，请保存后刷新页面。</div>'); })
        .finally(function () { button.disabled = false; });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
