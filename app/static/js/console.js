/* The console's behaviour that Flask-Admin writes as inline JS, which the CSP forbids:
   - a button with data-confirm asks first (the delete button of each row);
   - a menu entry with data-model-action runs that action on the ticked rows (actions.js);
   - links to "#" or "javascript:void(0)" (filter menu, tabs, tooltips) never navigate. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) { return; }
    var confirmer = target.closest("[data-confirm]");
    if (confirmer && !window.confirm(confirmer.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var action = target.closest("[data-model-action]");
    if (action && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(action.getAttribute("data-model-action"));
      return;
    }
    var link = target.closest("a[href]");
    if (link) {
      var href = link.getAttribute("href");
      if (href === "#" || href.indexOf("javascript:") === 0) { event.preventDefault(); }
    }
  }, true);
})();
