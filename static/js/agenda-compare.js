// Agenda comparison: connector lines between corresponding items, drawn in the
// gutters between the columns (one line per correspondence, styled by relation,
// proposals dashed); hovering or focusing an item lights it, its counterparts
// and their lines, and announces the relations and notes in the status line.
//
// Everything here is an enhancement: every relation and note is also printed
// under each item, so the page reads the same without this script. Lines are
// redrawn whenever the table changes size, and not drawn at all when the
// columns stack on a narrow screen (the gutters are hidden then). After an
// htmx swap of the comparison region the new table is set up the same way.

const SVG_NS = "http://www.w3.org/2000/svg";
const ACTIVE = "is-active";
const COUNTERPART = "is-counterpart";
const LIT = "is-lit";

function numberOf(item) {
  const text = item?.querySelector(".cmp-item__number")?.textContent ?? "";
  return text.trim().replace(/\.$/, "");
}

function nameOf(item, table) {
  // With three or more columns "item 2" is ambiguous: name the side too.
  const many = Number(table.dataset.columns) > 2;
  return many ? `${item.dataset.label} item ${numberOf(item)}` : `item ${numberOf(item)}`;
}

/** One entry per correspondence shown: its two item elements (earlier column first). */
function correspondences(table) {
  const seen = new Map();
  for (const link of table.querySelectorAll(".cmp-link[data-corr]")) {
    if (seen.has(link.dataset.corr)) continue;
    let from = link.closest(".cmp-item");
    let to = document.getElementById(link.dataset.counterpart);
    if (!from || !to) continue;
    if (Number(from.dataset.column) > Number(to.dataset.column)) [from, to] = [to, from];
    seen.set(link.dataset.corr, {
      id: link.dataset.corr,
      from,
      to,
      relation: link.dataset.relationKey,
      status: link.dataset.status,
    });
  }
  return [...seen.values()];
}

function svgElement(name, attributes) {
  const el = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value);
  return el;
}

/** Where a line meets an item: its edge, level with the first line of its text. */
function anchorY(rect) {
  return rect.top + Math.min(rect.height / 2, 22);
}

function draw(frame) {
  const table = frame.querySelector("table");
  const gutters = [...table.querySelectorAll("thead .cmp-gutter")];
  const region = frame.closest(".agenda-comparison") ?? frame;
  let svg = frame.querySelector(":scope > svg.cmp-connectors");
  const shown = gutters.length > 0 && gutters[0].getBoundingClientRect().width > 0;
  region.classList.toggle("has-connectors", shown);
  if (!shown) {
    svg?.remove();
    return;
  }
  if (!svg) {
    svg = svgElement("svg", { class: "cmp-connectors", "aria-hidden": "true", focusable: "false" });
    frame.append(svg);
  }
  const box = frame.getBoundingClientRect();
  svg.setAttribute("width", String(box.width));
  svg.setAttribute("height", String(box.height));
  svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
  svg.replaceChildren();
  for (const corr of correspondences(table)) {
    const fromColumn = Number(corr.from.dataset.column);
    const toColumn = Number(corr.to.dataset.column);
    const before = gutters[toColumn - 1]?.getBoundingClientRect(); // beside the far end
    const after = gutters[fromColumn]?.getBoundingClientRect(); // beside the near end
    if (!before || !after) continue;
    const a = corr.from.getBoundingClientRect();
    const b = corr.to.getBoundingClientRect();
    const x1 = a.right - box.left;
    const x2 = b.left - box.left;
    const y1 = anchorY(a) - box.top;
    const y2 = anchorY(b) - box.top;
    const adjacent = toColumn - fromColumn === 1;
    let d;
    if (adjacent) {
      const dx = (x2 - x1) / 2;
      d = `M ${x1} ${y1} C ${x1 + dx} ${y1}, ${x2 - dx} ${y2}, ${x2} ${y2}`;
    } else {
      // Columns further apart: over the columns between, in a lane just under the top
      // rule of the far item's row (the cells' top padding), never across their text.
      const lane = corr.to.closest("tr").getBoundingClientRect().top + 5 - box.top;
      const m1 = (after.left + after.right) / 2 - box.left;
      const m2 = (before.left + before.right) / 2 - box.left;
      d =
        `M ${x1} ${y1} C ${m1} ${y1}, ${m1} ${lane}, ${after.right - box.left} ${lane} ` +
        `L ${before.left - box.left} ${lane} C ${m2} ${lane}, ${m2} ${y2}, ${x2} ${y2}`;
    }
    const classes = [
      "cmp-connector",
      `cmp-connector--${corr.relation}`,
      `cmp-connector--${corr.status}`,
      adjacent ? "" : "cmp-connector--far",
    ];
    const group = svgElement("g", {
      class: classes.join(" ").trim(),
      "data-corr": corr.id,
      "data-from": corr.from.id,
      "data-to": corr.to.id,
    });
    group.append(
      svgElement("path", {
        class: "cmp-connector__line",
        d,
      }),
      svgElement("circle", { class: "cmp-connector__end", cx: x1, cy: y1, r: 3.5 }),
      svgElement("circle", { class: "cmp-connector__end", cx: x2, cy: y2, r: 3.5 }),
    );
    svg.append(group);
  }
}

function clear(frame) {
  frame.classList.remove("is-focusing");
  for (const el of frame.querySelectorAll(`.${ACTIVE}, .${COUNTERPART}, .${LIT}`)) {
    el.classList.remove(ACTIVE, COUNTERPART, LIT);
  }
}

function activate(frame, table, item) {
  clear(frame);
  frame.classList.add("is-focusing");
  item.classList.add(ACTIVE);
  for (const line of frame.querySelectorAll(".cmp-connector")) {
    if (line.dataset.from === item.id || line.dataset.to === item.id) line.classList.add(LIT);
  }
  const notes = [];
  for (const link of item.querySelectorAll(".cmp-link")) {
    const other = document.getElementById(link.dataset.counterpart);
    if (other) other.classList.add(COUNTERPART);
    const note = link.dataset.note ? `: ${link.dataset.note}` : "";
    const proposed =
      link.dataset.status === "proposed" ? ` (proposed by ${link.dataset.proposer})` : "";
    notes.push(`${link.dataset.relation.toLowerCase()} to ${nameOf(other, table)}${note}${proposed}`);
  }
  const status = document.getElementById("compare-status");
  if (status) {
    const name = nameOf(item, table);
    const title = name.charAt(0).toUpperCase() + name.slice(1);
    status.textContent = notes.length
      ? `${title}: ${notes.join(" · ")}`
      : `${title} has no counterpart on the other side.`;
  }
}

function setUp(frame) {
  if (frame.dataset.ready) return;
  frame.dataset.ready = "true";
  const table = frame.querySelector("table");
  const onEnter = (event) => {
    const item = event.target.closest(".cmp-item");
    if (item && table.contains(item)) activate(frame, table, item);
  };
  table.addEventListener("mouseover", onEnter);
  table.addEventListener("focusin", onEnter);
  table.addEventListener("mouseleave", () => {
    // Back to the item that has keyboard focus, if any; else nothing lit.
    const focused = document.activeElement?.closest?.(".cmp-item");
    if (focused && table.contains(focused)) activate(frame, table, focused);
    else clear(frame);
  });
  table.addEventListener("focusout", (event) => {
    if (!table.contains(event.relatedTarget)) clear(frame);
  });

  let pending = 0;
  const redraw = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      if (!frame.isConnected) return observer.disconnect();
      draw(frame);
      const active = frame.querySelector(`.cmp-item.${ACTIVE}`);
      if (active) activate(frame, table, active);
    });
  };
  const observer = new ResizeObserver(redraw);
  observer.observe(table);
  draw(frame);
}

function setUpAll() {
  for (const frame of document.querySelectorAll("[data-agenda-compare]")) setUp(frame);
}

setUpAll();
document.addEventListener("htmx:afterSettle", setUpAll);
