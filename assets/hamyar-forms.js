// Errors where people look (issue 20 items 1-2), for every form: an error element with
// data-error-for="<field id>" that is not empty marks that field (aria-invalid, aria-describedby,
// Bootstrap's is-invalid) and, when new errors appear, the first marked field gets the focus and is
// scrolled into view. Callbacks only write the sentences (dash_app.ui.forms.field_error/button_error).
(function () {
    "use strict";

    function control(field) {
        // a dcc.Dropdown or a checklist: the id is on a wrapper, the focusable input inside it
        if (!field) { return null; }
        if (/^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(field.tagName)) { return field; }
        return field.querySelector("input:not([type=hidden]), select, textarea, button") || field;
    }

    function describedBy(el, id, on) {
        var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
        var has = ids.indexOf(id) !== -1;
        if (on && !has) { ids.push(id); }
        if (!on && has) { ids.splice(ids.indexOf(id), 1); }
        if (ids.length) { el.setAttribute("aria-describedby", ids.join(" ")); } else { el.removeAttribute("aria-describedby"); }
    }

    var marked = {};

    function refresh() {
        var errors = document.querySelectorAll("[data-error-for]");
        var now = {};
        var fresh = [];
        errors.forEach(function (err, i) {
            var fieldId = err.getAttribute("data-error-for");
            var text = (err.textContent || "").trim();
            var visible = err.offsetParent !== null;
            if (!err.id) { err.id = "field-error-" + fieldId + "-" + i; }
            var field = control(document.getElementById(fieldId));
            if (!field) { return; }
            if (text && visible) {
                now[fieldId] = true;
                field.setAttribute("aria-invalid", "true");
                field.classList.add("is-invalid");
                describedBy(field, err.id, true);
                if (!marked[fieldId + "|" + text]) { fresh.push(field); }
                marked[fieldId + "|" + text] = true;
            } else {
                describedBy(field, err.id, false);
            }
        });
        Object.keys(marked).forEach(function (key) {
            var fieldId = key.split("|")[0];
            if (!now[fieldId]) {
                delete marked[key];
                var field = control(document.getElementById(fieldId));
                if (field && !document.querySelector('[data-error-for="' + fieldId + '"]:not(:empty)')) {
                    field.removeAttribute("aria-invalid");
                    field.classList.remove("is-invalid");
                }
            }
        });
        if (fresh.length) {
            // the first bad field in the page's order
            fresh.sort(function (a, b) { return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1; });
            var first = fresh[0];
            try { first.focus({preventScroll: true}); } catch (e) { first.focus(); }
            first.scrollIntoView({block: "center"});
        }
    }

    var pending = null;
    function schedule() {
        if (pending) { return; }
        pending = window.setTimeout(function () { pending = null; refresh(); }, 50);
    }

    function start() {
        new MutationObserver(schedule).observe(document.body, {childList: true, subtree: true, characterData: true});
    }
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
}());
