//! The OpenAPI document is exact: every route the router registers under
//! `/api/v1` is in it with its methods, and every documented operation answers
//! with a status the document lists (signed out and signed in). The browsable
//! reference and its vendored files are served from the binary.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::http_api::{client, spawn};

/// (method, path) of every route under /api/v1 in `web::router`, read from its source.
fn registered_routes() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/mod.rs")).expect("the router");
    let mut routes = BTreeSet::new();
    for piece in source.split(".route(").skip(1) {
        let Some(path) = piece.trim_start().strip_prefix('"').and_then(|p| p.split('"').next()) else { continue };
        if !path.starts_with("/api/v1/") {
            continue;
        }
        let handlers = piece.split(".route_layer(").next().unwrap_or(piece);
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = handlers.contains(&format!(" {method}(")) || handlers.contains(&format!(".{method}("));
            if called {
                routes.insert((method.to_string(), path.to_string()));
            }
        }
    }
    routes
}

/// A documented path with every parameter filled in.
fn concrete(path: &str) -> String {
    let mut url = path.replace("{resource}", "regions");
    for name in ["{id}", "{code}", "{key}", "{batch}", "{format}", "{number}"] {
        url = url.replace(name, "x");
    }
    url
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

#[tokio::test]
async fn every_route_is_documented_and_answers_as_documented() {
    let server = spawn().await;
    let response = client().get(server.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let doc: Value = response.json().await.expect("the document is JSON");
    assert_eq!(doc["openapi"], "3.1.0");

    let registered = registered_routes();
    assert!(registered.len() >= 12, "the router was read: {registered:?}");
    assert_eq!(documented(&doc), registered, "the document and the router name the same operations");

    let token = server.token_for("admin").await;
    for (method, path) in documented(&doc) {
        let operation = &doc["paths"][&path][&method];
        let listed: BTreeSet<u16> =
            operation["responses"].as_object().unwrap().keys().map(|code| code.parse().expect("a status")).collect();
        let url = server.url(&concrete(&path));
        for bearer in [None, Some(token.as_str())] {
            let mut request = match method.as_str() {
                "get" => client().get(&url),
                "post" => client().post(&url).json(&json!({})),
                "delete" => client().delete(&url),
                other => panic!("an undocumented method {other}"),
            };
            if let Some(token) = bearer {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert!(
                listed.contains(&status),
                "{method} {path} (token: {}) → {status} {body}, documented {listed:?}",
                bearer.is_some()
            );
            if status >= 400 {
                assert!(body["error"]["code"].is_string(), "{method} {path}: the one error body: {body}");
            }
        }
    }
}

#[tokio::test]
async fn the_reference_is_served_with_its_vendored_files() {
    let server = spawn().await;
    let page = client().get(server.url("/api/docs")).send().await.unwrap().text().await.unwrap();
    for asset in [
        "/static/vendor/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui-dist/swagger-ui.css",
        "/static/api-docs.js",
    ] {
        assert!(page.contains(asset), "{asset}");
        let response = client().get(server.url(asset)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        assert!(!response.bytes().await.unwrap().is_empty());
    }
    let license = client().get(server.url("/static/vendor/swagger-ui-dist/LICENSE")).send().await.unwrap();
    assert!(license.text().await.unwrap().contains("Apache License"));
    let missing = client().get(server.url("/static/vendor/swagger-ui-dist/nothing.js")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
