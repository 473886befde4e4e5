// Starts Swagger UI on /api/docs (app/templates/api/docs.html). A static file, not an
// inline script: the Content-Security-Policy runs scripts from this site only.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    // The public validator badge would call validator.swagger.io: offices run on closed intranets.
    validatorUrl: null,
    // The document and the calls go to this site with the browser's session cookie.
    withCredentials: true,
    persistAuthorization: false,
  });
})();
