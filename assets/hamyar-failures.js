// When the server never answers a callback (a timeout, a proxy's 502/503/504, the network gone),
// Dash's renderer shows nothing. This shows the shell's failure sentence instead (dash_app.ui.alerts:
// the sentences are in the region's data attributes, already in the reader's language).
(function () {
    "use strict";
    if (!window.fetch) { return; }
    var original = window.fetch.bind(window);

    function show(kind) {
        var region = document.getElementById("callback-error-region");
        if (!region) { return; }
        var text = region.getAttribute(kind === "timeout" ? "data-timeout" : "data-other");
        if (!text) { return; }
        var box = document.getElementById("callback-error-fallback");
        if (!box) {
            box = document.createElement("div");
            box.id = "callback-error-fallback";
            box.className = "alert alert-danger alert-dismissible shadow mb-0";
            box.setAttribute("role", "alert");
            var span = document.createElement("span");
            box.appendChild(span);
            var close = document.createElement("button");
            close.type = "button";
            close.className = "btn-close";
            close.setAttribute("aria-label", region.getAttribute("data-close") || "Close");
            close.addEventListener("click", function () { box.remove(); });
            box.appendChild(close);
            region.appendChild(box);
        }
        box.firstChild.textContent = text;
    }

    window.fetch = function (resource, init) {
        var url = typeof resource === "string" ? resource : (resource && resource.url) || "";
        var promise = original(resource, init);
        if (url.indexOf("_dash-update-component") === -1) { return promise; }
        return promise.then(function (response) {
            if (response.status === 502 || response.status === 503 || response.status === 504) {
                show("timeout");
            } else if (response.status >= 500) {
                show("other");
            } else {
                var box = document.getElementById("callback-error-fallback");
                if (box && response.status === 200) { box.remove(); }
            }
            return response;
        }, function (error) {
            show("timeout");
            throw error;
        });
    };
}());
