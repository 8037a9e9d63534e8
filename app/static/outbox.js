/* Walkabout outbox, on every leader page: walks saved on this phone until the server has
   them (ODK Collect's promise: a record leaves the phone only when the server answered
   200/201). Each walk belongs to the user who saved it: it is sent only with that user's
   session, and under another login it is counted, never shown or sent. */
(function () {
  "use strict";
  var DB_NAME = "walkabout-outbox", DB_VERSION = 2, WALKS = "walks", DRAFTS = "drafts";
  var user = document.body.dataset.user || "";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(WALKS)) { db.createObjectStore(WALKS, { keyPath: "client_id" }); }
        if (!db.objectStoreNames.contains(DRAFTS)) { db.createObjectStore(DRAFTS, { keyPath: "owner" }); }
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(name, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var request = work(transaction.objectStore(name));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); db.close(); };
        transaction.onerror = function () { reject(transaction.error); db.close(); };
      });
    });
  }
  var outbox = {
    all: function () { return withStore(WALKS, "readonly", function (s) { return s.getAll(); }); },
    mine: function () {
      return outbox.all().then(function (items) { return items.filter(function (i) { return i.owner === user; }); });
    },
    get: function (id) {
      return withStore(WALKS, "readonly", function (s) { return s.get(id); }).then(function (item) {
        return item && item.owner === user ? item : undefined;
      });
    },
    put: function (item) { return withStore(WALKS, "readwrite", function (s) { return s.put(item); }); },
    // A walk's state after a try, only if it is still there: deleted on the phone (or sent
    // by another tab) while the try was on its way, it stays gone.
    update: function (item) {
      return withStore(WALKS, "readwrite", function (s) {
        var found = s.get(item.client_id);
        found.onsuccess = function () { if (found.result) { s.put(item); } };
        return found;
      });
    },
    remove: function (id) { return withStore(WALKS, "readwrite", function (s) { return s.delete(id); }); }
  };
  // The walks this user began on this phone and has not saved: one draft per walk (its
  // client_id), kept through a reload or a closed tab, so that two pages of the form never
  // write over each other's walk; and the changes begun to walks already saved (`edits`,
  // by the walk's edit address), which only that walk's edit page brings back. Both sit in
  // one record per user, changed in one transaction; a phone may still hold the single
  // draft an earlier version kept.
  function keptOf(record) {
    var kept = { walks: {}, edits: {} };
    if (!record) { return kept; }
    if (record.walks) { kept.walks = record.walks; }
    else if (record.body) { kept.walks[record.body.client_id] = { body: record.body, saved: record.saved }; }
    if (record.edits) { kept.edits = record.edits; }
    return kept;
  }
  function readKept() {
    return withStore(DRAFTS, "readonly", function (s) { return s.get(user); }).then(keptOf);
  }
  function changeKept(change) {
    return withStore(DRAFTS, "readwrite", function (s) {
      var found = s.get(user);
      found.onsuccess = function () {
        var kept = keptOf(found.result);
        change(kept);
        if (Object.keys(kept.walks).length || Object.keys(kept.edits).length) {
          s.put({ owner: user, walks: kept.walks, edits: kept.edits });
        } else {
          s.delete(user);
        }
      };
      return null;
    });
  }
  function newestFirst(walks) {
    return Object.keys(walks).map(function (id) { return walks[id]; })
      .sort(function (a, b) { return b.saved - a.saved; });
  }
  var drafts = {
    all: function () { return readKept().then(function (kept) { return newestFirst(kept.walks); }); },
    put: function (body) {
      return changeKept(function (kept) { kept.walks[body.client_id] = { body: body, saved: Date.now() }; });
    },
    remove: function (clientId) { return changeKept(function (kept) { delete kept.walks[clientId]; }); }
  };
  var edits = {  // by the edit page's key (`visit.js`: its address)
    get: function (key) { return readKept().then(function (kept) { return kept.edits[key]; }); },
    put: function (key, entry) { return changeKept(function (kept) { kept.edits[key] = entry; }); },
    remove: function (key) { return changeKept(function (kept) { delete kept.edits[key]; }); },
    // Changes the walk was saved without (it changed since they began): kept apart, to be
    // read and copied, no longer the edit page's to bring back.
    setAside: function (key) {
      return changeKept(function (kept) {
        var entry = kept.edits[key];
        if (!entry) { return; }
        delete kept.edits[key];
        entry.stale = true;
        kept.edits[key + "#" + entry.saved] = entry;
      });
    }
  };

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  /* ---- field names in plain words ---- */
  var LABELS = {
    department: "Department", visit_date: "Date", location: "Where", setting: "Setting",
    person_role: "Their role", stated_score: "What they said", observed_score: "What you observed",
    issues: "Themes raised", unreported: "Never reached the service desk", notes: "Note",
    expected: "What they expected", service: "Service it concerns", teaching: "Something you showed them",
    taught_people: "How many people learnt it", ideas: "Idea", what: "Idea", benefit: "Idea's benefit",
    who_else: "Who else would gain", title: "What will be done", owner: "Owner", due_date: "Due",
    priority_decisions: "Priority decision", owner_email: "Business owner's e-mail",
    owner_role: "Business owner's role", capacity: "Capacity", competes_with: "What it competes with",
    conversations: "Conversations", actions: "Actions", manager_present: "Their manager was present",
    end_run: "Goes around the desk", expectation_mismatch: "Expected something not promised",
    idea_what: "An idea they raised", idea_benefit: "Its benefit", idea_who_else: "Who else would gain",
    decision_title: "Priority decision", decision_owner_role: "Business owner's role",
    decision_owner_email: "Business owner's e-mail", decision_capacity: "Capacity it would take",
    decision_competes_with: "What it competes with"
  };
  function fieldLabel(path) {
    var parts = String(path || "").split(".");
    var words = [];
    if (parts[0] === "conversations" && parts.length > 2) { words.push("Conversation " + (Number(parts[1]) + 1)); parts = parts.slice(2); }
    else if (parts[0] === "actions" && parts.length > 2) { words.push("Action " + (Number(parts[1]) + 1)); parts = parts.slice(2); }
    else if (parts[0] === "priority_decisions" && parts.length > 2) { words.push("Priority decision"); parts = parts.slice(2); }
    parts.forEach(function (p) { if (LABELS[p] && words.indexOf(LABELS[p]) < 0) { words.push(LABELS[p]); } });
    return words.join(", ");
  }
  function describeError(detail) {
    if (!Array.isArray(detail)) { return String(detail); }
    return detail.map(function (e) {
      var label = fieldLabel(e.field);
      return (label ? label + ": " : "") + e.message;
    }).join("; ");
  }

  /* ---- sending ---- */
  function freshToken() {
    return fetch("/csrf-token", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) { throw new Error("login"); }
      return r.json();
    }).then(function (j) {
      // The server's word on whose session this is: never send a walk under another login.
      if (String(j.user) !== user) { throw new Error("login"); }
      return j.token;
    });
  }

  function sendOne(item, timeout) {
    if (item.owner !== user) { return Promise.resolve("waiting"); }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller && timeout ? setTimeout(function () { controller.abort(); }, timeout) : null;
    return freshToken().then(function (token) {
      return fetch("/api/v1/visits", {
        method: "POST", credentials: "same-origin", signal: controller ? controller.signal : undefined,
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(item.body)
      });
    }).then(function (response) {
      clearTimeout(timer);
      if (response.status === 200 || response.status === 201) {
        return outbox.remove(item.client_id).then(function () { return "sent"; });
      }
      if (response.status === 422 || response.status === 409) {
        return response.json().then(function (j) {
          item.error = j.detail; item.state = "refused";
          return outbox.update(item).then(function () { return "refused"; });
        });
      }
      item.state = response.status === 401 || response.status === 403 ? "Log in again to send." : "The server could not take it yet.";
      return outbox.update(item).then(function () { return "waiting"; });
    }, function (err) {
      clearTimeout(timer);
      item.state = err && err.message === "login" ? "Log in again to send." :
        err && err.name === "AbortError" ? "The network is too slow: it is sent later." : "No network.";
      return outbox.update(item).then(function () { return "waiting"; });
    });
  }

  var sending = false;
  function sendAll() {
    if (sending || !user) { return Promise.resolve(); }
    sending = true;
    setState("Sending…");
    return outbox.mine().then(function (items) {
      return items.filter(function (i) { return !i.error; }).reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item, 30000); });
      }, Promise.resolve());
    }).then(function () { sending = false; return render(); }, function () { sending = false; return render(); });
  }

  /* ---- the banner ---- */
  function setState(text) {
    var state = document.getElementById("outbox-state");
    if (state) { state.textContent = text; }
  }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  function render() {
    var box = document.getElementById("outbox");
    if (!box) { return Promise.resolve(); }
    return Promise.all([outbox.all(), readKept()]).then(function (found) {
      var all = found[0], kept = found[1];
      var items = all.filter(function (i) { return i.owner === user; });
      var others = all.length - items.length;
      var refused = items.filter(function (i) { return i.error; }).length;
      // The walks begun and not saved, but the one this page has open, and a refused walk's
      // (its row below has Fix).
      var waiting = items.map(function (i) { return i.client_id; });
      var unsaved = newestFirst(kept.walks).filter(function (d) {
        return d.body.client_id !== api.openHere && waiting.indexOf(d.body.client_id) < 0;
      });
      // Changes begun to saved walks, but those of the edit page open here.
      var changed = Object.keys(kept.edits).filter(function (key) {
        return key !== "edit:" + window.location.pathname;
      }).sort();  // a walk's changes set aside (`edits.setAside`) are listed on its edit page too
      box.hidden = all.length === 0 && unsaved.length === 0 && changed.length === 0;
      box.classList.toggle("refused", refused > 0);
      var count = items.length - refused;
      document.getElementById("outbox-count").parentElement.hidden = items.length === 0;
      document.getElementById("outbox-count").textContent = items.length === 0 ? "" :
        [count ? plural(count, "walk", "walks") + " waiting to send" : "",
         refused ? plural(refused, "walk", "walks") + " refused: fix it" : ""].filter(Boolean).join(" · ");
      var othersLine = document.getElementById("outbox-others");
      othersLine.hidden = others === 0;
      othersLine.textContent = plural(others, "walk of another person waits", "walks of other people wait") +
        " on this phone, to be sent when they log in.";
      document.getElementById("outbox-send").hidden = count === 0;
      var state = items.map(function (i) { return i.error ? "" : i.state; }).filter(Boolean)[0] || "";
      setState(count === 0 ? "" : navigator.onLine ? (sending ? "Sending…" : state) : "You are offline.");
      var list = document.getElementById("outbox-items");
      list.textContent = "";
      items.forEach(function (item) { list.appendChild(itemRow(item)); });
      var unsavedLine = document.getElementById("outbox-unsaved");
      unsavedLine.hidden = unsaved.length === 0;
      unsavedLine.textContent = plural(unsaved.length, "walk you began is", "walks you began are") + " not saved yet:";
      var begun = document.getElementById("outbox-drafts");
      begun.textContent = "";
      unsaved.forEach(function (draft) { begun.appendChild(draftRow(draft.body)); });
      var changedLine = document.getElementById("outbox-changed");
      changedLine.hidden = changed.length === 0;
      changedLine.textContent = "Your changes to " + plural(changed.length, "saved walk are", "saved walks are") + " not saved yet:";
      var edited = document.getElementById("outbox-edits");
      edited.textContent = "";
      changed.forEach(function (key) { edited.appendChild(editRow(key, kept.edits[key])); });
    });
  }

  function walkLabel(body) {
    return body.visit_date + " · " + (body.department || "no department") + " · " +
      plural((body.conversations || []).length, "conversation", "conversations");
  }

  function draftRow(body) {
    var li = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = walkLabel(body);
    li.appendChild(label);
    var open = document.createElement("a");
    open.className = "button"; open.textContent = "Continue";
    open.href = "/visits/new#draft=" + encodeURIComponent(body.client_id);
    open.setAttribute("aria-label", "Continue the walk of " + body.visit_date + " in " + (body.department || "no department"));
    open.addEventListener("click", function (event) {
      // On the walk form itself only the address's end changes: open the page again
      // (leaving it keeps this page's walk as a draft).
      if (window.location.pathname === "/visits/new") {
        event.preventDefault();
        window.location.hash = "draft=" + encodeURIComponent(body.client_id);
        window.location.reload();
      }
    });
    li.appendChild(open);
    var del = document.createElement("button");
    del.type = "button"; del.className = "danger"; del.textContent = "Delete";
    del.setAttribute("aria-label", "Delete the unsaved walk of " + body.visit_date + " in " + (body.department || "no department"));
    del.addEventListener("click", function () {
      if (window.confirm("Delete this walk from the phone? It was never saved.")) {
        drafts.remove(body.client_id).then(render);
      }
    });
    li.appendChild(del);
    return li;
  }

  /* ---- changes to saved walks, kept by the edit page (`visit.js`) ---- */
  function fieldWords(name) {  // a form field's name (`conversations-0-notes`) in words
    return fieldLabel(String(name).split("-").join(".")) || name;
  }
  var CHOICES = ["setting", "stated_score", "observed_score"];  // one of several buttons
  // What the changes are (`after`, the form as changed), against the walk as saved
  // (`before`): [words, value] pairs.
  function changesOf(before, after) {
    var was = {}, lines = [];
    function key(f) { return f.length > 2 ? f[0] + "\u0000" + f[1] : f[0]; }
    before.fields.forEach(function (f) { was[key(f)] = f; });
    ["conversation", "action"].forEach(function (kind) {
      before.blocks[kind].forEach(function (index) {
        if (after.blocks[kind].indexOf(index) < 0) {
          lines.push([fieldWords(kind + "s-" + index + "-x"), "removed"]);
        }
      });
    });
    after.fields.forEach(function (f) {
      if (f[0] === "version") { return; }  // the walk's version the form was opened at
      var old = was[key(f)];
      if (f.length < 3) {
        if ((old ? old[1] : "") !== f[1]) { lines.push([fieldWords(f[0]), f[1] === "" ? "(emptied)" : f[1]]); }
        return;
      }
      if (!!f[2] === !!(old && old[2])) { return; }
      var choice = CHOICES.some(function (name) { return f[0] === name || f[0].slice(-name.length - 1) === "-" + name; });
      if (choice) { if (f[2]) { lines.push([fieldWords(f[0]), f[1]]); } }
      else if (f[1] === "on") { lines.push([fieldWords(f[0]), f[2] ? "yes" : "no"]); }  // a box with no value
      else { lines.push([fieldWords(f[0]), f[1] + (f[2] ? "" : " (taken off)")]); }  // a theme
    });
    return lines;
  }
  function savedField(before, name) {
    var found = before.fields.filter(function (f) { return f[0] === name; })[0];
    return found ? found[1] : "";
  }
  function editRow(key, entry) {
    var li = document.createElement("li");
    var before = JSON.parse(entry.base);
    var walk = savedField(before, "visit_date") + " · " + (savedField(before, "department") || "no department");
    var label = document.createElement("span");
    label.textContent = "The walk of " + walk;
    var closed = entry.stale || (!!entry.until && Date.parse(entry.until) <= Date.now());
    if (closed) {
      var late = document.createElement("span");
      late.className = "field-error";
      late.textContent = entry.stale ?
        " The walk was saved with other changes after you began: yours are not in it. Copy what you need from below." :
        " Can no longer be saved: a walk can be changed for 7 days after it was logged. Copy what you need from below.";
      label.appendChild(late);
    }
    li.appendChild(label);
    if (!closed) {
      var open = document.createElement("a");
      open.className = "button"; open.textContent = "Continue";
      open.href = key.slice("edit:".length);
      open.setAttribute("aria-label", "Continue your changes to the walk of " + walk);
      li.appendChild(open);
    }
    var del = document.createElement("button");
    del.type = "button"; del.className = "danger"; del.textContent = "Discard";
    del.setAttribute("aria-label", "Discard your changes to the walk of " + walk);
    del.addEventListener("click", function () {
      if (window.confirm("Discard your unsaved changes to this walk? They were never saved.")) {
        edits.remove(key).then(render);
      }
    });
    li.appendChild(del);
    var shown = document.createElement("details");
    shown.open = closed;
    var summary = document.createElement("summary");
    summary.textContent = "What you changed";
    shown.appendChild(summary);
    var list = document.createElement("dl");
    changesOf(before, JSON.parse(entry.form)).forEach(function (line) {
      var dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = line[0]; dd.textContent = line[1];
      list.appendChild(dt); list.appendChild(dd);
    });
    shown.appendChild(list);
    li.appendChild(shown);
    return li;
  }

  function itemRow(item) {
    var li = document.createElement("li");
    var label = document.createElement("span");
    label.textContent = walkLabel(item.body);
    if (item.error) {
      var err = document.createElement("span");
      err.className = "field-error";
      err.textContent = " Refused: " + describeError(item.error);
      label.appendChild(err);
    }
    li.appendChild(label);
    if (item.error) {
      var fix = document.createElement("button");
      fix.type = "button"; fix.textContent = "Fix";
      fix.setAttribute("aria-label", "Fix the walk of " + item.body.visit_date + " in " + item.body.department);
      fix.addEventListener("click", function () {
        if (api.onFix) { api.onFix(item); } else { window.location.href = "/visits/new#fix=" + item.client_id; }
      });
      li.appendChild(fix);
    }
    var del = document.createElement("button");
    del.type = "button"; del.className = "danger"; del.textContent = "Delete";
    del.setAttribute("aria-label", "Delete the walk of " + item.body.visit_date + " in " + item.body.department);
    del.addEventListener("click", function () {
      if (window.confirm("Delete this walk from the phone? It has not reached the server.")) {
        outbox.remove(item.client_id).then(render);
      }
    });
    li.appendChild(del);
    return li;
  }

  /* ---- logging out on a shared phone ---- */
  var logout = document.querySelector("form.logout");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!navigator.onLine) {
        window.alert("You are offline. Logging out needs the network; your walks stay on this phone.");
        return;
      }
      Promise.all([outbox.mine(), readKept()]).then(function (found) {
        var ids = found[0].map(function (i) { return i.client_id; });
        var waiting = ids.length, kept = found[1];
        var draft = Object.keys(kept.walks).filter(function (id) { return ids.indexOf(id) < 0; }).length;
        var changed = Object.keys(kept.edits).length;
        var words = [];
        if (waiting) { words.push(plural(waiting, "walk of yours is", "walks of yours are") + " still on this phone, not yet sent."); }
        if (draft) { words.push("You began " + plural(draft, "walk", "walks") + " here and did not save " + (draft === 1 ? "it." : "them.")); }
        if (changed) { words.push("Your changes to " + plural(changed, "saved walk are", "saved walks are") + " not saved yet."); }
        words.push("Only you can send or read them, when you log in here again. Log out?");
        if (waiting + draft + changed > 0 && !window.confirm(words.join(" "))) { return; }
        // The login page that follows makes the worker forget this user; their pages go now.
        return window.caches ? caches.delete("walkabout-pages-" + user) : undefined;
      }).then(function () { logout.submit(); }, function () { logout.submit(); });
    });
  }

  var api = { outbox: outbox, drafts: drafts, edits: edits, user: user, uuid: uuid, sendOne: sendOne, sendAll: sendAll,
              render: render, fieldLabel: fieldLabel, onFix: null, openHere: null };
  window.WalkaboutOutbox = api;

  var send = document.getElementById("outbox-send");
  if (send) { send.addEventListener("click", sendAll); }
  window.addEventListener("online", sendAll);
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) { sendAll(); } }, 30000);

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      if (!registration.active) { return; }
      if (!navigator.serviceWorker.controller) { registration.active.postMessage({ type: "claim" }); }
      // The walk pages, kept for this user, so that "New walk" works offline later.
      if (navigator.onLine) { registration.active.postMessage({ type: "keep-pages" }); }
    }).catch(function () { /* offline use only */ });
  }
  // Walks saved before items had owners: the first user to open a page takes them.
  outbox.all().then(function (items) {
    return Promise.all(items.filter(function (i) { return !i.owner && user; }).map(function (i) {
      i.owner = user; return outbox.update(i);
    }));
  }).then(render).then(function () { if (navigator.onLine) { return sendAll(); } });
})();
