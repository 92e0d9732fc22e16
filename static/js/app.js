// Firebreak UI: live updates over one websocket, SLA countdowns, keyboard shortcuts.
// No inline script anywhere (strict CSP); untrusted text is only ever set with textContent.
(function () {
  "use strict";

  const body = document.body;

  function toast(text) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const el = document.createElement("div");
    el.className = "toast";
    el.textContent = text;
    box.appendChild(el);
    setTimeout(() => el.remove(), 5000);
  }

  // --- live updates ------------------------------------------------------------------
  // A refresh for a stream of live events: the first `quiet` ms after an event, then at most
  // one every `every` ms while events keep coming, and always one after the last event. (A
  // debounce restarted by every event never fired while a busy queue kept changing.)
  function throttled(fn, quiet, every) {
    let timer = null;
    let last = -Infinity;
    return function () {
      if (timer !== null) return; // the refresh already due fetches after this event
      const wait = Math.max(quiet, last + every - Date.now());
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, wait);
    };
  }
  window.firebreakThrottled = throttled;

  function connectLive() {
    const kind = body.dataset.liveKind;
    const key = body.dataset.liveKey;
    const status = document.getElementById("live-status");
    if (status === null) return; // not logged in
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    let retry = 1000;
    let current = null;
    // The queue table, fetched again at most every 2 s while its department keeps changing.
    const scheduleRefresh = throttled(() => {
      const table = document.getElementById("queue");
      if (table && window.htmx && table.getAttribute("hx-get")) window.htmx.trigger(table, "live-refresh");
    }, 250, 2000);

    // Rows shared by everyone watching the queue may come back a little old while another
    // request makes the next ones (X-Firebreak-Stale): ask again, within the same 2 s rhythm.
    body.addEventListener("htmx:afterRequest", (event) => {
      const xhr = event.detail && event.detail.xhr;
      if (xhr && xhr.getResponseHeader("X-Firebreak-Stale")) scheduleRefresh();
    });

    // Other scripts send over the one socket by dispatching "firebreak:send" on <body>.
    body.addEventListener("firebreak:send", (event) => {
      if (current && current.readyState === 1) current.send(JSON.stringify(event.detail));
    });

    function open() {
      const socket = new WebSocket(`${scheme}://${location.host}/ws/live/`);
      current = socket;
      socket.addEventListener("open", () => {
        retry = 1000;
        status.textContent = "live";
        status.classList.add("on");
        if (kind) socket.send(JSON.stringify({ action: "subscribe", kind: kind, key: key }));
        scheduleRefresh(); // catch up on anything missed while disconnected
      });
      socket.addEventListener("message", (msg) => {
        const data = JSON.parse(msg.data);
        if (data.type !== "event") return;
        if (data.event === "notification.created") {
          toast(data.text);
          return;
        }
        if (data.event === "presence.changed" && kind === "mention" && String(data.key) === String(key)) {
          showMentionViewers(data.viewers || [], data.count);
        } else if (data.event.startsWith("mention.")) {
          if (kind === "mention" && String(data.id) === String(key)) {
            toast("This mention changed: reloading.");
            setTimeout(() => location.reload(), 600);
          } else {
            scheduleRefresh();
          }
        }
        body.dispatchEvent(new CustomEvent("firebreak:event", { detail: data }));
      });
      socket.addEventListener("close", () => {
        status.textContent = "reconnecting";
        status.classList.remove("on");
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 15000);
      });
    }

    open();
  }

  function showMentionViewers(viewers, count) {
    const box = document.getElementById("presence");
    if (!box) return;
    box.replaceChildren();
    viewers.forEach((viewer) => {
      const el = document.createElement("span");
      el.className = viewer.typing ? "flag" : "tag";
      el.textContent = viewer.typing ? `${viewer.name} is replying…` : viewer.name;
      box.appendChild(el);
      box.appendChild(document.createTextNode(" "));
    });
    const more = (count || 0) - viewers.length;
    if (more > 0) {
      const el = document.createElement("span");
      el.className = "muted";
      el.textContent = `+${more} more`;
      box.appendChild(el);
    }
  }

  // "X is replying": tell the others while this person types a reply (at most every 3 s).
  let lastTyping = 0;
  document.addEventListener("input", (event) => {
    if (body.dataset.liveKind !== "mention" || !event.target.closest("#compose-form")) return;
    const now = Date.now();
    if (now - lastTyping < 3000) return;
    lastTyping = now;
    body.dispatchEvent(new CustomEvent("firebreak:send", {
      detail: { action: "typing", kind: "mention", key: body.dataset.liveKey },
    }));
  });

  // --- SLA countdowns ------------------------------------------------------------------
  function formatLeft(ms) {
    const neg = ms < 0;
    let s = Math.abs(Math.round(ms / 1000));
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60);
    const text = h ? `${h}h ${m}m` : `${m}m`;
    return neg ? `${text} overdue` : `${text} left`;
  }

  function tickSla() {
    const now = Date.now();
    document.querySelectorAll("time.sla").forEach((el) => {
      const due = Date.parse(el.getAttribute("datetime"));
      if (Number.isNaN(due)) return;
      const left = due - now;
      el.textContent = formatLeft(left);
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 15 * 60 * 1000);
    });
  }

  // --- keyboard shortcuts ------------------------------------------------------------
  function rows() { return Array.from(document.querySelectorAll("#queue-rows tr.row")); }
  let current = -1;
  function select(index) {
    const all = rows();
    if (!all.length) return;
    current = Math.max(0, Math.min(index, all.length - 1));
    all.forEach((r, i) => r.classList.toggle("selected", i === current));
    const link = all[current].querySelector("a.row-link");
    if (link) link.focus();
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") { select(current + 1); event.preventDefault(); }
    else if (event.key === "k") { select(current - 1); event.preventDefault(); }
    else if (event.key === "/") {
      const search = document.querySelector("input[type=search]");
      if (search) { search.focus(); event.preventDefault(); }
    } else if (event.key === "n") {
      const next = document.getElementById("next-page");
      if (next) next.click();
    } else {
      const button = document.querySelector(`[data-shortcut="${event.key}"]`);
      if (button) { button.click(); event.preventDefault(); }
    }
  });

  document.addEventListener("htmx:afterSwap", () => { current = -1; tickSla(); });
  tickSla();
  setInterval(tickSla, 30000);
  connectLive();
})();
