// The split view: connectors between the two ends of each link across the
// panes, scrolling locked on request, and "align" to bring linked passages
// level with each other. Without JavaScript both panes simply scroll.

const compare = document.querySelector("[data-compare]");
const svg = compare?.querySelector("svg.connectors");
const tools = document.querySelector(".compare-tools");
const SVG = "http://www.w3.org/2000/svg";

function panes() {
  return [document.getElementById("pane-a"), document.getElementById("pane-b")];
}

function scroller(pane) {
  return pane?.querySelector(".pane__text, .pane__agenda") || pane;
}

// Each link's two ends: the selection it starts from (#a<id>) and the place it
// arrives at (#l<id>, or the incoming note when it arrives at a whole passage).
function pairs() {
  const [a, b] = panes();
  if (!a || !b) return [];
  const found = [];
  for (const [from, to] of [[a, b], [b, a]]) {
    for (const start of from.querySelectorAll("mark.hl[id^='a']")) {
      const id = start.dataset.annotation;
      const end = to.querySelector(`#l${id}`) || to.querySelector(`#incoming-${id}`);
      if (end) found.push({ id, left: from === a ? start : end, right: from === a ? end : start });
    }
  }
  return found;
}

function draw() {
  if (!svg) return;
  const gutter = svg.parentElement.getBoundingClientRect();
  svg.setAttribute("width", gutter.width);
  svg.setAttribute("height", gutter.height);
  svg.replaceChildren();
  for (const { id, left, right } of pairs()) {
    const l = left.getBoundingClientRect();
    const r = right.getBoundingClientRect();
    const y1 = l.top + l.height / 2 - gutter.top;
    const y2 = r.top + r.height / 2 - gutter.top;
    if ((y1 < 0 && y2 < 0) || (y1 > gutter.height && y2 > gutter.height)) continue;
    const path = document.createElementNS(SVG, "path");
    const w = gutter.width;
    path.setAttribute("d", `M0,${y1} C${w / 2},${y1} ${w / 2},${y2} ${w},${y2}`);
    path.setAttribute("class", "connector");
    path.dataset.link = id;
    svg.append(path);
  }
}

function light(id, on) {
  for (const el of document.querySelectorAll(`path.connector[data-link="${id}"], #l${id}, #incoming-${id}`)) {
    el.classList.toggle("is-active", on);
  }
}

let frame = 0;
function redraw() {
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(draw);
}

// Scrolling: independent, or locked together.
let syncing = false;
function lockScroll(event) {
  const lock = document.getElementById("lock-scroll");
  if (!lock?.checked || syncing) return;
  const [a, b] = panes().map(scroller);
  const other = event.target === a ? b : a;
  if (!other) return;
  syncing = true;
  other.scrollTop += event.target.scrollTop - (event.target.dataset.lastTop || 0);
  requestAnimationFrame(() => { syncing = false; });
}

function rememberTop(event) {
  event.target.dataset.lastTop = event.target.scrollTop;
}

function align() {
  const status = document.getElementById("compare-status");
  const all = pairs();
  if (all.length === 0) {
    status.textContent = "No links join these two texts yet.";
    return;
  }
  const [a, b] = panes().map(scroller);
  // The first link whose left end is in view, or else the first link.
  const top = a.getBoundingClientRect().top;
  const pair = all.find((p) => p.left.getBoundingClientRect().top >= top) || all[0];
  a.scrollTop += pair.left.getBoundingClientRect().top - top - 80;
  b.scrollTop += pair.right.getBoundingClientRect().top - pair.left.getBoundingClientRect().top;
  status.textContent = `Aligned ${all.length === 1 ? "the linked passages" : `link ${all.indexOf(pair) + 1} of ${all.length}`}.`;
  redraw();
}

function wire() {
  for (const pane of panes()) {
    const s = scroller(pane);
    if (!s || s.dataset.wired) continue;
    s.dataset.wired = "1";
    s.addEventListener("scroll", (event) => {
      lockScroll(event);
      rememberTop(event);
      redraw();
    });
  }
  redraw();
}

if (compare) {
  if (tools) tools.hidden = false;
  document.getElementById("align-links")?.addEventListener("click", align);
  window.addEventListener("resize", redraw);
  document.body.addEventListener("htmx:afterSettle", wire);
  document.addEventListener("mouseover", (event) => {
    const el = event.target.closest?.("mark.hl[id^='a'], mark.hl--link-end, .note--incoming");
    if (el) light(el.dataset.annotation || el.dataset.link, true);
  });
  document.addEventListener("mouseout", (event) => {
    const el = event.target.closest?.("mark.hl[id^='a'], mark.hl--link-end, .note--incoming");
    if (el) light(el.dataset.annotation || el.dataset.link, false);
  });
  document.fonts?.ready.then(redraw);
  wire();
}
