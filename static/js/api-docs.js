// Starts Swagger UI on the API documentation page (templates/api/docs.html). A file
// of its own, not an inline script, because the site's Content Security Policy runs
// none; the page's element says where the OpenAPI document is and how to show it.
var root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle(
  Object.assign(JSON.parse(root.dataset.settings), {
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  })
);
