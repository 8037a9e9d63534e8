/* Walkabout walk form: add blocks without a round trip, and an offline outbox.
   A walk leaves the outbox only after the server answered 200/201; a refused walk
   stays with its error until it is fixed or deleted. */
(function () {
  "use strict";
  var DB_NAME = "walkabout-outbox", STORE = "walks";

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "client_id" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); db.close(); };
        transaction.onerror = function () { reject(transaction.error); db.close(); };
      });
    });
  }
  var outbox = {
    all: function () { return withStore("readonly", function (s) { return s.getAll(); }); },
    get: function (id) { return withStore("readonly", function (s) { return s.get(id); }); },
    put: function (item) { return withStore("readwrite", function (s) { return s.put(item); }); },
    remove: function (id) { return withStore("readwrite", function (s) { return s.delete(id); }); }
  };

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  /* ---- the form ---- */
  var form = document.getElementById("walk-form");

  function addBlock(kind) {
    var container = document.getElementById(kind === "action" ? "actions" : "conversations");
    var template = document.getElementById(kind + "-template");
    var index = container.querySelectorAll("fieldset." + kind).length;
    var html = template.innerHTML.replace(/__i__/g, String(index));
    container.insertAdjacentHTML("beforeend", html);
    var block = container.lastElementChild;
    block.querySelector(".n").textContent = String(index + 1);
    var first = block.querySelector("input, select, textarea");
    if (first) { first.focus(); }
    return block;
  }

  function value(data, name) { var v = data.get(name); return v === null ? "" : String(v); }

  function bodyFromForm() {
    var data = new FormData(form);
    var body = {
      client_id: value(data, "client_id"), department: value(data, "department").trim(),
      visit_date: value(data, "visit_date"), location: value(data, "location").trim() || null,
      manager_present: data.get("manager_present") === "on",
      setting: value(data, "setting") || null, conversations: [], actions: []
    };
    form.querySelectorAll("fieldset.conversation").forEach(function (block) {
      var p = "conversations-" + block.dataset.index + "-";
      var idea = value(data, p + "idea_what").trim();
      body.conversations.push({
        person_role: value(data, p + "person_role"),
        stated_score: data.get(p + "stated_score") ? Number(data.get(p + "stated_score")) : null,
        observed_score: data.get(p + "observed_score") ? Number(data.get(p + "observed_score")) : null,
        issues: data.getAll(p + "issues").map(String),
        unreported: Number(value(data, p + "unreported") || 0),
        end_run: data.get(p + "end_run") === "on", notes: value(data, p + "notes"),
        expectation_mismatch: data.get(p + "expectation_mismatch") === "on",
        expected: value(data, p + "expected"), service: value(data, p + "service") || null,
        teaching: value(data, p + "teaching"),
        taught_people: Number(value(data, p + "taught_people") || 0),
        ideas: idea ? [{ client_id: uuid(), what: idea, benefit: value(data, p + "idea_benefit"),
                         who_else: value(data, p + "idea_who_else") }] : []
      });
    });
    var decision = value(data, "decision_title").trim();
    if (decision) {
      body.priority_decisions = [{
        client_id: uuid(), title: decision, owner_role: value(data, "decision_owner_role"),
        owner_email: value(data, "decision_owner_email"),
        capacity: value(data, "decision_capacity"), competes_with: value(data, "decision_competes_with")
      }];
    }
    form.querySelectorAll("fieldset.action").forEach(function (block) {
      var p = "actions-" + block.dataset.index + "-";
      var title = value(data, p + "title").trim();
      if (!title) { return; }
      body.actions.push({ title: title, owner: value(data, p + "owner"),
                          due_date: value(data, p + "due_date") || null });
    });
    return body;
  }

  function fillForm(body) {
    form.querySelector("[name=client_id]").value = body.client_id;
    form.querySelector("[name=department]").value = body.department;
    form.querySelector("[name=visit_date]").value = body.visit_date;
    form.querySelector("[name=location]").value = body.location || "";
    form.querySelector("[name=manager_present]").checked = !!body.manager_present;
    body.conversations.forEach(function (c, i) {
      if (!form.querySelector("fieldset.conversation[data-index='" + i + "']")) { addBlock("conversation"); }
      var p = "conversations-" + i + "-";
      form.querySelector("[name='" + p + "person_role']").value = c.person_role;
      [["stated_score", c.stated_score], ["observed_score", c.observed_score]].forEach(function (pair) {
        var radio = form.querySelector("[name='" + p + pair[0] + "'][value='" + pair[1] + "']");
        if (radio) { radio.checked = true; }
      });
      form.querySelectorAll("[name='" + p + "issues']").forEach(function (box) {
        box.checked = c.issues.indexOf(box.value) >= 0;
      });
      form.querySelector("[name='" + p + "unreported']").value = c.unreported;
      form.querySelector("[name='" + p + "end_run']").checked = !!c.end_run;
      form.querySelector("[name='" + p + "notes']").value = c.notes;
      form.querySelector("[name='" + p + "expectation_mismatch']").checked = !!c.expectation_mismatch;
      form.querySelector("[name='" + p + "expected']").value = c.expected || "";
      form.querySelector("[name='" + p + "service']").value = c.service || "";
      form.querySelector("[name='" + p + "teaching']").value = c.teaching || "";
      form.querySelector("[name='" + p + "taught_people']").value = c.taught_people || 0;
      var idea = (c.ideas || [])[0] || { what: "", benefit: "", who_else: "" };
      form.querySelector("[name='" + p + "idea_what']").value = idea.what;
      form.querySelector("[name='" + p + "idea_benefit']").value = idea.benefit;
      form.querySelector("[name='" + p + "idea_who_else']").value = idea.who_else;
    });
    var decision = (body.priority_decisions || [])[0];
    if (decision) {
      ["title", "owner_role", "owner_email", "capacity", "competes_with"].forEach(function (key) {
        form.querySelector("[name=decision_" + key + "]").value = decision[key] || "";
      });
    }
    body.actions.forEach(function (a, i) {
      if (!form.querySelector("fieldset.action[data-index='" + i + "']")) { addBlock("action"); }
      var p = "actions-" + i + "-";
      form.querySelector("[name='" + p + "title']").value = a.title;
      form.querySelector("[name='" + p + "owner']").value = a.owner;
      form.querySelector("[name='" + p + "due_date']").value = a.due_date || "";
    });
  }

  function showErrors(detail) {
    form.querySelectorAll(".field-error.js").forEach(function (el) { el.remove(); });
    (Array.isArray(detail) ? detail : [{ field: "", message: String(detail) }]).forEach(function (e) {
      var name = String(e.field || "").replace(/\./g, "-");
      var target = form.querySelector("[name='" + name + "']") || form.querySelector("[name^='" + name + "']");
      var note = document.createElement("p");
      note.className = "field-error js";
      note.textContent = e.message;
      if (target) { target.closest("fieldset, div, form").appendChild(note); } else { form.prepend(note); }
    });
  }

  /* ---- sending ---- */
  function freshToken() {
    return fetch("/csrf-token", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
      if (!r.ok || !json) { throw new Error("login"); }
      return r.json();
    }).then(function (j) { return j.token; });
  }

  function sendOne(item) {
    return freshToken().then(function (token) {
      return fetch("/api/v1/visits", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
        body: JSON.stringify(item.body)
      });
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return outbox.remove(item.client_id).then(function () { return "sent"; });
      }
      if (response.status === 422) {
        return response.json().then(function (j) {
          item.error = j.detail;
          return outbox.put(item).then(function () { return "refused"; });
        });
      }
      item.state = response.status === 401 || response.status === 403 ? "Log in again to send." : "The server could not take it yet.";
      return outbox.put(item).then(function () { return "waiting"; });
    }, function (err) {
      item.state = err && err.message === "login" ? "Log in again to send." : "No network.";
      return outbox.put(item).then(function () { return "waiting"; });
    });
  }

  var sending = false;
  function sendAll() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return outbox.all().then(function (items) {
      return items.filter(function (i) { return !i.error; }).reduce(function (chain, item) {
        return chain.then(function () { return sendOne(item); });
      }, Promise.resolve());
    }).then(function () { sending = false; return render(); }, function () { sending = false; return render(); });
  }

  /* ---- the outbox banner ---- */
  function describeError(detail) {
    if (!Array.isArray(detail)) { return String(detail); }
    return detail.map(function (e) { return (e.field ? e.field + ": " : "") + e.message; }).join("; ");
  }

  function render() {
    var box = document.getElementById("outbox");
    if (!box) { return Promise.resolve(); }
    return outbox.all().then(function (items) {
      box.hidden = items.length === 0;
      document.getElementById("outbox-count").textContent = items.length + " waiting to send";
      var list = document.getElementById("outbox-items");
      list.textContent = "";
      var state = items.map(function (i) { return i.state; }).filter(Boolean)[0] || "";
      document.getElementById("outbox-state").textContent = navigator.onLine ? state : "You are offline.";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = item.body.visit_date + " · " + item.body.department + " · " +
          item.body.conversations.length + " conversation(s)";
        if (item.error) {
          var err = document.createElement("span");
          err.className = "field-error";
          err.textContent = " Refused: " + describeError(item.error);
          label.appendChild(err);
        }
        li.appendChild(label);
        if (item.error && form) {
          var fix = document.createElement("button");
          fix.type = "button"; fix.textContent = "Fix";
          fix.addEventListener("click", function () {
            fillForm(item.body); showErrors(item.error); form.scrollIntoView();
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
        list.appendChild(li);
      });
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      event.preventDefault();
      if (submitter && submitter.dataset.add) { addBlock(submitter.dataset.add); return; }
      if (!form.reportValidity()) { return; }
      var body = bodyFromForm();
      var item = { client_id: body.client_id, body: body, created: Date.now(), error: null };
      outbox.put(item).then(function () { return sendOne(item); }).then(function (result) {
        if (result === "sent") { window.location.href = "/visits?flash=walk-saved"; return; }
        if (result === "refused") { showErrors(item.error); return render(); }
        form.reset();
        form.querySelector("[name=client_id]").value = uuid();
        form.querySelectorAll("fieldset.conversation:not([data-index='0']), fieldset.action").forEach(function (el) { el.remove(); });
        window.scrollTo(0, 0);
        return render();
      });
    });
  }

  var send = document.getElementById("outbox-send");
  if (send) { send.addEventListener("click", sendAll); }
  window.addEventListener("online", sendAll);
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) { sendAll(); } }, 30000);

  var logout = document.querySelector("form.logout");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      outbox.all().then(function (items) {
        if (items.length === 0 || window.confirm(items.length + " walk(s) are still waiting to send. They stay on this phone. Log out anyway?")) {
          logout.submit();
        }
      });
      event.preventDefault();
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* offline use only */ });
  }
  sendAll();
})();
