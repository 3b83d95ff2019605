// The plan editor's autosave, around htmx (hx-post on each section's form):
//
// - A save waiting in a form's queue (hx-sync "queue last") is sent with the form as it is when
//   it leaves, not as it was when it was queued: the latest words, and the revision the previous
//   save answered with. Without this, two saves in a row from one form carry the same revision
//   and the second is refused as a conflict with itself.
// - The status line says so when a save did not reach the server or was refused.
// - Leaving the page with words not yet saved asks first.
(function () {
  "use strict";
  function sectionForm(elt) {
    var form = elt && elt.closest ? elt.closest("form.section-form") : null;
    return form || null;
  }
  function say(form, key) {
    var s = form ? form.querySelector(".save-status") : null;
    var m = document.getElementById("editor-messages");
    if (!s || !m) return;
    s.textContent = m.getAttribute(key) || "";
    s.classList.add("save-failed");
  }
  document.addEventListener("input", function (evt) {
    var form = sectionForm(evt.target);
    if (form) form.dataset.dirty = String(Number(form.dataset.dirty || "0") + 1);
  });
  document.addEventListener("htmx:before:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var req = ctx && ctx.request;
    var form = req && req.form;
    if (!form || !form.classList || !form.classList.contains("section-form")) return;
    if (!req.submitter) {
      req.body = new URLSearchParams(new FormData(form));
    } else if (req.body && typeof req.body.set === "function") {
      var rev = form.querySelector('input[name="base_revision"]');
      if (rev) req.body.set("base_revision", rev.value);
    }
    ctx.dirtyAtSend = form.dataset.dirty || "0";
    var s = form.querySelector(".save-status");
    if (s) s.classList.remove("save-failed");
  });
  document.addEventListener("htmx:after:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var form = ctx && ctx.request && ctx.request.form;
    var status = ctx && ctx.response ? ctx.response.status : 0;
    if (!form || !form.classList || !form.classList.contains("section-form")) return;
    if (status >= 200 && status < 300 && form.dataset.dirty === ctx.dirtyAtSend) {
      form.dataset.dirty = "0";
    }
    if (status === 401) {
      say(form, "data-save-signed-out");
    } else if (status >= 400) {
      say(form, "data-save-failed");
    }
  });
  document.addEventListener("htmx:error", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var form = ctx && ctx.request && ctx.request.form;
    if (form && form.classList && form.classList.contains("section-form") && !ctx.response) {
      say(form, "data-save-offline");
    }
  });
  window.addEventListener("beforeunload", function (evt) {
    var forms = document.querySelectorAll("form.section-form");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].dataset.dirty && forms[i].dataset.dirty !== "0") {
        evt.preventDefault();
        evt.returnValue = "";
        return;
      }
    }
  });
})();
