// A half-typed New entry survives a dropped network or a closed tab: it is kept in this browser
// (localStorage, one draft per officer), never in the book. The form works the same without it.
//
// - Every change is saved (and once more on submit, so a request lost on the way keeps the draft).
// - Opening New entry again restores it, with a "Draft restored — Discard" notice. A draft with more
//   rows or another kind's fields than the fresh form has is sent back to the server to redraw the
//   form ("Show the fields", which never records), then shown as restored.
// - The draft keeps the form's client id: sending it again can never record the entry twice (the
//   same id with the same content returns the entry already recorded).
// - It is cleared when the entry page of that very id opens (recorded), on Discard, on signing out,
//   and after twelve hours.
(function () {
  "use strict";
  var PREFIX = "daftari-draft:";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;
  var discarded = false; // after Discard or signing out, leaving the page must not save the form again

  function read(key) {
    try {
      var draft = JSON.parse(window.localStorage.getItem(key) || "null");
      if (!draft || !draft.fields || Date.now() - draft.savedAt > MAX_AGE_MS) {
        window.localStorage.removeItem(key);
        return null;
      }
      return draft;
    } catch (e) {
      return null;
    }
  }

  function forget(key) {
    try { window.localStorage.removeItem(key); window.sessionStorage.removeItem(key); } catch (e) { /* storage off */ }
  }

  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit" || el.type === "button") return;
      if (el.type === "checkbox") { if (el.checked) fields[el.name] = el.value || "on"; return; }
      fields[el.name] = el.value;
    });
    return fields;
  }

  function typedSomething(fields) {
    return Object.keys(fields).some(function (name) {
      return !/(^client_id$|_rows$|^occurred_at$|-role$)/.test(name) && fields[name] !== "";
    });
  }

  function save(form, key) {
    if (discarded) return;
    var fields = fieldsOf(form);
    try {
      if (typedSomething(fields)) {
        window.localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: fields }));
      }
    } catch (e) { /* storage full or off: the form still works */ }
  }

  function fill(form, fields) {
    Object.keys(fields).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || el.type === "submit") return;
      if (el.type === "checkbox") el.checked = true;
      else el.value = fields[name];
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "checkbox" && el.name && !(el.name in fields)) el.checked = false;
    });
  }

  function showNotice(form, key) {
    var notice = document.getElementById("draft-restored");
    if (!notice) return;
    notice.hidden = false;
    var discard = notice.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        discarded = true;
        forget(key);
        window.location.assign(form.getAttribute("data-draft-fresh") || form.action);
      });
    }
  }

  function redrawOnServer(form, fields, key) {
    // The fresh form lacks some of the draft's fields: the server draws them ("Show the fields"
    // records nothing), and the redrawn page says the draft was restored.
    fill(form, fields);
    Object.keys(fields).forEach(function (name) {
      if (form.elements.namedItem(name)) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = fields[name];
      form.appendChild(input);
    });
    var show = document.createElement("input");
    show.type = "hidden";
    show.name = "choose_type";
    show.value = "1";
    form.appendChild(show);
    try { window.sessionStorage.setItem(key, "restoring"); } catch (e) { /* ignore */ }
    form.submit();
  }

  function restore(form, key) {
    var restoring = false;
    try { restoring = window.sessionStorage.getItem(key) === "restoring"; } catch (e) { /* ignore */ }
    if (form.getAttribute("data-draft-bound") === "1") {
      // The server's redraw of a restored draft (or of a refused submit: then nothing to restore).
      if (restoring) {
        try { window.sessionStorage.removeItem(key); } catch (e) { /* ignore */ }
        showNotice(form, key);
      }
      return;
    }
    var draft = read(key);
    if (!draft || !typedSomething(draft.fields)) return;
    var missing = Object.keys(draft.fields).some(function (name) { return !form.elements.namedItem(name); });
    var typeChanged = form.elements.namedItem("entry_type") &&
      (draft.fields.entry_type || "") !== form.elements.namedItem("entry_type").value;
    if ((missing || typeChanged) && !restoring) {
      redrawOnServer(form, draft.fields, key);
      return;
    }
    fill(form, draft.fields);
    showNotice(form, key);
  }

  function watch(form, key) {
    var timer = null;
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(form, key); }, 300);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () { window.clearTimeout(timer); save(form, key); });
    window.addEventListener("pagehide", function () { window.clearTimeout(timer); save(form, key); });
  }

  function start() {
    var form = document.querySelector("form[data-draft-key]");
    if (form) {
      var key = form.getAttribute("data-draft-key");
      restore(form, key);
      watch(form, key);
    }
    // The entry page of the draft's own id: it is in the book now, the draft is done.
    var recorded = document.querySelector("[data-recorded-entry][data-draft-key]");
    if (recorded) {
      var draftKey = recorded.getAttribute("data-draft-key");
      var draft = read(draftKey);
      if (draft && draft.fields.client_id === recorded.getAttribute("data-recorded-entry")) forget(draftKey);
    }
    // Signing out leaves no draft (with its names and phones) behind on a shared desk computer.
    document.addEventListener("submit", function (event) {
      if (!event.target.matches || !event.target.matches("form[data-signout]")) return;
      discarded = true;
      try {
        Object.keys(window.localStorage).forEach(function (k) {
          if (k.indexOf(PREFIX) === 0) window.localStorage.removeItem(k);
        });
      } catch (e) { /* ignore */ }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
