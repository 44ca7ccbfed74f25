// Copy buttons: <button data-copy-target="id" hidden> copies the text of #id.
// Without JavaScript (or without the clipboard API) the button stays hidden
// and the text remains selectable as ordinary text.

function setUp(root = document) {
  if (!navigator.clipboard) return;
  for (const button of root.querySelectorAll("button[data-copy-target]")) {
    if (button.dataset.copyReady) continue;
    button.dataset.copyReady = "1";
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copyTarget);
      const status = button.parentElement.querySelector(".copy-status");
      if (!source) return;
      try {
        await navigator.clipboard.writeText(source.textContent.trim());
        if (status) status.textContent = "Copied to the clipboard.";
      } catch {
        if (status) status.textContent = "Could not copy; select the text and copy it instead.";
      }
      if (status) setTimeout(() => { status.textContent = ""; }, 4000);
    });
  }
}

setUp();
document.addEventListener("htmx:afterSettle", (event) => setUp(event.target));
