// Agenda comparison: hovering or focusing an item highlights its counterparts
// on the other side and announces the correspondence notes. The notes are
// also printed under each item, so nothing depends on this script.

const ACTIVE = "is-active";
const COUNTERPART = "is-counterpart";

function numberOf(item) {
  const text = item?.querySelector(".cmp-item__number")?.textContent ?? "";
  return text.trim().replace(/\.$/, "");
}

function clear(table) {
  for (const el of table.querySelectorAll(`.${ACTIVE}, .${COUNTERPART}`)) {
    el.classList.remove(ACTIVE, COUNTERPART);
  }
}

function activate(table, item, status) {
  clear(table);
  item.classList.add(ACTIVE);
  const notes = [];
  for (const link of item.querySelectorAll(".cmp-link")) {
    const other = document.getElementById(link.dataset.counterpart);
    if (other) other.classList.add(COUNTERPART);
    const note = link.dataset.note ? `: ${link.dataset.note}` : "";
    notes.push(`${link.dataset.relation.toLowerCase()} to item ${numberOf(other)}${note}`);
  }
  if (status) {
    const number = numberOf(item);
    status.textContent = notes.length
      ? `Item ${number}: ${notes.join(" · ")}`
      : `Item ${number} has no counterpart on the other side.`;
  }
}

function setUp(table) {
  const status = document.getElementById("compare-status");
  const onEnter = (event) => {
    const item = event.target.closest(".cmp-item");
    if (item && table.contains(item)) activate(table, item, status);
  };
  table.addEventListener("mouseover", onEnter);
  table.addEventListener("focusin", onEnter);
  table.addEventListener("mouseleave", () => clear(table));
  table.addEventListener("focusout", (event) => {
    if (!table.contains(event.relatedTarget)) clear(table);
  });
}

for (const table of document.querySelectorAll("[data-agenda-compare]")) setUp(table);
