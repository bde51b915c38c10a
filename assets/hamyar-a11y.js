// Repairs to third-party components' markup that Hamyar cannot set through their props, so that
// keyboards and screen readers get what axe checks for (tests/browser/test_axe_walk.py walks every
// page as every role). Hamyar's own markup is fixed at its source, never here. Each repair is
// idempotent and runs again whenever Dash re-renders part of the page.
(function () {
  "use strict";

  function repair(root) {
    // 1. A table or code block wider than the screen scrolls sideways: keyboard users must be able to
    //    focus it to scroll it (axe: scrollable-region-focusable).
    root.querySelectorAll(".table-responsive, pre").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
      }
    });
    // 2. dcc.Dropdown (Dash 4) puts a focusable, aria-hidden proxy in front of its real button:
    //    keyboards reach the button itself instead (axe: aria-hidden-focus).
    root.querySelectorAll("input.dash-dropdown-focus-target[aria-hidden='true']").forEach(function (proxy) {
      proxy.setAttribute("tabindex", "-1");
      var button = proxy.parentElement && proxy.parentElement.querySelector("button");
      if (button && !button.disabled) {
        button.setAttribute("tabindex", "0");
      }
    });
    // 3. dbc.Tabs points aria-controls at tab panels it never renders (…-tabpane-null): drop a
    //    reference that leads nowhere (axe: aria-valid-attr-value).
    root.querySelectorAll("[role='tab'][aria-controls]").forEach(function (tab) {
      if (!document.getElementById(tab.getAttribute("aria-controls"))) {
        tab.removeAttribute("aria-controls");
      }
    });
    // 4. dcc.Upload's hidden file input gets the visible text of its drop zone as its name (axe: label).
    root.querySelectorAll("input[type='file']:not([aria-label])").forEach(function (input) {
      var zone = input.parentElement;
      var text = zone && zone.textContent.trim();
      if (text) {
        input.setAttribute("aria-label", text);
      }
    });
  }

  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      repair(document);
    });
  }

  function start() {
    repair(document);
    new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true});
    window.addEventListener("resize", schedule);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
