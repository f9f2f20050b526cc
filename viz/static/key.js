// The API key of this browser tab. A link may carry it once as #key=… (never sent to
// the server, and removed from the address at once); it is then kept in this tab's
// session storage only. The pages send it as `Authorization: Bearer …`.
"use strict";

window.sanctionnetKey = (function () {
  const STORE = "sanctionnet.key";
  const found = location.hash.match(/(?:^#|&)key=([^&]+)/);
  if (found) {
    sessionStorage.setItem(STORE, decodeURIComponent(found[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  const get = () => sessionStorage.getItem(STORE);
  return {
    get,
    set(key) {
      if (key) sessionStorage.setItem(STORE, key.trim());
      else sessionStorage.removeItem(STORE);
    },
    headers() {
      const key = get();
      return key ? { Authorization: `Bearer ${key}` } : {};
    },
    // Ask for a key (the header's 🔑 button, or after a 401).
    ask() {
      const key = window.prompt("API key (an administrator makes one with `sanctionnet keys create`):", get() || "");
      if (key !== null) this.set(key);
      return key;
    },
    // Open a page of the API that needs the key (a briefing) in a new tab.
    async open(url) {
      const tab = window.open("", "_blank");
      const response = await fetch(url, { headers: this.headers() });
      const blob = new Blob([await response.arrayBuffer()], { type: response.headers.get("content-type") || "text/html" });
      if (tab) tab.location = URL.createObjectURL(blob);
    },
  };
})();

// Links into the API (briefings) need the key too: they are fetched with it.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="/v1/"]');
  if (!link) return;
  event.preventDefault();
  window.sanctionnetKey.open(link.getAttribute("href"));
});

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("key");
  if (button) {
    button.addEventListener("click", () => {
      if (window.sanctionnetKey.ask() !== null) location.reload();
    });
  }
});
