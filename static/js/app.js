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
    // When this page last learnt of a change its queue must show (a live event, or the socket
    // (re)connecting after events may have been missed), on this page's own clock.
    let changedAt = null;
    // The queue table, fetched again at most every 2 s while its department keeps changing.
    const scheduleRefresh = throttled(() => {
      const table = document.getElementById("queue");
      if (table && window.htmx && table.getAttribute("hx-get")) window.htmx.trigger(table, "live-refresh");
    }, 250, 2000);
    function queueChanged() {
      changedAt = performance.now();
      scheduleRefresh();
    }

    // Rows are shared by everyone watching the queue: say how long ago the change was learnt
    // (ms), so that rows made before it are never given as current (core/shared.py).
    body.addEventListener("htmx:configRequest", (event) => {
      if (changedAt === null || !event.detail || !event.detail.elt || event.detail.elt.id !== "queue") return;
      event.detail.headers["X-Firebreak-Event-Age"] = String(Math.max(0, Math.round(performance.now() - changedAt)));
    });

    // Shared rows may come back a little old (X-Firebreak-Stale): while another request makes
    // the next ones, or made before the change this page knows of. Ask again, within the same
    // 2 s rhythm; by then they are newer than the change.
    body.addEventListener("htmx:afterRequest", (event) => {
      const xhr = event.detail && event.detail.xhr;
      if (xhr && xhr.getResponseHeader("X-Firebreak-Stale")) scheduleRefresh();
    });

    // Other parts of a page that refetch themselves on live events: data-live-events names
    // the event prefixes (space-separated, e.g. "reply."), hx-trigger="live-refresh" the fetch.
    const dueParts = new Set();
    const refreshParts = throttled(() => {
      dueParts.forEach((id) => {
        const part = document.getElementById(id);
        if (part && window.htmx) window.htmx.trigger(part, "live-refresh");
      });
      dueParts.clear();
    }, 250, 2000);
    function liveParts(eventName) {
      return Array.from(document.querySelectorAll("[data-live-events][id]")).filter((part) =>
        eventName === null || part.dataset.liveEvents.split(/\s+/).some((p) => p && eventName.startsWith(p)));
    }
    function scheduleParts(eventName) {
      const parts = liveParts(eventName);
      parts.forEach((part) => dueParts.add(part.id));
      if (parts.length) refreshParts();
    }

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
        queueChanged(); // catch up on anything missed while disconnected
        scheduleParts(null);
      });
      socket.addEventListener("message", (msg) => {
        const data = JSON.parse(msg.data);
        if (data.type === "subscribed") {
          // Events are heard from here on: the catch-up must show what came before (one more
          // only if it already left, the subscription being slow).
          queueChanged();
          scheduleParts(null);
          return;
        }
        if (data.type !== "event") return;
        if (data.event === "notification.created") {
          toast(data.text);
          return;
        }
        if (data.event === "presence.changed" && kind === "mention" && String(data.key) === String(key)) {
          showMentionViewers(data.viewers || [], data.count);
        } else if (data.event.startsWith("mention.")) {
          if (kind === "mention" && String(data.id) === String(key)) {
            mentionChanged();
          } else {
            queueChanged();
          }
        } else if (kind !== "mention" && REPLY_MOVES_MENTION.has(data.event)) {
          queueChanged(); // the mention's status moved with its reply (awaiting approval, replied)
        }
        if (data.event !== "presence.changed") scheduleParts(data.event);
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

  // Reply events that change their mention's status, and so its row in a queue.
  const REPLY_MOVES_MENTION = new Set([
    "reply.submitted", "reply.queued", "reply.approved", "reply.rejected",
    "reply.changes_requested", "reply.sent",
  ]);

  // --- a mention changed while it is open ----------------------------------------------
  // Reload to show the change, unless something typed or chosen on the page is not saved yet:
  // then say so, and reload only when asked (a reload used to wipe a half-typed reply).
  const restored = new Set(
    // a refused reply comes back in the composer once (replies/composer.py): unsaved too
    Array.from(document.querySelectorAll("#compose-form textarea")).filter((el) => el.defaultValue.trim() !== ""));

  function isDirty(el) {
    if (el.disabled) return false;
    if (el instanceof HTMLTextAreaElement) return el.value !== el.defaultValue || (restored.has(el) && el.value.trim() !== "");
    if (el instanceof HTMLSelectElement) {
      const options = Array.from(el.options);
      if (!el.multiple && !options.some((o) => o.defaultSelected)) return el.selectedIndex > 0;
      return options.some((o) => o.selected !== o.defaultSelected);
    }
    if (!(el instanceof HTMLInputElement)) return false;
    if (["hidden", "submit", "button", "reset", "image"].includes(el.type)) return false;
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    return el.value !== el.defaultValue;
  }

  function unsavedInput() {
    return Array.from(document.querySelectorAll("main form input, main form textarea, main form select")).some(isDirty);
  }

  let reloadDue = null;
  function mentionChanged() {
    if (reloadDue !== null) return;
    if (!unsavedInput()) {
      toast("This mention changed: reloading.");
      // typing may begin meanwhile: look again just before
      reloadDue = setTimeout(() => {
        reloadDue = null;
        if (unsavedInput()) showChangedNotice();
        else location.reload();
      }, 600);
      return;
    }
    showChangedNotice();
  }

  function showChangedNotice() {
    if (document.getElementById("mention-changed")) return;
    const main = document.getElementById("main");
    if (!main) return;
    const box = document.createElement("ul");
    box.className = "messages";
    box.id = "mention-changed";
    box.setAttribute("role", "status");
    const item = document.createElement("li");
    item.className = "msg-warning";
    item.append("A colleague changed this mention. What you typed is kept; reload to see the change (unsaved text is lost). ");
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Reload";
    button.addEventListener("click", () => location.reload());
    item.appendChild(button);
    box.appendChild(item);
    main.prepend(box);
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

  // --- reply templates ---------------------------------------------------------------
  // Choosing a template fills the reply box when it is empty, or still holds the template
  // chosen before, untouched. Text the agent typed is never dropped: the template goes in at
  // the cursor (at the end if the box was never clicked), and a toast says so.
  let lastTemplate = null;
  const placedCursor = new WeakSet();
  document.addEventListener("focusin", (event) => {
    if (event.target.id === "reply-text") placedCursor.add(event.target);
  });

  function insertTemplate(box, text) {
    const start = placedCursor.has(box) ? box.selectionStart : box.value.length;
    const end = placedCursor.has(box) ? box.selectionEnd : box.value.length;
    const before = box.value.slice(0, start);
    const after = box.value.slice(end);
    const lead = before && !before.endsWith("\n") ? "\n" : "";
    const trail = after && !after.startsWith("\n") ? "\n" : "";
    box.setRangeText(lead + text + trail, start, end, "end");
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    // the event fires on the swap's target; the element that asked is the request's
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || source.id !== "guideline_version" || !event.detail.shouldSwap) return;
    const box = document.getElementById("reply-text");
    const parsed = document.createElement("template");
    parsed.innerHTML = event.detail.serverResponse;
    const incoming = parsed.content.querySelector("textarea");
    if (!box || !incoming) return;
    const text = incoming.defaultValue;
    if (box.value.trim() === "" || box.value === lastTemplate) {
      lastTemplate = text; // replacing nothing the agent wrote
      return;
    }
    event.detail.shouldSwap = false;
    if (text.trim() === "") return; // "write freely": keep what was typed as it is
    insertTemplate(box, text);
    toast("Template inserted at the cursor: what you typed is kept.");
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

  // Typing never triggers a shortcut: form fields, editable text, an IME composing. A ticked
  // checkbox is not typing: j/k/x go on working after one selects rows by hand.
  function typingIn(target) {
    return !(target instanceof Element) || target.isContentEditable ||
      target.closest("input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]:not([contenteditable=false])") !== null;
  }

  // A shortcut whose button has data-confirm asks first, in the page, beside the button: the
  // same key again (or Enter, or the button) does it; Escape, Cancel or any click elsewhere
  // does not. A stray "e" used to resolve the mention at once. A click on the button itself
  // acts at once, as before: a click is not a stray key.
  // The reply's Send ("r") asks too: a stray "r" used to send whatever stood in the reply box,
  // out of reach once it has left. With nothing written, "r" goes to the box instead (the
  // browser's "fill out this field" was all the click did then), as "reply" does elsewhere.
  const SEND_REPLY = { question: "Send this reply?", label: "Send" };
  function confirmation(button) {
    if (button.dataset.confirm) return { question: button.dataset.confirm, label: button.dataset.confirmLabel };
    return button.form && button.form.id === "compose-form" ? SEND_REPLY : null;
  }
  function emptyReplyBox(button) {
    const box = button.form && button.form.id === "compose-form" ? button.form.querySelector("#reply-text") : null;
    return box && !box.disabled && box.value.trim() === "" ? box : null;
  }

  let pendingConfirm = null;
  function closeConfirm() {
    if (pendingConfirm === null) return;
    pendingConfirm.box.remove();
    pendingConfirm = null;
  }
  function confirmThenClick(button, key, asking) {
    if (pendingConfirm && pendingConfirm.button === button) {
      closeConfirm();
      button.click();
      return;
    }
    closeConfirm();
    const box = document.createElement("div");
    box.className = "shortcut-confirm";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", asking.question);
    const question = document.createElement("p");
    question.textContent = `${asking.question} Press ${key} again or Enter to confirm, Esc to cancel.`;
    const yes = document.createElement("button");
    yes.type = "button";
    yes.className = "primary";
    yes.textContent = asking.label || "Confirm";
    yes.addEventListener("click", () => { closeConfirm(); button.click(); });
    const no = document.createElement("button");
    no.type = "button";
    no.textContent = "Cancel";
    no.addEventListener("click", () => { closeConfirm(); button.focus(); });
    box.append(question, yes, " ", no);
    button.insertAdjacentElement("afterend", box);
    pendingConfirm = { button: button, box: box };
    yes.focus();
  }
  document.addEventListener("click", (event) => {
    if (pendingConfirm && !pendingConfirm.box.contains(event.target) && event.target !== pendingConfirm.button) closeConfirm();
  });

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Escape" && pendingConfirm) { closeConfirm(); event.preventDefault(); return; }
    if (typingIn(target) || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") { select(current + 1); event.preventDefault(); }
    else if (event.key === "k") { select(current - 1); event.preventDefault(); }
    else if (event.key === "/") {
      const search = document.querySelector("input[type=search]");
      if (search) { search.focus(); event.preventDefault(); }
    } else if (event.key === "n") {
      const next = document.getElementById("next-page");
      if (next) next.click();
    } else if (event.key === "x" && current >= 0) {
      // select the current row for the bulk form, as a click on its box would
      const row = rows()[current];
      const box = row && row.querySelector('input[type=checkbox][name="ids"]');
      if (box) { box.checked = !box.checked; showSelection(); event.preventDefault(); }
    } else {
      const button = document.querySelector(`[data-shortcut="${CSS.escape(event.key)}"]`);
      if (!button || button.disabled) return;
      event.preventDefault();
      if (event.repeat) return; // a held key must not answer its own question
      const box = emptyReplyBox(button);
      if (box) { closeConfirm(); box.focus(); return; }
      const asking = confirmation(button);
      if (asking) confirmThenClick(button, event.key, asking);
      else button.click();
    }
  });

  // --- queue selection -----------------------------------------------------------------
  // Row checkboxes choose the mentions the bulk form acts on (form="bulk-form"). The header's
  // box selects every row on this page and shows whether none, some or all are. A live
  // refresh replaces the rows with new, unchecked ones (shared by everyone watching the queue,
  // so never checked by the server): the rows still there are checked again after it; the
  // ones gone from the page are no longer selected, never acted on unseen.
  const selectAll = document.getElementById("select-all");
  function rowBoxes() {
    return Array.from(document.querySelectorAll('#queue-rows input[type=checkbox][name="ids"]'));
  }
  function showSelection() {
    if (selectAll === null) return;
    const boxes = rowBoxes();
    const checked = boxes.filter((box) => box.checked).length;
    selectAll.disabled = boxes.length === 0;
    selectAll.checked = boxes.length > 0 && checked === boxes.length;
    selectAll.indeterminate = checked > 0 && checked < boxes.length;
    // the bulk form says how many it would act on, and offers nothing to apply to none
    const count = document.getElementById("bulk-count");
    if (count) count.textContent = checked ? `${checked} selected` : "None selected";
    const apply = document.getElementById("bulk-apply");
    if (apply) apply.disabled = checked === 0;
  }
  if (selectAll !== null) {
    selectAll.addEventListener("change", () => {
      rowBoxes().forEach((box) => { box.checked = selectAll.checked; });
      showSelection();
    });
    document.addEventListener("change", (event) => {
      if (event.target instanceof Element && event.target.closest("#queue-rows")) showSelection();
    });
    // a page restored from history may come back with some boxes checked
    window.addEventListener("pageshow", showSelection);
    showSelection();
  }
  let keptSelection = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "queue-rows" || !event.detail.shouldSwap) return;
    keptSelection = new Set(rowBoxes().filter((box) => box.checked).map((box) => box.value));
  });

  document.addEventListener("htmx:afterSwap", () => {
    current = -1;
    if (keptSelection !== null) {
      const kept = keptSelection;
      keptSelection = null;
      rowBoxes().forEach((box) => { box.checked = kept.has(box.value); });
    }
    showSelection();
    tickSla();
  });
  tickSla();
  setInterval(tickSla, 30000);
  connectLive();
})();
