// Place picker for officers' forms: type a name, a poster code or paste the poster's link, pick one
// of the places the server finds inside the officer's jurisdiction. Without this script the form
// still works: the server resolves the typed text and asks to choose when several places match.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-place-picker]").forEach(setUpPlacePicker);
});

function setUpPlacePicker(picker) {
  const input = picker.querySelector("input[name='place']");
  const hidden = picker.querySelector("input[name='placeId'][type='hidden']");
  const results = picker.querySelector(".place-results");
  const chosen = picker.querySelector("#place-chosen");
  if (!input || !hidden || !results) return;
  let timer = null;
  let asked = 0;

  function choose(place) {
    hidden.value = place.id;
    input.value = place.name;
    chosen.textContent = place.name + " (" + place.code + ")";
    results.replaceChildren();
    const choices = picker.querySelector("#place-choices");
    if (choices) choices.remove();
  }

  async function search() {
    const text = input.value.trim();
    const ticket = ++asked;
    if (text.length < 2) { results.replaceChildren(); return; }
    let places = [];
    try {
      const response = await fetch("/api/v1/jurisdiction/places?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      places = await response.json();
    } catch (error) { return; }
    if (ticket !== asked) return; // a later keystroke already asked again
    results.replaceChildren(...places.map((place) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "place-result";
      button.dataset.id = place.id;
      const name = document.createElement("strong");
      name.textContent = place.name;
      const where = document.createElement("span");
      where.className = "muted";
      where.textContent = " " + [place.address, place.unitName, place.code].filter(Boolean).join(" · ");
      button.append(name, where);
      button.addEventListener("click", () => choose(place));
      item.append(button);
      return item;
    }));
    if (places.length === 0) {
      const item = document.createElement("li");
      item.className = "muted";
      item.textContent = picker.dataset.none;
      results.append(item);
    }
  }

  input.addEventListener("input", () => {
    hidden.value = "";
    chosen.textContent = "";
    clearTimeout(timer);
    timer = setTimeout(search, 250);
  });
}
