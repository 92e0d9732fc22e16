// Hub pages: tell the reader when a colleague changed the hub, so nobody edits stale rules.
// Events arrive through app.js's live socket as "firebreak:event"; no inline script (CSP).
(function () {
  "use strict";
  const notice = document.getElementById("hub-changed");
  if (!notice) return;
  const HUB_EVENTS = ["guideline.", "compensation.", "sla.", "escalation.", "routing.", "department."];
  document.body.addEventListener("firebreak:event", (event) => {
    const name = (event.detail && event.detail.event) || "";
    if (!HUB_EVENTS.some((prefix) => name.startsWith(prefix))) return;
    notice.querySelector("[data-what]").textContent = name.replace(".", " ").replace("_", " ");
    notice.hidden = false;
  });
})();
