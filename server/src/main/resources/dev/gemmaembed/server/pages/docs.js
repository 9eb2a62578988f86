// Swagger UI on this server's own document. "Authorize" asks for the API key (bearer scheme of
// the document) and Swagger UI sends it with every "Try it out" call; no validator, no CDN.
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  persistAuthorization: true,
  deepLinking: true,
});
