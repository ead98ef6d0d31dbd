// Roster import (E1): the chosen file is sent as-is (the server decodes UTF-8 / UTF-16 and finds the
// separator) to the preview endpoint; the preview lists the first rows and every problem, and only a
// clean preview offers "Confirm import", which sends the same bytes to the import endpoint.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("roster-import");
  if (!root) return;
  const form = document.getElementById("roster-form");
  const fileInput = document.getElementById("roster-file");
  const modeSelect = document.getElementById("roster-mode");
  const result = document.getElementById("roster-result");
  const confirmButton = document.getElementById("roster-confirm");
  // The box, not the button, is hidden: the stylesheet gives buttons a display of their own.
  const confirmBox = document.getElementById("roster-confirm-box");
  const base = "/api/v1/orgs/" + encodeURIComponent(root.dataset.org) + "/roster";
  let bytes = null;
  // What the reviewed preview said a replace would remove; the import is refused if that changed.
  let expectRemoved = null;

  function post(url, body) {
    const expect = expectRemoved === null ? "" : "&expectRemoved=" + expectRemoved;
    return fetch(url + "?mode=" + encodeURIComponent(modeSelect.value) + "&lang=" + encodeURIComponent(root.dataset.lang) + expect, {
      method: "POST",
      headers: { "Content-Type": "text/csv", "X-CSRF-Token": root.dataset.csrf, Accept: "application/json" },
      body,
      credentials: "same-origin",
    });
  }

  function cell(row, text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    row.appendChild(td);
  }

  function table(headers, rows, id) {
    const t = document.createElement("table");
    t.className = "data";
    t.id = id;
    const head = t.createTHead().insertRow();
    for (const h of headers) {
      const th = document.createElement("th");
      th.textContent = h;
      head.appendChild(th);
    }
    const body = t.createTBody();
    for (const values of rows) {
      const tr = body.insertRow();
      for (const v of values) cell(tr, v);
    }
    return t;
  }

  function message(text, cls) {
    const p = document.createElement("p");
    p.className = cls;
    p.textContent = text;
    return p;
  }

  function problemMessage(e) {
    return root.dataset.lang === "en" ? e.message : e.messageVi;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    confirmBox.hidden = true;
    expectRemoved = null;
    result.replaceChildren();
    const file = fileInput.files[0];
    if (!file) return;
    bytes = await file.arrayBuffer();
    const response = await post(base + "/preview", bytes);
    const data = await response.json();
    if (!response.ok) {
      result.appendChild(message(data.error ? problemMessage({ message: data.error.message, messageVi: data.error.messageVi }) : String(response.status), "error"));
      return;
    }
    if (data.errors.length > 0) {
      result.appendChild(message(data.errors.length + " " + root.dataset.errors, "error"));
      result.appendChild(table([root.dataset.row, root.dataset.column, root.dataset.problem],
        data.errors.map((e) => [e.row || "", e.column, problemMessage(e)]), "roster-errors"));
      return;
    }
    result.appendChild(message(data.count + " " + root.dataset.rows + " (" + data.encoding + ", " + data.separator + ")", "notice"));
    result.appendChild(table([root.dataset.row, root.dataset.number, root.dataset.name, root.dataset.department, root.dataset.phone, "CCCD", "BHYT"],
      data.rows.map((r) => [r.row, r.employeeNumber, r.name, r.department, r.phone, r.cccd, r.bhyt]), "roster-preview-table"));
    // What the import will do, before it does it: added and updated, and for a replace, who goes.
    const summary = message(data.added + " " + root.dataset.willAdd + ", " + data.updated + " " + root.dataset.willUpdate, "notice");
    summary.id = "roster-plan";
    result.appendChild(summary);
    if (data.mode === "replace") {
      expectRemoved = data.removed.length;
      if (data.removed.length === 0) {
        result.appendChild(message(root.dataset.removeNobody, "notice"));
      } else {
        const warning = message(root.dataset.willRemove + " " + data.removed.length + " " + root.dataset.people, "error");
        warning.id = "roster-remove-warning";
        result.appendChild(warning);
        result.appendChild(table([root.dataset.number, root.dataset.name, root.dataset.department, root.dataset.phone],
          data.removed.map((r) => [r.employeeNumber, r.name, r.department, r.phone]), "roster-removed-table"));
      }
      confirmButton.textContent = data.removed.length ? root.dataset.confirmReplace + " " + data.removed.length + " " + root.dataset.people : root.dataset.confirmImport;
    } else {
      confirmButton.textContent = root.dataset.confirmImport;
    }
    confirmBox.hidden = false;
  });

  modeSelect.addEventListener("change", () => { confirmBox.hidden = true; expectRemoved = null; result.replaceChildren(); });

  confirmButton.addEventListener("click", async () => {
    if (!bytes) return;
    confirmBox.hidden = true;
    const response = await post(base, bytes);
    const data = await response.json();
    result.replaceChildren();
    if (response.ok) {
      result.appendChild(message(root.dataset.imported + ": " + data.imported, "notice"));
      window.setTimeout(() => window.location.reload(), 600);
    } else {
      const errors = data.errors || [];
      result.appendChild(message(data.error ? problemMessage({ message: data.error.message, messageVi: data.error.messageVi }) : String(response.status), "error"));
      if (errors.length > 0) {
        result.appendChild(table([root.dataset.row, root.dataset.column, root.dataset.problem],
          errors.map((e) => [e.row || "", e.column, problemMessage(e)]), "roster-errors"));
      }
    }
  });
});
