/* Walkabout walk form: blocks added and removed without a round trip, a draft kept on the
   phone while typing, checks at the fields, and saving through the outbox (outbox.js).
   A new walk gets its client_id here, when it is started: a cached copy of the form never
   carries another walk's. Editing a walk or fixing a refused one keeps its own. */
(function () {
  "use strict";
  var O = window.WalkaboutOutbox;
  var form = document.getElementById("walk-form") || document.getElementById("edit-form");
  if (!O || !form) { return; }
  var isNew = form.id === "walk-form";
  var SAVE_TIMEOUT = 10000;

  /* ---- blocks ---- */
  function blocks(kind) { return form.querySelectorAll("fieldset." + kind); }

  function renumber() {
    ["conversation", "action"].forEach(function (kind) {
      var all = blocks(kind);
      all.forEach(function (block, n) {
        block.querySelector(".n").textContent = String(n + 1);
        var remove = block.querySelector("[data-remove]");
        if (remove) { remove.hidden = kind === "conversation" && all.length === 1; }
      });
    });
  }

  // `index`: the block's number in the field names, where it must be that one (changes to a
  // walk put back); then the focus stays where it is.
  function addBlock(kind, index) {
    var container = document.getElementById(kind === "action" ? "actions" : "conversations");
    var template = document.getElementById(kind + "-template");
    var next = 0;
    blocks(kind).forEach(function (b) { next = Math.max(next, Number(b.dataset.index) + 1); });
    if (index !== undefined) { next = index; }
    container.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__i__/g, String(next)));
    var block = container.lastElementChild;
    prepareFields(block);
    renumber();
    var first = block.querySelector("input, select, textarea");
    if (first && index === undefined) { first.focus(); }
    return block;
  }

  function removeBlock(block) {
    var kind = block.classList.contains("action") ? "action" : "conversation";
    var heading = block.querySelector("legend").textContent.trim();
    block.remove();
    renumber();
    saveDraft();
    var status = document.getElementById("walk-status");
    status.textContent = heading + " removed.";
    var add = form.querySelector("[data-add='" + kind + "']");
    if (add) { add.focus(); }
  }

  /* ---- long text: a counter instead of a silent cut ---- */
  function prepareFields(root) {
    root.querySelectorAll("textarea[maxlength], input[maxlength]").forEach(function (field) {
      field.dataset.max = field.getAttribute("maxlength");
      field.removeAttribute("maxlength");
      var counter = document.createElement("span");
      counter.className = "counter"; counter.id = field.id + "-counter"; counter.hidden = true;
      field.insertAdjacentElement("afterend", counter);
      count(field);
    });
    root.querySelectorAll("[data-remove]").forEach(function (button) { button.hidden = false; });
  }
  function count(field) {
    var counter = document.getElementById(field.id + "-counter");
    if (!counter) { return; }
    var max = Number(field.dataset.max), length = field.value.length;
    counter.hidden = length < max * 0.8;
    counter.classList.toggle("over", length > max);
    counter.textContent = length > max ? length + " of " + max + " characters: " + (length - max) + " too many" :
      length + " of " + max + " characters";
  }

  /* ---- reading and filling ---- */
  function value(data, name) { var v = data.get(name); return v === null ? "" : String(v); }

  // The walk as the API takes it, and which form block each conversation and action came from.
  function bodyFromForm() {
    var data = new FormData(form);
    var map = { conversations: [], actions: [] };
    var body = {
      client_id: value(data, "client_id"), department: value(data, "department").trim(),
      visit_date: value(data, "visit_date"), location: value(data, "location").trim() || null,
      manager_present: data.get("manager_present") === "on",
      setting: value(data, "setting") || null, conversations: [], actions: []
    };
    blocks("conversation").forEach(function (block) {
      var p = "conversations-" + block.dataset.index + "-";
      var idea = value(data, p + "idea_what").trim();
      map.conversations.push(block.dataset.index);
      body.conversations.push({
        person_role: value(data, p + "person_role").trim(),
        stated_score: data.get(p + "stated_score") ? Number(data.get(p + "stated_score")) : null,
        observed_score: data.get(p + "observed_score") ? Number(data.get(p + "observed_score")) : null,
        issues: data.getAll(p + "issues").map(String),
        unreported: Number(value(data, p + "unreported") || 0),
        end_run: data.get(p + "end_run") === "on", notes: value(data, p + "notes"),
        expectation_mismatch: data.get(p + "expectation_mismatch") === "on",
        expected: value(data, p + "expected"), service: value(data, p + "service") || null,
        teaching: value(data, p + "teaching"),
        taught_people: Number(value(data, p + "taught_people") || 0),
        ideas: idea ? [{ client_id: O.uuid(), what: idea, benefit: value(data, p + "idea_benefit"),
                         who_else: value(data, p + "idea_who_else") }] : []
      });
    });
    var decision = value(data, "decision_title").trim();
    if (decision) {
      body.priority_decisions = [{
        client_id: O.uuid(), title: decision, owner_role: value(data, "decision_owner_role"),
        owner_email: value(data, "decision_owner_email"),
        capacity: value(data, "decision_capacity"), competes_with: value(data, "decision_competes_with")
      }];
    }
    blocks("action").forEach(function (block) {
      var p = "actions-" + block.dataset.index + "-";
      var title = value(data, p + "title").trim(), due = value(data, p + "due_date");
      if (!title && !due) { return; }  // an untouched block is no action
      map.actions.push(block.dataset.index);
      body.actions.push({ title: title, owner: value(data, p + "owner"), due_date: due || null });
    });
    return { body: body, map: map };
  }

  function set(name, v) { var el = form.querySelector("[name='" + name + "']"); if (el) { el.value = v; count(el); } }
  // The walk this page holds: a Web Lock named after its client_id, held while the page is
  // open, so that another page of the same phone does not take up its draft (two pages
  // saving one client_id: the server keeps the first, and the second walk would be lost).
  var LOCK = "walkabout-walk-";
  var letGo = null, holding = null;
  function setClientId(id) {
    set("client_id", id);
    O.openHere = id;  // the outbox lists every unsaved walk but this one
    O.render();
    if (!navigator.locks) { return; }
    if (letGo) { letGo(); }
    holding = null;
    var done = new Promise(function (resolve) { letGo = resolve; });
    navigator.locks.request(LOCK + id, function () {
      if (form.querySelector("[name='client_id']").value === id) { holding = id; }
      return done;
    }).catch(function () {});
  }
  function openElsewhere(id) {
    // This page's own walk (back from the browser's history, its draft written on leaving).
    if (id === holding) { return Promise.resolve(false); }
    if (!navigator.locks || !navigator.locks.query) { return Promise.resolve(false); }
    return navigator.locks.query().then(function (state) {
      return (state.held || []).some(function (lock) { return lock.name === LOCK + id; });
    }, function () { return false; });
  }
  function check(name, on) { var el = form.querySelector("[name='" + name + "']"); if (el) { el.checked = !!on; } }

  // The form as it stands when nothing is typed in it: a page left so keeps no draft.
  var blank = null;
  function withoutId(body) { return JSON.stringify(Object.assign({}, body, { client_id: "" })); }

  function clearForm() {
    form.reset();
    blocks("conversation").forEach(function (b, n) { if (n > 0) { b.remove(); } });
    blocks("action").forEach(function (b) { b.remove(); });
    form.querySelectorAll("[data-max]").forEach(count);
    renumber();
    blank = withoutId(bodyFromForm().body);
    discard.parentElement.hidden = true;
  }

  function fillForm(body) {
    clearForm();
    setClientId(body.client_id);
    set("department", body.department);
    set("visit_date", body.visit_date);
    set("location", body.location || "");
    check("manager_present", body.manager_present);
    var setting = form.querySelector("[name=setting][value='" + body.setting + "']");
    if (setting) { setting.checked = true; }
    body.conversations.forEach(function (c, i) {
      var block = i === 0 ? blocks("conversation")[0] : addBlock("conversation");
      var p = "conversations-" + block.dataset.index + "-";
      set(p + "person_role", c.person_role);
      [["stated_score", c.stated_score], ["observed_score", c.observed_score]].forEach(function (pair) {
        var radio = form.querySelector("[name='" + p + pair[0] + "'][value='" + pair[1] + "']");
        if (radio) { radio.checked = true; }
      });
      form.querySelectorAll("[name='" + p + "issues']").forEach(function (box) {
        box.checked = c.issues.indexOf(box.value) >= 0;
      });
      set(p + "unreported", c.unreported);
      check(p + "end_run", c.end_run);
      set(p + "notes", c.notes);
      check(p + "expectation_mismatch", c.expectation_mismatch);
      set(p + "expected", c.expected || "");
      set(p + "service", c.service || "");
      set(p + "teaching", c.teaching || "");
      set(p + "taught_people", c.taught_people || 0);
      var idea = (c.ideas || [])[0] || { what: "", benefit: "", who_else: "" };
      set(p + "idea_what", idea.what); set(p + "idea_benefit", idea.benefit); set(p + "idea_who_else", idea.who_else);
    });
    var decision = (body.priority_decisions || [])[0];
    if (decision) {
      ["title", "owner_role", "owner_email", "capacity", "competes_with"].forEach(function (key) {
        set("decision_" + key, decision[key] || "");
      });
      form.querySelector("details.decision").open = true;
    }
    (body.actions || []).forEach(function (a) {
      var block = addBlock("action");
      var p = "actions-" + block.dataset.index + "-";
      set(p + "title", a.title); set(p + "owner", a.owner); set(p + "due_date", a.due_date || "");
    });
    window.scrollTo(0, 0);
  }

  /* ---- messages at the fields ---- */
  function fieldFor(path, map) {
    var parts = String(path || "").split(".");
    if (parts[0] === "conversations" && parts.length > 2) {
      return "conversations-" + (map.conversations[Number(parts[1])] || parts[1]) + "-" + parts[2];
    }
    if (parts[0] === "actions" && parts.length > 2) {
      return "actions-" + (map.actions[Number(parts[1])] || parts[1]) + "-" + parts[2];
    }
    if (parts[0] === "priority_decisions") { return "decision_" + (parts[2] || "title"); }
    return parts[0];
  }

  function showErrors(errors) {
    form.querySelectorAll(".field-error.js").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var summary = document.getElementById("walk-status");
    summary.textContent = errors.length ? "Please check the " + (errors.length === 1 ? "field" : "fields") + " marked below." : "";
    var first = null;
    errors.forEach(function (e) {
      var target = e.element || form.querySelector("[name='" + e.name + "']");
      var note = document.createElement("p");
      note.className = "field-error js";
      note.textContent = e.message;
      if (!target) { note.textContent = (O.fieldLabel(e.path) ? O.fieldLabel(e.path) + ": " : "") + e.message; form.prepend(note); return; }
      note.id = (target.id || target.name) + "-error";
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", note.id);
      var group = target.closest(".scale, fieldset.chips") || target;
      (target.closest("details") || {}).open = true;
      group.insertAdjacentElement("afterend", note);
      if (!first) { first = target; }
    });
    if (first) { first.focus(); first.scrollIntoView({ block: "center" }); }
  }

  function serverErrors(detail, map) {
    var list = Array.isArray(detail) ? detail : [{ field: "", message: String(detail) }];
    return list.map(function (e) { return { name: fieldFor(e.field, map), path: e.field, message: e.message }; });
  }

  // What the phone can tell before sending: required fields, an action with no title, a text too long.
  function localErrors() {
    var errors = [];
    var department = form.querySelector("[name=department]");
    if (!department.value.trim()) { errors.push({ element: department, message: "Choose the department you walked." }); }
    var date = form.querySelector("[name=visit_date]");
    if (!date.value) { errors.push({ element: date, message: "Enter the date of the walk." }); }
    blocks("conversation").forEach(function (block) {
      var p = "conversations-" + block.dataset.index + "-";
      var role = form.querySelector("[name='" + p + "person_role']");
      if (!role.value.trim()) { errors.push({ element: role, message: "Say their role (never a name)." }); }
      if (!form.querySelector("[name='" + p + "observed_score']:checked")) {
        errors.push({ element: form.querySelector("[name='" + p + "observed_score']"), message: "Choose what you observed, 1 to 5." });
      }
    });
    blocks("action").forEach(function (block) {
      var p = "actions-" + block.dataset.index + "-";
      var title = form.querySelector("[name='" + p + "title']");
      var due = form.querySelector("[name='" + p + "due_date']");
      if (!title.value.trim() && due.value) {
        errors.push({ element: title, message: "Say what will be done, or remove this action." });
      }
    });
    form.querySelectorAll("[data-max]").forEach(function (field) {
      var over = field.value.length - Number(field.dataset.max);
      if (over > 0) { errors.push({ element: field, message: "Too long by " + over + " characters (at most " + field.dataset.max + ")." }); }
    });
    return errors;
  }

  /* ---- the draft ---- */
  var draftTimer = null;
  // This page's walk, under its own client_id (another page's draft is never written over);
  // emptied again, it is no draft.
  function keepDraft() {
    var body = bodyFromForm().body;
    return withoutId(body) === blank ? O.drafts.remove(body.client_id) : O.drafts.put(body);
  }
  // What this page holds, kept: a new walk's draft, or the changes to a saved one.
  function keep() { return isNew ? keepDraft() : keepChanges(false); }
  function saveDraft() {
    if (starting) { return; }
    clearTimeout(draftTimer);
    draftTimer = setTimeout(keep, 300);
  }

  // A refused walk back in the form, its messages at their fields (blocks numbered as sent).
  // Where the leader had begun fixing it on this phone (`changed`, its draft), their changes
  // come back, not the walk as refused; the messages stay at their fields while the blocks
  // are as many as were sent, else they stand above the form, each naming its field.
  function withChanges(item) {
    return O.drafts.all().then(function (kept) {
      var own = kept.filter(function (d) { return d.body.client_id === item.client_id; })[0];
      return { item: item, changed: own ? own.body : null };
    });
  }
  function fixWalk(item, changed) {
    var body = changed || item.body;
    fillForm(body);
    var same = ["conversations", "actions"].every(function (k) {
      return (body[k] || []).length === (item.body[k] || []).length;
    });
    var errors = serverErrors(item.error || [], { conversations: [], actions: [] });
    if (!same) { errors.forEach(function (e) { e.name = ""; }); }
    showErrors(errors);
    if (changed) { document.getElementById("walk-status").textContent += " Your changes since it was refused are back."; }
  }

  // Until the draft (or the walk to fix) is read from the phone, the fields wait: what was
  // typed meanwhile would be overwritten by what comes back (a slow phone answers late).
  // Meanwhile no draft is written either: the form does not hold the walk yet.
  var starting = false;
  function holdFields() {
    var held = Array.prototype.filter.call(form.elements, function (el) { return !el.disabled; });
    held.forEach(function (el) { el.disabled = true; });
    starting = true;
    return function () {
      held.forEach(function (el) { el.disabled = false; });
      held = [];
      starting = false;
    };
  }

  // A phone whose storage has not answered in this time gets its form back, for a new walk.
  var STORAGE_WAIT = 3000;

  function startWalk() {
    if (!isNew) { return Promise.resolve(); }
    var release = holdFields();
    var late = false, typed = false;
    function onType() { typed = true; }
    var timer = setTimeout(function () {
      late = true;
      release();
      setClientId(O.uuid());
      form.addEventListener("input", onType);
    }, STORAGE_WAIT);
    function answered() { clearTimeout(timer); form.removeEventListener("input", onType); }
    var fix = /^#fix=(.+)$/.exec(window.location.hash);
    var asked = /^#draft=(.+)$/.exec(window.location.hash);
    var wanted = asked ? decodeURIComponent(asked[1]) : null;
    var found = fix ? O.outbox.get(decodeURIComponent(fix[1])) : Promise.resolve(undefined);
    return found.then(function (item) {
      if (item) { return withChanges(item); }
      return O.drafts.all().then(function (kept) {
        // The walk asked for (Continue), else the newest unsaved one; a draft another page
        // of this phone has open is that page's walk, never taken up here.
        var candidates = kept.filter(function (d) { return !wanted || d.body.client_id === wanted; });
        return candidates.reduce(function (chain, draft) {
          return chain.then(function (chosen) {
            if (chosen) { return chosen; }
            return openElsewhere(draft.body.client_id).then(function (open) { return open ? null : draft; });
          });
        }, Promise.resolve(null)).then(function (draft) {
          return { draft: draft, elsewhere: !!wanted && !draft && candidates.length > 0 };
        });
      });
    }).then(function (back) {
      answered();
      if (late && typed) { return; }  // a walk begun meanwhile stays as typed
      release();  // in the same turn as the fields are filled: no keystroke falls between
      if (back.item) { fixWalk(back.item, back.changed); return; }
      var status = document.getElementById("walk-status");
      if (asked) { history.replaceState(null, "", window.location.pathname); }  // a reload takes the newest
      if (back.draft) {
        fillForm(back.draft.body);
        status.textContent = "Your unsaved walk is back, as you left it.";
        offerDiscard();
      } else {
        clearForm();
        setClientId(O.uuid());
        if (back.elsewhere) { status.textContent = "That walk is open in another page of this phone: this is a new walk."; }
      }
    }, function () {
      // The phone's storage did not answer: a walk typed now still gets its own client_id.
      answered();
      if (late) { return; }
      release();
      setClientId(O.uuid());
    });
  }

  // What came back from the phone (a walk begun, changes to a saved one) can be let go.
  var discard = document.getElementById("walk-discard");
  function offerDiscard() {
    discard.textContent = isNew ? "Delete this unsaved walk and start afresh" : "Discard these changes";
    discard.parentElement.hidden = false;
  }
  discard.addEventListener("click", function () {
    if (!window.confirm(isNew ? "Delete this unsaved walk from the phone?" : "Discard your unsaved changes to this walk?")) { return; }
    discard.parentElement.hidden = true;
    clearTimeout(draftTimer);
    var status = document.getElementById("walk-status");
    if (isNew) {
      O.drafts.remove(form.querySelector("[name=client_id]").value).then(function () {
        clearForm();
        setClientId(O.uuid());
        status.textContent = "The unsaved walk was deleted: this is a new walk.";
      });
      return;
    }
    editBase = null;  // nothing more is kept on leaving: the page comes back as saved
    // Opened afresh, not reloaded: a reload may fill the fields with what they held.
    O.edits.remove(editKey).then(function () { window.location.replace(window.location.pathname); });
  });

  /* ---- changes to a saved walk (the edit page) ---- */
  // They are kept on the phone as they are typed, under the walk's edit address, with the walk
  // as the page showed it when they began (`base`): brought back only while the walk is
  // still so, never over what was saved since.
  // By the page's address: a walk backfilled from a spreadsheet has no client_id.
  var editKey = isNew ? null : "edit:" + form.getAttribute("action");
  var editBase = null;
  function indices(kind) { return Array.prototype.map.call(blocks(kind), function (b) { return b.dataset.index; }); }
  // The form's blocks and fields; `sent`: as the server sent the page (a browser may have
  // put back values of its own since).
  function snapshot(sent) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      // Not the walk's own: the session's token, and the client_id the page is given (a new
      // one each time for a walk backfilled without one).
      if (!el.name || el.name === "csrf_token" || el.name === "client_id" || el.type === "submit" || el.type === "button") { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        fields.push([el.name, el.value, sent ? el.defaultChecked : el.checked]);
      } else if (el.tagName === "SELECT") {
        var chosen = Array.prototype.filter.call(el.options, function (o) { return sent ? o.defaultSelected : o.selected; })[0];
        fields.push([el.name, chosen ? chosen.value : (el.options[0] || {}).value]);
      } else {
        fields.push([el.name, sent ? el.defaultValue : el.value]);
      }
    });
    return JSON.stringify({ blocks: { conversation: indices("conversation"), action: indices("action") }, fields: fields });
  }
  function putBack(kept) {
    var shape = JSON.parse(kept);
    ["conversation", "action"].forEach(function (kind) {
      var wanted = shape.blocks[kind];
      blocks(kind).forEach(function (b) { if (wanted.indexOf(b.dataset.index) < 0) { b.remove(); } });
      var have = indices(kind);
      wanted.forEach(function (index) { if (have.indexOf(index) < 0) { addBlock(kind, index); } });
    });
    renumber();
    shape.fields.forEach(function (f) {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== f[0]) { return; }
        if (el.type === "radio" || el.type === "checkbox") { if (el.value === f[1]) { el.checked = f[2]; } }
        else { el.value = f[1]; }
      });
    });
    form.querySelectorAll("[data-max]").forEach(count);
  }
  function keepChanges(sent) {
    if (editBase === null) { return Promise.resolve(); }
    var now = snapshot(false);
    if (now === editBase) { return O.edits.remove(editKey); }
    // `until`: when the walk's edits close (none for an admin): the banner says when the
    // changes can no longer be saved, and still shows them.
    return O.edits.put(editKey, { form: now, base: editBase, sent: !!sent, saved: Date.now(),
                                  until: form.dataset.editUntil || null });
  }
  function startEdit() {
    var shown = snapshot(true);
    // The server's answer to a save it refused shows the changes, with its reasons.
    var refused = !!form.querySelector(".field-error, p.error");
    var status = document.getElementById("walk-status");
    // As for a new walk, the fields wait for the phone's answer, so long at most.
    var release = holdFields(), late = false;
    var timer = setTimeout(function () { late = true; editBase = shown; release(); }, STORAGE_WAIT);
    return O.edits.get(editKey).then(function (kept) {
      clearTimeout(timer);
      if (late) { return undefined; }
      release();  // in the same turn as the fields are filled
      if (!kept) { editBase = shown; return undefined; }
      if (refused) { editBase = kept.base; return keepChanges(false); }
      if (kept.base === shown) {
        // The walk is as it was when the changes began: they come back (a save that never
        // reached the server included).
        editBase = kept.base;
        putBack(kept.form);
        status.textContent = kept.sent ? "Your changes did not reach the server: they are back. Save them again." :
          "Your unsaved changes are back, as you left them.";
        offerDiscard();
        return keepChanges(false);
      }
      editBase = shown;
      // Sent and changed since: that save went through. Not sent: the walk was saved from
      // elsewhere, and the changes begun here are kept apart for the leader to copy.
      if (kept.sent) { return O.edits.remove(editKey); }
      status.textContent = "This walk was saved with other changes after you began changing it on this phone: " +
        "it shows as saved. Your changes are not in it: they are listed above, to copy what you need.";
      return O.edits.setAside(editKey).then(O.render);
    }, function () {
      clearTimeout(timer);
      if (!late) { editBase = shown; release(); }
    });
  }

  /* ---- saving ---- */
  var saving = false;
  var saveButton = form.querySelector("button.primary");
  var saveLabel = saveButton.textContent;

  function finishSaving() { saving = false; saveButton.disabled = false; saveButton.textContent = saveLabel; }

  function saveNew() {
    var read = bodyFromForm();
    var item = { client_id: read.body.client_id, owner: O.user, body: read.body, created: Date.now(), error: null, state: "sending" };
    saving = true; saveButton.disabled = true; saveButton.textContent = "Saving…";
    clearTimeout(draftTimer);
    O.outbox.put(item).then(function () { return O.drafts.remove(item.client_id); }).then(function () {
      return O.sendOne(item, SAVE_TIMEOUT);
    }).then(function (result) {
      if (result === "sent") { window.location.href = "/visits?flash=walk-saved"; return; }
      finishSaving();
      if (result === "refused") { showErrors(serverErrors(item.error, read.map)); return O.render(); }
      clearForm();
      setClientId(O.uuid());
      document.getElementById("walk-status").textContent =
        "Saved on this phone: it is sent when the network allows. You can start the next walk.";
      return O.render();
    }, function () {
      finishSaving();
      document.getElementById("walk-status").textContent = "The phone could not keep this walk: please try again.";
    });
  }

  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.dataset.add) { event.preventDefault(); addBlock(submitter.dataset.add); saveDraft(); return; }
    if (saving) { event.preventDefault(); return; }
    var errors = localErrors();
    if (errors.length) { event.preventDefault(); showErrors(errors); return; }
    if (!isNew) {
      // An edit goes to the server as a form; offline it would fail and leave the page.
      if (!navigator.onLine) {
        event.preventDefault();
        document.getElementById("walk-status").textContent = "You are offline: your changes stay on this page. Save again when the network is back.";
        return;
      }
      // The changes are kept, marked as sent, before the page goes: should the answer never
      // come, the edit page brings them back.
      event.preventDefault();
      saving = true; saveButton.textContent = "Saving…";
      clearTimeout(draftTimer);
      keepChanges(true).then(send, send);
      return;
    }
    event.preventDefault();
    saveNew();
  });
  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove]");
    if (button) { removeBlock(button.closest("fieldset")); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.max) { count(event.target); }
    saveDraft();
  });
  form.addEventListener("change", saveDraft);

  O.onFix = function (item) {
    if (!isNew) { window.location.href = "/visits/new#fix=" + item.client_id; return; }
    // The walk on this page is kept as it stands first (it may be this very walk, its
    // changes not yet kept).
    Promise.resolve(leaving()).then(function () { return withChanges(item); }, function () { return withChanges(item); })
      .then(function (back) { fixWalk(back.item, back.changed); });
  };
  // Coming back with the browser's back button shows the page as it was left: start afresh.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { finishSaving(); startWalk(); } });
  // Leaving the page, or the phone putting it away (another app, the screen locked: a phone
  // may then stop the page without a word, so what was typed is kept now, not after the pause).
  function leaving() {
    if (saving || starting) { return undefined; }
    clearTimeout(draftTimer);
    return keep();
  }
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { leaving(); } });

  function send() { HTMLFormElement.prototype.submit.call(form); }

  prepareFields(form);
  renumber();
  if (isNew) { startWalk(); } else { startEdit(); }
})();
