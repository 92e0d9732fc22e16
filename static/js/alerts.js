// Spike alerts page: refetch the list when the hub announces an alert; toast its headline.
// No inline script (strict CSP); the alert's untrusted text is only set via textContent.
(function () {
  "use strict";

  const list = () => document.getElementById("alerts");
  let timer = null;

  function toast(text) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast";
    el.textContent = text;
    box.appendChild(el);
    setTimeout(() => el.remove(), 8000);
  }

  document.body.addEventListener("firebreak:event", (event) => {
    const data = event.detail || {};
    if (!String(data.event || "").startsWith("alert.spike")) return;
    if (data.event === "alert.spike") {
      toast(`Spike: ${data.label} — ${data.mention_count} mentions from ${data.unique_authors} authors`);
    }
    clearTimeout(timer);
    timer = setTimeout(() => {
      const el = list();
      if (el && window.htmx) window.htmx.trigger(el, "live-refresh");
    }, 200);
  });
})();
