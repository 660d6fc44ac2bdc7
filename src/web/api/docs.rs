//! The OpenAPI 3.1 document of `/api/v1` (written by hand, checked against the
//! router and the answers by a test) and its browsable reference at `/api/docs`,
//! drawn by Swagger UI from `static/vendor/swagger-ui-dist/` (vendored from npm,
//! embedded in the binary).

use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use crate::error::Error;
use crate::web::auth::PageError;

/// The document, as served.
pub const OPENAPI: &str = include_str!("openapi.json");

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>minyi API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui-dist/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"#;

/// Starts Swagger UI on the document (a file of its own: the CSP allows no inline script).
const DOCS_SCRIPT: &str = "window.onload = function () { window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#swagger-ui' }); };\n";

/// `GET /api/docs`.
pub async fn page() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

/// `GET /static/api-docs.js`.
pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], DOCS_SCRIPT).into_response()
}

/// The vendored Swagger UI files, with their licence.
const VENDORED: [(&str, &str, &[u8]); 6] = [
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../static/vendor/swagger-ui-dist/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../static/vendor/swagger-ui-dist/swagger-ui.css"),
    ),
    ("LICENSE", "text/plain; charset=utf-8", include_bytes!("../../../static/vendor/swagger-ui-dist/LICENSE")),
    ("NOTICE", "text/plain; charset=utf-8", include_bytes!("../../../static/vendor/swagger-ui-dist/NOTICE")),
    (
        "swagger-ui-bundle.js.LICENSE.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../../static/vendor/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt"),
    ),
    ("package.json", "application/json", include_bytes!("../../../static/vendor/swagger-ui-dist/package.json")),
];

/// `GET /static/vendor/swagger-ui-dist/{file}`.
pub async fn vendored(Path(file): Path<String>) -> Result<Response, PageError> {
    let (_, content_type, bytes) = VENDORED.iter().find(|(name, _, _)| *name == file).ok_or(Error::NotFound)?;
    Ok(([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=86400")], *bytes)
        .into_response())
}
