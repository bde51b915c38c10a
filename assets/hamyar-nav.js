// The navbar (dash_app/layout.py, issue 20): following one of its links moves within the page (Dash's
// router), so Bootstrap would leave the phone's collapsed menu open over the new page. A link followed
// inside the menu closes it. Bootstrap (assets/vendor) opens and closes the menus themselves.
(function () {
    "use strict";

    document.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("#navbar-collapse a[href]");
        if (!link) { return; }
        var menu = document.getElementById("navbar-collapse");
        if (menu && menu.classList.contains("show") && window.bootstrap && window.bootstrap.Collapse) {
            window.bootstrap.Collapse.getOrCreateInstance(menu, {toggle: false}).hide();
        }
    });
})();
