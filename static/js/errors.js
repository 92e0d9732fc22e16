// Requests made by htmx that the server refuses or that never reach it: say so, and why, where
// the person is looking. htmx swaps no error answer by default, so a refused form in a panel
// (an empty fact, an unknown guideline) otherwise changed nothing on screen and said nothing.
// The reason is the server's own plain-text answer (views answer htmx errors as
// "Field: message"), always set as text, never as markup.
(function () {
  "use strict";

  function show(text) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast toast-error";
    el.setAttribute("role", "alert");
    el.textContent = text;
    box.appendChild(el);
    setTimeout(() => el.remove(), 8000);
  }

  // A form with its own error slot (the incident page's panels: incidents.js) shows the
  // reason there, beside what was typed.
  function hasSlot(event) {
    const elt = event.detail && event.detail.elt;
    const form = elt && elt.closest ? elt.closest("form") : null;
    return Boolean(form && form.querySelector(".error"));
  }

  document.addEventListener("htmx:responseError", (event) => {
    const xhr = event.detail && event.detail.xhr;
    if (!xhr || hasSlot(event)) return;
    const type = xhr.getResponseHeader("Content-Type") || "";
    let text = type.startsWith("text/plain") ? (xhr.responseText || "").trim().slice(0, 300) : "";
    if (!text) {
      text = xhr.status >= 500
        ? "Something went wrong on the server: nothing was changed. Try again."
        : `Not done (${xhr.status}): reload the page and try again.`;
    }
    show(text);
  });

  document.addEventListener("htmx:sendError", () => {
    show("The server could not be reached: nothing was sent. Check the connection and try again.");
  });
})();
