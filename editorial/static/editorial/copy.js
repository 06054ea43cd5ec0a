// "Copy" beside a read-only field (the preview link): shown only where the clipboard works.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-copy-target]")) {
    const field = document.getElementById(button.dataset.copyTarget);
    const status = document.querySelector("[data-copy-status]");
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = button.dataset.copiedText || "Copied.";
      } catch {
        field.select();
      }
    });
  }
  for (const field of document.querySelectorAll("[data-copy-source]")) {
    field.addEventListener("focus", () => field.select());
  }
});
