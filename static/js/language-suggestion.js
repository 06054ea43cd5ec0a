/*
 * Suggests this page in the reader's own language when it exists in one their browser prefers
 * to the page's: the first of navigator.languages that the site offers decides. The
 * suggestions come with the page (a <template>, each written in its language); the page is the
 * same for every reader, and nobody, crawler or person, is redirected. "No, thanks" keeps it
 * away until the tab is closed (sessionStorage, never a cookie). Without JavaScript, the
 * language switcher in the header does the same.
 * Loaded with <script src=... defer>: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  const DISMISSED = "newsroom.language-suggestion.dismissed";
  const template = document.getElementById("language-suggestions");
  const main = document.getElementById("main");
  if (!template || !main || !("content" in template)) {
    return;
  }
  try {
    if (window.sessionStorage.getItem(DISMISSED)) {
      return;
    }
  } catch (error) {
    // Storage refused (a privacy setting): suggest, and forget the answer.
  }
  const offered = new Map();
  template.content.querySelectorAll("[data-language]").forEach(function (suggestion) {
    offered.set(suggestion.dataset.language, suggestion);
  });
  const current = document.documentElement.lang.toLowerCase();
  const preferred = navigator.languages && navigator.languages.length
    ? navigator.languages
    : [navigator.language || ""];
  for (const tag of preferred) {
    const code = tag.toLowerCase().split("-")[0];
    if (code === current) {
      return;
    }
    const suggestion = offered.get(code);
    if (suggestion) {
      show(suggestion.cloneNode(true));
      return;
    }
  }

  function show(suggestion) {
    suggestion.querySelector(".language-suggestion__dismiss").addEventListener("click", function () {
      try {
        window.sessionStorage.setItem(DISMISSED, "1");
      } catch (error) {
        // Not kept: the next page suggests again.
      }
      suggestion.remove();
      main.focus();
    });
    main.prepend(suggestion);
  }
})();
