// Search on a phone: the facets fold under "Filter" after the results; the
// "Filter the results" link by the count opens them and goes there. (Browsers
// that open a closed <details> for a fragment inside it need none of this.)
document.addEventListener("click", (event) => {
  const jump = event.target instanceof Element && event.target.closest(".search-filter-jump");
  if (!jump) return;
  const filter = document.getElementById("search-filter");
  if (filter) filter.open = true;
});
