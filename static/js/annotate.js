// Annotating in the reading view: a selection inside one passage offers
// "Annotate"; the form is fetched with htmx into that passage's margin.
// Highlights and margin cards light each other up on hover and focus.
//
// Offsets: every rendered paragraph carries data-start, its offset in the
// passage text, and its textContent is exactly that stretch of the text
// (see readingroom/spans.py), so a DOM position maps to a character offset
// by counting the text before it inside its paragraph.

const section = document.getElementById("reading-text");

function paragraphOf(node) {
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return el && el.closest("p[data-start]");
}

function textBefore(paragraph, node, offset) {
  // Characters of `paragraph` before the DOM position (node, offset).
  const range = document.createRange();
  range.selectNodeContents(paragraph);
  range.setEnd(node, offset);
  return range.toString().length;
}

function edgeOffset(node, offset, passageText, isStart) {
  const paragraph = paragraphOf(node);
  if (paragraph && passageText.contains(paragraph)) {
    return Number(paragraph.dataset.start) + textBefore(paragraph, node, offset);
  }
  // Between paragraphs: snap to the next paragraph's start (for the start of a
  // selection) or to the previous paragraph's end (for its end).
  const point = document.createRange();
  point.setStart(node, offset);
  let previousEnd = 0;
  for (const p of passageText.querySelectorAll("p[data-start]")) {
    const whole = document.createRange();
    whole.selectNodeContents(p);
    if (point.compareBoundaryPoints(Range.START_TO_START, whole) <= 0) {
      return isStart ? Number(p.dataset.start) : previousEnd;
    }
    previousEnd = Number(p.dataset.start) + p.textContent.length;
  }
  return previousEnd;
}

function passageTextOf(node) {
  const el = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return el && el.closest(".passage__text");
}

function currentSelection() {
  const sel = window.getSelection();
  if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
  const range = sel.getRangeAt(0);
  const container = passageTextOf(range.startContainer);
  if (!container || container !== passageTextOf(range.endContainer)) return null;
  const start = edgeOffset(range.startContainer, range.startOffset, container, true);
  const end = edgeOffset(range.endContainer, range.endOffset, container, false);
  const exact = range.toString();
  if (end <= start || !exact.trim()) return null;
  const rect = range.getBoundingClientRect();
  return { passage: container.dataset.passageId, start, end, exact, rect };
}

let button = null;
let pending = null;

function hideButton() {
  if (button) button.hidden = true;
  pending = null;
}

function showButton(selection) {
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.className = "annotate-button";
    button.textContent = "Annotate";
    button.setAttribute("aria-keyshortcuts", "A");
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", openForm);
    document.body.append(button);
  }
  pending = selection;
  button.hidden = false;
  button.style.top = `${window.scrollY + selection.rect.bottom + 6}px`;
  button.style.left = `${window.scrollX + Math.max(8, selection.rect.left)}px`;
}

function openForm() {
  if (!pending || !section) return;
  const { passage, start, end, exact } = pending;
  const params = new URLSearchParams({ passage, start, end, exact });
  const url = `${section.dataset.annotateUrl}?${params}`;
  htmx.ajax("GET", url, { target: `#compose-${passage}`, swap: "innerHTML" });
  hideButton();
}

function onSelectionEnd() {
  if (!section || !section.dataset.annotateUrl) return;
  const selection = currentSelection();
  if (selection) showButton(selection);
  else hideButton();
}

if (section) {
  document.addEventListener("mouseup", () => setTimeout(onSelectionEnd, 0));
  document.addEventListener("keyup", (event) => {
    if (event.key === "Shift" || event.key.startsWith("Arrow") || event.key === "End" || event.key === "Home") {
      onSelectionEnd();
    }
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") hideButton();
    if (!typing && (event.key === "a" || event.key === "A") && !event.ctrlKey && !event.metaKey && !event.altKey && pending) {
      event.preventDefault();
      openForm();
    }
  });
}

// Focus the new form; cancel clears it.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const form = event.detail.target.querySelector?.("form.compose") || (event.detail.target.matches?.("form.compose") && event.detail.target);
  if (form) form.querySelector("textarea")?.focus();
});
document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-cancel]");
  if (cancel) cancel.closest(".compose-slot, form.compose")?.replaceChildren();
});

// Keyboard access to highlights: a focusable, empty link at the start of each
// one (empty, so the text stays exactly the passage text; not the highlight
// itself, because a focusable element cannot start a mouse selection).
function addKeys(root) {
  for (const mark of root.querySelectorAll("mark.hl[id]")) {
    if (mark.querySelector(":scope > a.hl-key")) continue;
    const key = document.createElement("a");
    key.className = "hl-key";
    key.href = `#card-${mark.dataset.annotation}`;
    const card = document.getElementById(`card-${mark.dataset.annotation}`);
    key.setAttribute("aria-label", card ? card.getAttribute("aria-label") : "Annotation");
    mark.prepend(key);
  }
}
if (section) addKeys(section);
document.body.addEventListener("htmx:afterSettle", (event) => addKeys(event.detail.target.parentElement || document));

// Highlights <-> margin cards.
function idsAt(el) {
  const ids = [];
  for (let mark = el.closest("mark.hl"); mark; mark = mark.parentElement.closest("mark.hl")) {
    ids.push(mark.dataset.annotation);
  }
  return ids;
}

function light(ids, on) {
  for (const id of ids) {
    document.getElementById(`card-${id}`)?.classList.toggle("is-active", on);
    for (const mark of document.querySelectorAll(`mark.hl[data-annotation="${id}"]`)) {
      mark.classList.toggle("is-active", on);
    }
  }
}

function cardId(el) {
  const card = el.closest("article.note[data-annotation]");
  return card ? [card.dataset.annotation] : [];
}

for (const [type, on] of [["mouseover", true], ["mouseout", false], ["focusin", true], ["focusout", false]]) {
  document.addEventListener(type, (event) => {
    if (!(event.target instanceof Element)) return;
    const ids = event.target.closest("mark.hl") ? idsAt(event.target) : cardId(event.target);
    if (ids.length) light(ids, on);
  });
}

// A card's quote takes the reader to its highlight and marks it.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-goto]");
  if (!link) return;
  const mark = document.getElementById(`a${link.dataset.goto}`);
  if (!mark) return;
  event.preventDefault();
  for (const el of document.querySelectorAll(".is-focus")) el.classList.remove("is-focus");
  mark.scrollIntoView({ behavior: "smooth", block: "center" });
  light([link.dataset.goto], true);
  for (const el of document.querySelectorAll(`mark.hl[data-annotation="${link.dataset.goto}"]`)) {
    el.classList.add("is-focus");
  }
  mark.focus({ preventScroll: true });
  history.replaceState(null, "", `#a${link.dataset.goto}`);
});

// Beside the text (wide screens), each margin note starts level with its
// highlight, pushed down only as far as the note above it needs.
const wide = window.matchMedia("(min-width: 68rem)");

function layoutMargins() {
  for (const margin of document.querySelectorAll(".passage-row > .margin")) {
    const cards = [...margin.querySelectorAll(":scope > article.note")];
    for (const card of cards) card.style.marginTop = "";
    if (!wide.matches || cards.length === 0) continue;
    const top = margin.getBoundingClientRect().top;
    const slot = margin.querySelector(".compose-slot");
    let cursor = slot ? slot.getBoundingClientRect().bottom - top : 0;
    for (const card of cards) {
      const mark = document.getElementById(`a${card.dataset.annotation}`);
      const wanted = mark ? mark.getBoundingClientRect().top - top : cursor;
      const gap = Math.max(0, Math.round(wanted - cursor));
      card.style.marginTop = `${gap}px`;
      cursor += gap + card.getBoundingClientRect().height + parseFloat(getComputedStyle(card).marginBottom);
    }
  }
}

let layoutPending = false;
function scheduleLayout() {
  if (layoutPending) return;
  layoutPending = true;
  requestAnimationFrame(() => {
    layoutPending = false;
    layoutMargins();
  });
}
if (section) {
  scheduleLayout();
  window.addEventListener("resize", scheduleLayout);
  wide.addEventListener("change", scheduleLayout);
  document.fonts?.ready.then(scheduleLayout);
  document.body.addEventListener("htmx:afterSettle", scheduleLayout);
  document.addEventListener("toggle", scheduleLayout, true);
}
