// Incident page: refetch the panels a live event names, show who else is viewing, and catch up
// after the live socket reconnects. No inline script (strict CSP); text set via textContent only.
(function () {
  "use strict";

  const root = document.getElementById("incident");
  if (!root) return;
  const incidentId = root.dataset.incidentId;
  const pending = new Set();
  // A burst of events is one request per panel; while triage keeps linking mentions, a panel
  // is fetched again at most every 2 s (app.js), and once more after the last event.
  const flush = window.firebreakThrottled(() => {
    pending.forEach((name) => {
      const panel = document.getElementById(`panel-${name}`);
      if (panel && window.htmx) window.htmx.trigger(panel, "live-refresh");
    });
    pending.clear();
  }, 150, 2000);

  function refresh(names) {
    names.forEach((name) => pending.add(name));
    flush();
  }

  function allPanels() {
    return Array.from(document.querySelectorAll("[id^='panel-']")).map((el) => el.id.slice(6));
  }

  function toast(text) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast";
    el.textContent = text;
    box.appendChild(el);
    setTimeout(() => el.remove(), 5000);
  }

  function showViewers(viewers, count) {
    const box = document.getElementById("presence");
    if (!box) return;
    box.replaceChildren();
    viewers.forEach((viewer) => {
      const el = document.createElement("span");
      el.className = "tag";
      el.dataset.userId = String(viewer.user_id);
      el.textContent = viewer.typing ? `${viewer.name} (typing…)` : viewer.name;
      box.appendChild(el);
      box.appendChild(document.createTextNode(" "));
    });
    if (!viewers.length) box.textContent = "just you";
    const more = (count || 0) - viewers.length;
    if (more > 0) {
      const el = document.createElement("span");
      el.className = "muted";
      el.textContent = `+${more} more`;
      box.appendChild(el);
    }
  }

  document.body.addEventListener("firebreak:event", (event) => {
    const data = event.detail || {};
    if (data.event === "presence.changed") {
      if (data.kind === "incident" && String(data.key) === incidentId) showViewers(data.viewers || [], data.count);
      return;
    }
    if (!data.event || !data.event.startsWith("incident.") || String(data.id) !== incidentId) return;
    refresh(Array.isArray(data.panels) && data.panels.length ? data.panels : allPanels());
    if (data.event === "incident.holding_statement_changed") {
      toast("The holding statement changed: drafts built on the old one need a look.");
    } else if (data.event === "incident.status_changed") {
      toast(`Incident status: ${data.to}`);
    }
  });

  // After a reconnect the socket may have missed events: refetch everything once.
  const status = document.getElementById("live-status");
  if (status) {
    let wasLive = status.classList.contains("on");
    new MutationObserver(() => {
      const live = status.classList.contains("on");
      if (live && !wasLive) refresh(allPanels());
      wasLive = live;
    }).observe(status, { attributes: true, attributeFilter: ["class"] });
  }

  // Forms that post with htmx: clear them after success, show the named error otherwise.
  document.body.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-reset")) return;
    const error = form.querySelector(".error");
    if (event.detail.successful) {
      if (!form.querySelector("#holding-text")) form.reset();
      if (error) error.textContent = "";
    } else if (error) {
      error.textContent = event.detail.xhr.responseText || "Something went wrong.";
    }
  });
})();
