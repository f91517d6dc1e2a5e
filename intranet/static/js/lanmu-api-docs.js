/* The API documentation page (/api/v1/docs): Swagger UI over the generated
   OpenAPI document. No inline script anywhere: the CSP forbids it. */
(function () {
  "use strict";
  var el = document.getElementById("swagger-ui");
  if (!el || typeof window.SwaggerUIBundle !== "function") { return; }
  window.SwaggerUIBundle({
    url: el.getAttribute("data-spec-url"),
    domNode: el,
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    validatorUrl: null,          /* never call an outside validator: intranets are offline */
    tryItOutEnabled: false,
    persistAuthorization: false
  });
})();
