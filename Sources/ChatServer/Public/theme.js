// RabbitChat colour theme: light or dark, following the system's prefers-color-scheme until the
// person picks one with a theme button. A classic script loaded in <head> (the CSP allows no
// inline script), so a saved dark choice is applied before the first paint and never flashes
// white. The stylesheet reads `<html data-theme="light|dark">`; without it, the system decides.
(function () {
  "use strict";

  const KEY = "rabbitchat.theme";
  const root = document.documentElement;
  const systemDark = window.matchMedia("(prefers-color-scheme: dark)");

  function effective() {
    return root.dataset.theme || (systemDark.matches ? "dark" : "light");
  }

  /// Each theme button's name says what pressing it will do.
  function syncButtons() {
    const label = effective() === "dark" ? "Switch to light theme" : "Switch to dark theme";
    for (const button of document.querySelectorAll(".theme-toggle")) {
      button.setAttribute("aria-label", label);
      button.title = label;
    }
  }

  function apply(theme) {
    if (theme === "light" || theme === "dark") root.dataset.theme = theme;
    else delete root.dataset.theme;
    syncButtons();
  }

  function toggle() {
    const next = effective() === "dark" ? "light" : "dark";
    // Picking what the system prefers anyway means following the system again.
    const followSystem = next === (systemDark.matches ? "dark" : "light");
    try {
      if (followSystem) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, next);
    } catch (_) { /* private mode: the choice lasts for this page */ }
    apply(followSystem ? null : next);
  }

  let saved = null;
  try { saved = localStorage.getItem(KEY); } catch (_) { /* private mode */ }
  apply(saved);
  systemDark.addEventListener("change", syncButtons);
  document.addEventListener("DOMContentLoaded", () => {
    for (const button of document.querySelectorAll(".theme-toggle")) button.addEventListener("click", toggle);
    syncButtons();
  });
})();
