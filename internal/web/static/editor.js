// The plan editor: say so in the section's status line when an autosave did not reach the
// server or was refused, so that nobody walks away thinking their words are saved. Saving itself
// is htmx (hx-post on each section's form); this file only reports failures.
(function () {
  "use strict";
  function statusFor(elt) {
    var form = elt && elt.closest ? elt.closest("form.section-form") : null;
    return form ? form.querySelector(".save-status") : null;
  }
  function say(evt, key) {
    var s = statusFor(evt.detail && evt.detail.elt);
    if (!s) return;
    var m = document.getElementById("editor-messages");
    s.textContent = (m && m.getAttribute(key)) || "";
    s.classList.add("save-failed");
  }
  document.addEventListener("htmx:sendError", function (evt) { say(evt, "data-save-offline"); });
  document.addEventListener("htmx:responseError", function (evt) {
    var xhr = evt.detail && evt.detail.xhr;
    say(evt, xhr && xhr.status === 401 ? "data-save-signed-out" : "data-save-failed");
  });
  document.addEventListener("htmx:beforeRequest", function (evt) {
    var s = statusFor(evt.detail && evt.detail.elt);
    if (s) { s.classList.remove("save-failed"); }
  });
})();
