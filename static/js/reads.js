/*
 * Counts one read of the story on show (readership/views.py): an empty POST to the address in
 * this script's data-beacon, sent once the page is really seen, not while it is prerendered or
 * waiting in a background tab. No cookie is read or set. Without JavaScript (or sendBeacon)
 * nothing is counted: there is no fallback.
 * Loaded with <script src=... defer>: the Content-Security-Policy allows no inline script.
 */
(function () {
  "use strict";

  const script = document.currentScript;
  const address = script ? script.dataset.beacon : "";
  if (!address || !navigator.sendBeacon) {
    return;
  }
  let sent = false;

  function send() {
    if (sent || document.prerendering || document.visibilityState !== "visible") {
      return;
    }
    sent = true;
    document.removeEventListener("visibilitychange", send);
    document.removeEventListener("prerenderingchange", send);
    navigator.sendBeacon(address);
  }

  document.addEventListener("visibilitychange", send);
  document.addEventListener("prerenderingchange", send);
  send();
})();
