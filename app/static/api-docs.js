// The API docs page: Swagger UI served by the app itself (no CDN, no inline script).
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    domNode: root,
    deepLinking: true,
    persistAuthorization: false,
  });
})();
