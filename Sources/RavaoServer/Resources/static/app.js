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
});

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
