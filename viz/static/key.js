// The API key of this browser tab. A link may carry it once as #key=… (never sent to
// the server, and removed from the address at once); it is then kept in this tab's
// session storage only. The pages send it as `Authorization: Bearer …`.
"use strict";

window.sanctionnetKey = (function () {
  const STORE = "sanctionnet.key";
  const found = location.hash.match(/(?:^#|&)key=([^&]+)/);
  if (found) {
    history.replaceState(null, "", location.pathname + location.search);
    let given = null;
    try { given = decodeURIComponent(found[1]); } catch (_) { /* a broken link: ignore it */ }
    const held = sessionStorage.getItem(STORE);
    // A link must not silently swap the key this tab works with for another's.
    if (given && (!held || held === given || window.confirm("Use the API key from this link instead of yours?"))) {
      sessionStorage.setItem(STORE, given);
    }
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
      if (!response.ok) {
        if (tab) tab.close();
        if (response.status === 401) this.ask();
        else window.alert(((await response.json().catch(() => ({}))).detail) || `${response.status}`);
        return;
      }
      const blob = new Blob([await response.arrayBuffer()], { type: response.headers.get("content-type") || "text/html" });
      const address = URL.createObjectURL(blob);
      if (tab) tab.location = address;
      setTimeout(() => URL.revokeObjectURL(address), 60_000);
    },
  };
})();

// Links into the API (briefings) need the key too: a plain click fetches them with it.
document.addEventListener("click", (event) => {
  if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
      event.altKey) return;
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
