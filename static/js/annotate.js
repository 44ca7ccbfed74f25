// Annotating in the reading view (and in each pane of the split view): a
// selection inside one passage offers "Annotate" and "Link…"; the form is
// fetched with htmx into that passage's margin. A link is begun on one
// selection and finished on another, in the same text or another one (the
// start is kept in sessionStorage, so it survives going to another page).
// Highlights and margin cards light each other up on hover and focus.
//
// Offsets: every rendered paragraph carries data-start, its offset in the
// passage text, and its textContent is exactly that stretch of the text
// (see readingroom/spans.py), so a DOM position maps to a character offset
// by counting the text before it inside its paragraph.

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

// The floating actions for a selection: "Annotate" and "Link…" (or, with a
// link begun, "Link here").
let actions = null;
let pending = null;
const LINK_KEY = "readingroom:link-start";

function linkStart() {
  try {
    return JSON.parse(sessionStorage.getItem(LINK_KEY) || "null");
  } catch {
    return null;
  }
}

function button(label, onClick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  b.addEventListener("click", onClick);
  return b;
}

function hideActions() {
  if (actions) actions.hidden = true;
  pending = null;
}

function showActions(selection, label = "Annotate") {
  if (!actions) {
    actions = document.createElement("div");
    actions.className = "annotate-actions";
    document.body.append(actions);
  }
  const annotate = button(label, openForm);
  annotate.className = "annotate-button";
  annotate.setAttribute("aria-keyshortcuts", "A");
  const buttons = [annotate];
  if (selection.linkUrl) {
    const start = linkStart();
    const link = start ? button("Link here", linkHere) : button("Link…", beginLink);
    link.className = "annotate-button annotate-button--link";
    link.setAttribute("aria-keyshortcuts", "L");
    buttons.push(link);
  }
  actions.replaceChildren(...buttons);
  pending = selection;
  actions.hidden = false;
  // Under the selection; a whole passage's offer sits at its top, beside the focus.
  const y = selection.whole ? selection.rect.top - 4 : selection.rect.bottom + 6;
  actions.style.top = `${window.scrollY + Math.max(0, y)}px`;
  actions.style.left = `${window.scrollX + Math.max(8, selection.rect.left)}px`;
  if (selection.whole) {
    // At the passage's top right corner, above its first line (Enter or A opens it).
    actions.classList.add("annotate-actions--passage");
    actions.style.top = `${window.scrollY + Math.max(0, selection.rect.top) - actions.offsetHeight - 4}px`;
    actions.style.left = `${window.scrollX + Math.max(8, selection.rect.right - actions.offsetWidth)}px`;
  } else {
    actions.classList.remove("annotate-actions--passage");
  }
}

// Where the selection the open form is for stood on the page, so the form can
// open level with it instead of at the top of the margin.
let composeAt = null;

function openForm() {
  if (!pending) return;
  const { passage, start, end, exact, annotateUrl } = pending;
  composeAt = { passage: String(passage), y: pending.rect.top + window.scrollY };
  const params = new URLSearchParams({ passage, start, end, exact });
  htmx.ajax("GET", `${annotateUrl}?${params}`, { target: `#compose-${passage}`, swap: "innerHTML" });
  hideActions();
}

function beginLink() {
  if (!pending) return;
  const { passage, start, end, exact, linkUrl } = pending;
  sessionStorage.setItem(LINK_KEY, JSON.stringify({ passage, start, end, exact, linkUrl }));
  window.getSelection()?.removeAllRanges();
  hideActions();
  showLinkBanner();
}

function linkHere() {
  const start = linkStart();
  if (!pending || !start) return;
  const params = new URLSearchParams({
    passage: start.passage, start: start.start, end: start.end, exact: start.exact,
    target_passage: pending.passage, target_start: pending.start,
    target_end: pending.end, target_exact: pending.exact,
  });
  composeAt = { passage: String(pending.passage), y: pending.rect.top + window.scrollY };
  htmx.ajax("GET", `${start.linkUrl}?${params}`, { target: `#compose-${pending.passage}`, swap: "innerHTML" });
  hideActions();
}

function showLinkBanner() {
  const start = linkStart();
  document.getElementById("link-banner")?.remove();
  if (!start) return;
  const banner = document.createElement("div");
  banner.id = "link-banner";
  banner.className = "link-banner";
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-label", "Linking");
  const text = document.createElement("p");
  const quote = start.exact.length > 80 ? `${start.exact.slice(0, 79)}…` : start.exact;
  text.textContent = `Linking from “${quote}”. Select the other end in any text and choose “Link here”.`;
  const other = button("Link to a person, cable or agenda item instead", () => {
    const params = new URLSearchParams({ passage: start.passage, start: start.start, end: start.end, exact: start.exact });
    htmx.ajax("GET", `${start.linkUrl}?${params}`, { target: "#link-slot", swap: "innerHTML" });
  });
  other.className = "link-button";
  const cancel = button("Cancel", () => {
    sessionStorage.removeItem(LINK_KEY);
    banner.remove();
  });
  cancel.className = "link-button";
  const slot = document.createElement("div");
  slot.id = "link-slot";
  banner.append(text, other, cancel, slot);
  document.body.append(banner);
}

function onSelectionEnd() {
  const selection = currentSelection();
  const reading = selection && document.querySelector(`.passage__text[data-passage-id="${selection.passage}"]`)?.closest(".reading");
  if (selection && reading && reading.dataset.annotateUrl) {
    selection.annotateUrl = reading.dataset.annotateUrl;
    selection.linkUrl = reading.dataset.linkUrl || "";
    showActions(selection);
  } else {
    hideActions();
  }
}

// How the reader points: a selection made by touch (a long press, then the
// handles) ends with no mouseup or keyup, so the selection itself is watched
// (selectionchange), and the actions follow it once it rests; a mouse drag is
// read at mouseup instead, so they do not flicker under the pointer.
let pointer = "mouse";
let mouseDown = false;
let resting = null;
document.addEventListener("pointerdown", (event) => {
  pointer = event.pointerType || "mouse";
  mouseDown = pointer === "mouse";
}, true);
document.addEventListener("pointerup", () => { mouseDown = false; }, true);

if (document.querySelector(".reading")) {
  document.addEventListener("mouseup", (event) => {
    if (event.target instanceof Element && event.target.closest(".annotate-actions")) return;
    setTimeout(onSelectionEnd, 0);
  });
  document.addEventListener("keyup", (event) => {
    if (event.key === "Shift" || event.key.startsWith("Arrow") || event.key === "End" || event.key === "Home") {
      onSelectionEnd();
    }
  });
  document.addEventListener("selectionchange", () => {
    if (mouseDown) return;
    clearTimeout(resting);
    resting = setTimeout(() => {
      const sel = window.getSelection();
      // A passage's own "Annotate this passage" is not undone by an empty selection.
      if (sel && sel.isCollapsed && pending?.whole) return;
      onSelectionEnd();
    }, 200);
  });
  // The keyboard's way in: a focused passage offers "Annotate this passage".
  document.addEventListener("focusin", (event) => {
    const passage = event.target instanceof Element && event.target.matches(".passage[tabindex]") ? event.target : null;
    // Only a keyboard's focus: a click into the text focuses the passage too.
    if (!passage || !passage.matches(":focus-visible")) return;
    const text = passage.querySelector(".passage__text");
    const reading = passage.closest(".reading");
    if (!text || !reading?.dataset.annotateUrl) return;
    const whole = document.createRange();
    whole.selectNodeContents(text);
    const paragraphs = text.querySelectorAll("p[data-start]");
    const last = paragraphs[paragraphs.length - 1];
    if (!last) return;
    const selection = {
      passage: text.dataset.passageId,
      start: Number(paragraphs[0].dataset.start),
      end: Number(last.dataset.start) + last.textContent.length,
      exact: whole.toString(),
      rect: passage.getBoundingClientRect(),
      annotateUrl: reading.dataset.annotateUrl,
      linkUrl: "",
      whole: true,
    };
    showActions(selection, "Annotate this passage");
    actions.querySelector(".annotate-button")?.setAttribute("aria-keyshortcuts", "Enter A");
  });
  document.addEventListener("focusout", (event) => {
    if (!pending?.whole) return;
    const next = event.relatedTarget;
    if (next instanceof Element && next.closest(".annotate-actions")) return;
    setTimeout(() => {
      if (pending?.whole && !document.activeElement?.closest?.(".annotate-actions, .passage[tabindex]")) hideActions();
    }, 0);
  });
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest?.("input, textarea, select, [contenteditable]");
    if (event.key === "Escape") hideActions();
    if (typing || event.ctrlKey || event.metaKey || event.altKey || !pending) return;
    if (event.key === "Enter" && pending.whole && event.target.matches?.(".passage[tabindex]")) {
      event.preventDefault();
      openForm();
      return;
    }
    if (event.key === "a" || event.key === "A") {
      event.preventDefault();
      openForm();
    } else if ((event.key === "l" || event.key === "L") && pending.linkUrl) {
      event.preventDefault();
      if (linkStart()) linkHere();
      else beginLink();
    }
  });
  showLinkBanner();
  // A saved link ends the linking; the page reloads to show both ends.
  document.body.addEventListener("link-saved", () => {
    sessionStorage.removeItem(LINK_KEY);
    window.location.reload();
  });
}

// Focus follows the swap: into a new or edited form, or back to the card
// that was saved (an outerHTML swap hands over the old, detached element).
document.body.addEventListener("htmx:afterSwap", (event) => {
  let target = event.detail.target;
  if (target && !target.isConnected && target.id) target = document.getElementById(target.id);
  if (!target) return;
  const form = target.matches?.("form.compose") ? target : target.querySelector?.("form.compose");
  if (form) {
    form.querySelector("textarea, select, input:not([type=hidden])")?.focus({ preventScroll: true });
    layoutMargins();
    form.scrollIntoView({ block: "nearest" });
  }
});
document.body.addEventListener("annotation-saved", (event) => {
  const id = event.detail?.id;
  document.body.addEventListener(
    "htmx:afterSettle",
    () => document.querySelector(`#card-${id} a, #card-${id} button`)?.focus({ preventScroll: true }),
    { once: true },
  );
});
document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-cancel]");
  if (!cancel) return;
  const slot = cancel.closest(".compose-slot, #link-slot");
  if (slot) slot.replaceChildren();
  else cancel.closest("form.compose")?.remove();
  scheduleLayout();
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
addKeys(document);
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

// A tap on a highlight inside a link (a name: the person's page) shows its
// note first, as hovering does with a mouse; a second tap follows the link.
document.addEventListener("click", (event) => {
  if (pointer === "mouse" || !(event.target instanceof Element)) return;
  const mark = event.target.closest("mark.hl[data-annotation]");
  const link = event.target.closest("a[href]:not(.hl-key)");
  if (!mark || !link) return; // both hold the tapped word, so one is inside the other
  if (mark.classList.contains("is-focus")) return; // the second tap: follow the link
  event.preventDefault();
  for (const el of document.querySelectorAll("mark.hl.is-focus, .note.is-focus")) el.classList.remove("is-focus");
  const ids = idsAt(mark);
  light(ids, true);
  for (const el of document.querySelectorAll(`mark.hl[data-annotation="${ids[0]}"]`)) el.classList.add("is-focus");
  const card = document.getElementById(`card-${ids[0]}`);
  if (card) {
    card.classList.add("is-focus");
    card.scrollIntoView({ block: "nearest" });
  }
}, true);

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
  mark.querySelector("a.hl-key")?.focus({ preventScroll: true });
  history.replaceState(null, "", `#a${link.dataset.goto}`);
});

// Beside the text (wide screens), each margin note starts level with its
// highlight, pushed down only as far as the note above it needs.
function besideText(margin) {
  // The margin sits beside the text when the row has two grid columns.
  return getComputedStyle(margin.parentElement).gridTemplateColumns.trim().split(/\s+/).length > 1;
}

function layoutMargins() {
  for (const margin of document.querySelectorAll(".passage-row > .margin")) {
    // Cards, and the edit and delete forms that stand in a card's place (id card-N):
    // each starts level with its highlight.
    const cards = [...margin.querySelectorAll(":scope > article.note, :scope > form.compose[id^='card-']")];
    for (const card of cards) card.style.marginTop = "";
    const slot = margin.querySelector(".compose-slot");
    if (slot) slot.style.marginTop = "";
    const composing = slot?.childElementCount > 0;
    if (!besideText(margin) || (cards.length === 0 && !composing)) continue;
    const top = margin.getBoundingClientRect().top;
    if (composing && composeAt && slot.id === `compose-${composeAt.passage}`) {
      slot.style.marginTop = `${Math.max(0, Math.round(composeAt.y - window.scrollY - top))}px`;
    }
    let cursor = slot ? slot.getBoundingClientRect().bottom - top : 0;
    const scope = margin.closest(".reading") || document;
    for (const card of cards) {
      const formId = card.matches("form") ? card.id.replace(/^card-/, "") : "";
      const id = card.dataset.annotation || formId || card.dataset.link;
      const incoming = !card.dataset.annotation && !formId;
      const mark = scope.querySelector(incoming ? `#l${id}` : `#a${id}`) || (formId && scope.querySelector(`#l${id}`));
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
if (document.querySelector(".reading")) {
  scheduleLayout();
  window.addEventListener("resize", scheduleLayout);
  document.fonts?.ready.then(scheduleLayout);
  document.body.addEventListener("htmx:afterSettle", scheduleLayout);
  document.addEventListener("toggle", scheduleLayout, true);
}

// Text first: on a wide screen "About this record" is the side panel, open
// (CSS shows it open where ::details-content is supported; this opens it in
// the others). On a narrow screen it stays a closed block above the text.
const record = document.getElementById("record");
if (record && window.matchMedia("(min-width: 78rem)").matches) record.open = true;

// A search result opens at its best match: the address names the passage
// (#p4) and the terms (?hl=); bring the first marked term in it into view
// rather than the passage's top, which may be a long way above it.
if (new URLSearchParams(location.search).has("hl") && location.hash) {
  const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
  const first = target && target.querySelector("mark.hit");
  if (first) {
    first.classList.add("is-current");
    requestAnimationFrame(() => first.scrollIntoView({ block: "center" }));
  }
}
