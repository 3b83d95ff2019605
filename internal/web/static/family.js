// The family's editor of the concerns and vision, around htmx (hx-post on #concerns-form,
// a moment after typing stops, and on Save):
//
// - A save waiting in the form's queue (hx-sync "queue last") is sent with the form as it is
//   when it leaves: the latest words, and the revision the previous save answered with.
// - The status line says so when a save did not reach the server or was refused: the server's
//   own words for a refusal (a conflict, a plan no longer a draft, a session that ended, swapped
//   in by htmx, which swaps every status but 204 and 304), ours for a server error or no answer.
// - Leaving the page with words not yet saved asks first.
(function () {
  "use strict";
  var form = document.getElementById("concerns-form");
  if (!form) return;
  var status = document.getElementById("concerns-status");
  var messages = document.getElementById("concerns-messages");
  var dirty = 0;

  function failed(key) {
    if (!status) return;
    if (key && messages && !status.textContent.trim()) {
      status.textContent = messages.getAttribute(key) || "";
    }
    status.classList.add("save-failed");
  }
  function ours(evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var req = ctx && ctx.request;
    return req && req.form === form ? ctx : null;
  }

  form.addEventListener("input", function () { dirty++; });

  document.addEventListener("htmx:before:request", function (evt) {
    var ctx = ours(evt);
    if (!ctx) return;
    var req = ctx.request;
    var submitter = req.submitter && req.submitter.form === form ? req.submitter : null;
    req.body = new URLSearchParams(submitter ? new FormData(form, submitter) : new FormData(form));
    ctx.dirtyAtSend = dirty;
    if (status) status.classList.remove("save-failed");
  });

  // A server error's page is not swapped into the status line: the line says it in words.
  document.addEventListener("htmx:before:response", function (evt) {
    var ctx = ours(evt);
    if (!ctx || !ctx.response || ctx.response.status < 500) return;
    evt.preventDefault();
    if (status) status.textContent = "";
    failed("data-failed");
  });

  document.addEventListener("htmx:after:request", function (evt) {
    var ctx = ours(evt);
    if (!ctx) return;
    var code = ctx.response ? ctx.response.status : 0;
    if (code >= 200 && code < 300) {
      if (dirty === ctx.dirtyAtSend) dirty = 0;
    } else if (code >= 400) {
      failed("data-failed");
    }
  });

  document.addEventListener("htmx:error", function (evt) {
    var ctx = ours(evt);
    if (ctx && !ctx.response) {
      if (status) status.textContent = "";
      failed("data-offline");
    }
  });

  window.addEventListener("beforeunload", function (evt) {
    if (dirty > 0) {
      evt.preventDefault();
      evt.returnValue = "";
    }
  });
})();
