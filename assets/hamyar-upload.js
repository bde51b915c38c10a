// Attaching files (dash_app.ui.uploads.upload_field): each chosen file goes to POST /uploads with the
// session's CSRF token; the token that comes back is added to the hidden input the page's callback
// reads. Large photos are scaled down here first (a phone's camera makes 3-6 MB; the server keeps at
// most 2048 px anyway), so a citizen on mobile data sends a fraction of it.
(function () {
    "use strict";
    var SHRINK_OVER = 1.5 * 1024 * 1024, SIDE = 2048;

    function cookie(name) {
        var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
        return m ? decodeURIComponent(m[1]) : "";
    }

    function fill(template, values) {
        return template.replace(/\{(\w+)\}/g, function (_m, k) { return values[k] || ""; });
    }

    // React owns the hidden input's value: set it through the native setter and announce an input event.
    function setValue(input, value) {
        var setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
        setter.call(input, value);
        input.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function shrink(file) {
        if (!/^image\/(jpeg|png|webp)$/.test(file.type) || file.size <= SHRINK_OVER || !window.createImageBitmap) {
            return Promise.resolve(file);
        }
        return createImageBitmap(file).then(function (bmp) {
            var scale = Math.min(1, SIDE / Math.max(bmp.width, bmp.height));
            var canvas = document.createElement("canvas");
            canvas.width = Math.round(bmp.width * scale);
            canvas.height = Math.round(bmp.height * scale);
            canvas.getContext("2d").drawImage(bmp, 0, 0, canvas.width, canvas.height);
            return new Promise(function (resolve) {
                canvas.toBlob(function (blob) {
                    resolve(blob ? new File([blob], file.name.replace(/\.\w+$/, "") + ".jpg", { type: "image/jpeg" }) : file);
                }, "image/jpeg", 0.88);
            });
        }).catch(function () { return file; });
    }

    function line(status, text, cls) {
        var li = document.createElement("li");
        li.className = cls;
        li.textContent = text;
        status.appendChild(li);
        return li;
    }

    function tokens(target) { return (target.value || "").split(/\s+/).filter(Boolean); }

    function removeButton(picker, target, token, li) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-link btn-sm p-0 ms-2";
        b.textContent = picker.getAttribute("data-upload-remove");
        b.addEventListener("click", function () {
            setValue(target, tokens(target).filter(function (t) { return t !== token; }).join(" "));
            li.remove();
        });
        li.appendChild(b);
    }

    function send(picker, file) {
        var target = document.getElementById(picker.getAttribute("data-upload-target"));
        var status = document.getElementById(picker.getAttribute("data-upload-status"));
        var li = line(status, fill(picker.getAttribute("data-upload-sending"), { name: file.name }), "text-muted");
        return shrink(file).then(function (ready) {
            var body = new FormData();
            body.append("purpose", picker.getAttribute("data-upload-purpose"));
            body.append("file", ready, ready.name);
            return fetch("/uploads", { method: "POST", body: body, credentials: "same-origin",
                                       headers: { "X-CSRFToken": cookie("_csrf_token") } });
        }).then(function (r) {
            return r.json().catch(function () { return { message: r.statusText }; }).then(function (j) {
                if (!r.ok || !j.token) { throw new Error(j.message || String(r.status)); }
                var max = parseInt(picker.getAttribute("data-upload-max"), 10) || 8;
                setValue(target, tokens(target).concat([j.token]).slice(-max).join(" "));
                li.className = "text-success";
                li.textContent = fill(picker.getAttribute("data-upload-done"), { name: j.name });
                li.setAttribute("data-upload-token", j.token);
                removeButton(picker, target, j.token, li);
            });
        }).catch(function (err) {
            li.className = "text-danger";
            var reason = err instanceof TypeError ? picker.getAttribute("data-upload-offline") : err.message;
            li.textContent = fill(picker.getAttribute("data-upload-failed"), { name: file.name, reason: reason });
        });
    }

    // upload_field renders a holder (Dash has no file input component); make the input inside it.
    function mount() {
        var holders = document.querySelectorAll("div.upload-picker[data-upload-target]:not([data-upload-ready])");
        Array.prototype.forEach.call(holders, function (holder) {
            var input = document.createElement("input");
            input.type = "file";
            // the browser words its own file button in its own language, not the page's: hide it (still
            // focusable) behind a button worded by the page
            input.className = "visually-hidden";
            input.id = holder.getAttribute("data-upload-input-id");
            input.accept = holder.getAttribute("data-upload-accept") || "";
            input.multiple = holder.getAttribute("data-upload-multiple") === "1";
            Array.prototype.forEach.call(holder.attributes, function (a) {
                if (/^data-upload-(?!input-id|accept|multiple)/.test(a.name) || a.name === "aria-describedby") {
                    input.setAttribute(a.name, a.value);
                }
            });
            holder.setAttribute("data-upload-ready", "1");
            holder.appendChild(input);
            var pick = document.createElement("label");
            pick.htmlFor = input.id;
            pick.className = "btn btn-outline-primary upload-choose";
            pick.textContent = holder.getAttribute("data-upload-choose") || "…";
            holder.appendChild(pick);
        });
    }
    new MutationObserver(mount).observe(document.documentElement, { childList: true, subtree: true });
    document.addEventListener("DOMContentLoaded", mount);

    document.addEventListener("change", function (e) {
        var picker = e.target;
        if (!picker || !picker.matches || !picker.matches("input[type=file][data-upload-target]")) { return; }
        var files = Array.prototype.slice.call(picker.files || []);
        files.reduce(function (p, f) { return p.then(function () { return send(picker, f); }); }, Promise.resolve())
            .then(function () { picker.value = ""; });
    });
})();
