/*
 * Click-to-load embeds (templates/embeds/_embed.html): nothing is asked of a third party
 * until the reader clicks "Load video from YouTube". The placeholder is a link to the
 * original, so without this script, or with a modified click (new tab), it simply opens it.
 * Loaded with <script src=... defer>: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  const ALLOW = "autoplay; encrypted-media; picture-in-picture; fullscreen";

  function aspectRatio(figure) {
    const [width, height] = (figure.dataset.embedRatio || "").split("/").map(Number);
    return width > 0 && height > 0 ? `${width} / ${height}` : "16 / 9";
  }

  function load(placeholder) {
    const figure = placeholder.closest(".embed");
    const src = figure ? figure.dataset.embedFrame || "" : "";
    // The server only ever writes https player addresses; anything else stays a link.
    if (!src.startsWith("https://")) {
      return false;
    }
    const frame = document.createElement("iframe");
    frame.className = "embed__frame";
    frame.src = src;
    frame.title = figure.dataset.embedTitle || "";
    frame.allow = ALLOW;
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("loading", "eager");
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    // The player keeps the shape the provider gave (data-embed-ratio).
    frame.style.aspectRatio = aspectRatio(figure);
    placeholder.replaceWith(frame);
    figure.classList.add("embed--loaded");
    // Keyboard and screen-reader users land on the player they asked for.
    frame.focus();
    return true;
  }

  document.addEventListener("click", (event) => {
    const placeholder = event.target.closest && event.target.closest(".embed__placeholder");
    if (!placeholder || event.button !== 0) {
      return;
    }
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    if (load(placeholder)) {
      event.preventDefault();
    }
  });
})();
