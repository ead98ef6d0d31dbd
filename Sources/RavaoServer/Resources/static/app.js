// Ravao pages: the address picker cascade, vehicle fields, confirmations, printing and the live view.
// Plain JS, no build step; every page works without it except the cascading ward picker.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  setUpUnitPicker();
  setUpTypeFields();
  setUpLiveView();
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  setUpSignOut();
  setUpTables();
});

// Data tables (issue 18): on a phone each row becomes a card whose cells carry their column's name;
// a table of two rows or more sorts by any column (numbers as numbers, dd/mm/yyyy dates as dates);
// a table marked data-hide-empty offers to hide rows whose figures are all zero. Without scripts
// the table still scrolls inside itself (app.css) instead of widening the page.
const TABLE_WORDS = {
  vi: { sortBy: "Sắp xếp theo", hideEmpty: "Ẩn các dòng toàn số 0", hidden: "dòng đã ẩn" },
  en: { sortBy: "Sort by", hideEmpty: "Hide rows that are all zeros", hidden: "rows hidden" },
};

function setUpTables() {
  const words = TABLE_WORDS[document.documentElement.lang] || TABLE_WORDS.vi;
  document.querySelectorAll("main table").forEach((table, index) => {
    const head = table.tHead && table.tHead.rows[0];
    const body = table.tBodies[0];
    if (!head || !body) return;
    const names = [...head.cells].map((th) => th.textContent.trim());
    for (const row of body.rows) {
      [...row.cells].forEach((cell, i) => {
        if (names[i] && !cell.dataset.label) cell.dataset.label = names[i];
        // An empty cell is left out of the phone's card rather than shown as a bare heading.
        if (!cell.textContent.trim() && !cell.querySelector("a, button, input, select, img, svg")) cell.classList.add("empty-cell");
      });
    }
    table.classList.add("cards");
    if (body.rows.length >= 2 && !table.hasAttribute("data-nosort")) makeSortable(table, head, body, words);
    if (table.hasAttribute("data-hide-empty")) addHideEmpty(table, body, words, index);
  });
}

function cellKey(cell) {
  const text = (cell.dataset.sort || cell.textContent).trim();
  const date = text.match(/^(?:(\d{1,2}):(\d{2}) )?(\d{1,2})\/(\d{1,2})\/(\d{4})/);
  if (date) return Date.UTC(+date[5], +date[4] - 1, +date[3], +(date[1] || 0), +(date[2] || 0));
  const number = text.replace(/[\s.,%]/g, "");
  return /^-?\d+$/.test(number) && text !== "" ? Number(number) : text.toLocaleLowerCase();
}

function makeSortable(table, head, body, words) {
  [...head.cells].forEach((th, column) => {
    const label = th.textContent.trim();
    if (!label) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = label;
    button.setAttribute("aria-label", `${words.sortBy} ${label}`);
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      [...head.cells].forEach((other) => other.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const rows = [...body.rows];
      rows.sort((a, b) => {
        const x = a.cells[column] ? cellKey(a.cells[column]) : "", y = b.cells[column] ? cellKey(b.cells[column]) : "";
        const order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), document.documentElement.lang || "vi");
        return ascending ? order : -order;
      });
      rows.forEach((row) => body.appendChild(row));
    });
  });
}

function addHideEmpty(table, body, words, index) {
  const empty = [...body.rows].filter((row) => {
    const figures = [...row.cells].slice(1).map((cell) => cell.textContent.trim()).filter((text) => /^[\d.,\s%]+$/.test(text));
    return figures.length > 0 && figures.every((text) => Number(text.replace(/[^\d]/g, "")) === 0);
  });
  if (!empty.length) return;
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.checked = true;
  box.id = `hide-empty-${index}`;
  box.className = "hide-empty";
  const note = document.createElement("span");
  const text = document.createElement("span");
  text.append(`${words.hideEmpty} `, note);
  label.append(box, text);
  table.before(label);
  const apply = () => {
    empty.forEach((row) => { row.hidden = box.checked; });
    note.textContent = box.checked ? `(${empty.length} ${words.hidden})` : "";
  };
  box.addEventListener("change", apply);
  apply();
}

// The personal QR kept for offline display belongs to whoever is signed in: signing out forgets it
// (only that cache: a kiosk's queued scans on the same browser must survive).
function setUpSignOut() {
  document.querySelectorAll("form[action='/signout']").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (!("caches" in window) || form.dataset.cleared) return;
      event.preventDefault();
      try {
        // Every version of it (the worker's cache name changes when its files do).
        for (const name of await caches.keys()) if (name.startsWith("ravao-me-")) await caches.delete(name);
        if (navigator.serviceWorker) {
          for (const registration of await navigator.serviceWorker.getRegistrations()) {
            if (new URL(registration.scope).pathname.startsWith("/me")) await registration.unregister();
          }
        }
      } catch (error) { /* sign out regardless */ }
      form.dataset.cleared = "1";
      form.submit();
    });
  });
}

async function fetchUnits(parent) {
  const url = "/api/v1/units" + (parent ? "?parent=" + encodeURIComponent(parent) : "");
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error("units " + response.status);
  return response.json();
}

function fillSelect(select, units, selected) {
  const first = select.options[0];
  select.replaceChildren(first);
  for (const unit of units) {
    const option = new Option(unit.name, unit.code, false, unit.code === selected);
    select.add(option);
  }
}

// Province → (district) → ward. The 2025 list has two levels; the 2021 list has three, and the
// district select appears only when a province's children are districts. A page may hold several
// pickers; one marked data-multi gets an "add another" button that appends a fresh copy.
function setUpUnitPicker() {
  document.querySelectorAll("fieldset.units").forEach((fieldset) => wireUnitPicker(fieldset));
}

function wireUnitPicker(fieldset) {
  const province = fieldset.querySelector("select[data-level='province']");
  const district = fieldset.querySelector("select[data-level='district']");
  const districtLabel = fieldset.querySelector(".district-level");
  const ward = fieldset.querySelector("select[data-level='ward']");
  if (!province || !district || !ward) return;

  async function provinceChanged(selectedDistrict, selectedWard) {
    fillSelect(district, [], "");
    fillSelect(ward, [], "");
    districtLabel.hidden = true;
    // "VN" (the whole country) has no wards to offer.
    if (!province.value || province.value === "VN") return;
    const children = await fetchUnits(province.value);
    if (children.length && children[0].level === "district") {
      districtLabel.hidden = false;
      fillSelect(district, children, selectedDistrict);
      if (district.value) await districtChanged(selectedWard);
    } else {
      fillSelect(ward, children, selectedWard);
    }
  }

  async function districtChanged(selectedWard) {
    fillSelect(ward, [], "");
    if (!district.value) return;
    fillSelect(ward, await fetchUnits(district.value), selectedWard);
  }

  province.addEventListener("change", () => provinceChanged("", ""));
  district.addEventListener("change", () => districtChanged(""));
  if (province.value) provinceChanged(fieldset.dataset.district, fieldset.dataset.ward);

  const add = fieldset.querySelector(".unit-add");
  if (add && fieldset.dataset.multi !== undefined) {
    add.hidden = false;
    add.addEventListener("click", () => {
      const copy = fieldset.cloneNode(true);
      const n = document.querySelectorAll("fieldset.units[data-multi]").length + 1;
      copy.dataset.province = ""; copy.dataset.district = ""; copy.dataset.ward = "";
      copy.querySelectorAll("select").forEach((select) => {
        select.id = select.id + "-" + n;
        select.value = "";
        if (select.dataset.level !== "province") fillSelect(select, [], "");
      });
      copy.querySelector(".district-level").hidden = true;
      copy.querySelectorAll("legend").forEach((legend) => legend.remove());
      add.remove();
      fieldset.after(copy);
      wireUnitPicker(copy);
      copy.querySelector("select[data-level='province']").focus();
    });
  }
}

function setUpTypeFields() {
  const type = document.querySelector("#type");
  if (!type) return;
  const vehicleOnly = document.querySelectorAll(".vehicle-only");
  const stay = document.querySelector("#defaultStayMinutes");
  function update() {
    const isVehicle = type.value === "vehicle";
    vehicleOnly.forEach((element) => { element.hidden = !isVehicle; });
    const option = type.selectedOptions[0];
    if (stay && option && option.dataset.stay) stay.placeholder = option.dataset.stay;
  }
  type.addEventListener("change", update);
  update();
}

// The place page's live panel: the server pushes a snapshot (counts + latest scans) whenever
// check-ins commit; EventSource reconnects by itself when the connection drops.
function setUpLiveView() {
  const panel = document.querySelector("#live[data-live-url]");
  if (!panel || !window.EventSource) return;
  const state = panel.querySelector("#live-state");
  const list = panel.querySelector("#live-recent");
  const labels = { in: panel.dataset.in, out: panel.dataset.out };
  const source = new EventSource(panel.dataset.liveUrl);
  source.addEventListener("open", () => { state.textContent = ""; });
  source.addEventListener("error", () => { state.textContent = panel.dataset.disconnected; });
  source.addEventListener("snapshot", (event) => {
    const snapshot = JSON.parse(event.data);
    for (const key of ["entries", "exits", "people", "present"]) {
      panel.querySelector("#live-" + key).textContent = String(snapshot.counts[key]);
    }
    list.replaceChildren(...snapshot.recent.map((entry) => {
      const item = document.createElement("li");
      item.className = "dir-" + entry.direction;
      item.dataset.id = entry.id;
      const time = document.createElement("time");
      time.dateTime = entry.scannedAt;
      time.textContent = entry.time;
      const direction = document.createElement("span");
      direction.className = "dir";
      direction.textContent = labels[entry.direction] || entry.direction;
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = entry.name;
      item.append(time, " ", direction, " ", name);
      return item;
    }));
    if (snapshot.recent.length === 0) {
      const empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = panel.dataset.empty;
      list.append(empty);
    }
  });
}
