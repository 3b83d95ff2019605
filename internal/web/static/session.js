// The idle-timeout warning (WCAG 2.2.1 Timing Adjustable). The server tells the page, on
// <body data-session-expires-in data-session-warn-at>, how many seconds the session has left and
// when to warn. At the warning the dialog opens with the focus on "Stay signed in", which
// extends the session without leaving the page. If the session ends anyway, the dialog says so
// and the page stays as it is: nothing typed is lost, and the next save asks to sign in and then
// saves what was typed (the server carries the form through the sign-in).
(function () {
  "use strict";
  var body = document.body;
  var left = parseInt(body.getAttribute("data-session-expires-in"), 10);
  var warnAt = parseInt(body.getAttribute("data-session-warn-at"), 10);
  var dialog = document.getElementById("session-warning");
  if (isNaN(left) || isNaN(warnAt) || !dialog) return;

  var deadline = Date.now() + left * 1000;
  var title = document.getElementById("session-warning-title");
  var text = document.getElementById("session-warning-text");
  var seconds = document.getElementById("session-seconds");
  var form = document.getElementById("session-extend-form");
  var extendButton = document.getElementById("session-extend");
  var closeButton = document.getElementById("session-close");
  var warningTitle = title.textContent;
  var returnFocus = null;
  var checking = false;
  var ended = false;

  function remaining() { return Math.max(0, Math.round((deadline - Date.now()) / 1000)); }

  function apply(status) {
    if (!status.signed_in) { end(); return; }
    deadline = Date.now() + status.expires_in * 1000;
    warnAt = status.warn_at;
  }

  // check asks the server how long remains: another tab may have kept the session alive.
  function check(then) {
    if (checking) return;
    checking = true;
    fetch("/session/status", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (s) { apply(s); })
      .catch(function () {})
      .then(function () { checking = false; then(); });
  }

  function open() {
    if (!dialog.hidden) return;
    returnFocus = document.activeElement;
    dialog.hidden = false;
    extendButton.focus();
  }

  function close() {
    dialog.hidden = true;
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }

  function end() {
    ended = true;
    title.textContent = title.getAttribute("data-ended-text");
    text.textContent = text.getAttribute("data-ended-text");
    form.hidden = true;
    seconds.textContent = "";
    closeButton.hidden = false;
    dialog.hidden = false;
    closeButton.focus();
  }

  function tick() {
    if (ended) return;
    var n = remaining();
    if (n <= warnAt) {
      if (dialog.hidden) {
        check(function () { if (remaining() <= warnAt && !ended) open(); });
      }
      seconds.textContent = n > 0 ? String(n) : "";
      if (n <= 0) check(function () { if (remaining() <= 0 && !ended) end(); });
    } else if (!dialog.hidden) {
      close();
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("/session/extend", {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(new FormData(form)).toString()
    })
      .then(function (r) { return r.json(); })
      .then(function (s) { apply(s); if (!ended) { title.textContent = warningTitle; close(); } })
      .catch(function () { form.submit(); });
  });

  closeButton.addEventListener("click", close);

  dialog.addEventListener("keydown", function (e) {
    if (e.key === "Escape") {
      e.preventDefault();
      if (ended) close(); else form.requestSubmit();
    } else if (e.key === "Tab") {
      // Keep the focus inside the dialog while it is open.
      var focusable = [extendButton, closeButton].filter(function (b) { return !b.hidden && !b.closest("[hidden]"); });
      if (focusable.length === 1) { e.preventDefault(); focusable[0].focus(); }
    }
  });

  setInterval(tick, 1000);
})();
