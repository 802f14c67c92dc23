//! The OpenAPI description covers every API route, each with its schemas. Routes and
//! their description come from one list (`routes!` in each API module), so a route cannot
//! exist without its description; the test below checks the other way, that every
//! described operation answers as a route (not the fallback's 404, not 405).

mod common;

use std::collections::BTreeSet;

use serde_json::Value;

#[test]
fn every_api_route_is_described_with_schemas() {
    let spec: Value = serde_json::to_value(luodi_web::api::openapi::description()).unwrap();
    let mut described = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            described.insert((path.clone(), method.clone()));
            let responses = op["responses"].as_object().unwrap();
            let has_schema = |content: &Value| {
                content
                    .as_object()
                    .is_some_and(|c| !c.is_empty() && c.values().all(|m| m["schema"].is_object()))
            };
            for (status, r) in responses {
                if status != "204" {
                    assert!(
                        has_schema(&r["content"]),
                        "{method} {path} {status} has no schema"
                    );
                }
            }
            if method == "post" || method == "put" {
                assert!(
                    has_schema(&op["requestBody"]["content"]),
                    "{method} {path} has no request schema"
                );
            }
        }
    }
    assert!(described.len() >= 10, "found {described:?}");
    assert!(spec["components"]["schemas"]["ErrorBody"].is_object());
    // Operation ids are unique, and every response has a description.
    let mut ids = BTreeSet::new();
    for item in spec["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap().to_string();
            assert!(
                ids.insert(id.clone()),
                "operationId {id} ({method}) repeats"
            );
            for (status, r) in op["responses"].as_object().unwrap() {
                assert!(
                    r["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{id} {status} has no description"
                );
            }
        }
    }
}

/// Every described operation is a route the router answers: asked without credentials it
/// answers anything but the fallback's "no such API route" and "method not allowed".
#[tokio::test]
async fn every_described_operation_is_routed() {
    let Some(app) = common::TestApp::new(luodi_store::Backend::Sqlite).await else {
        return;
    };
    let fallback =
        |body: &str| body.contains("no such API route") || body.contains("没有这个 API 路径");
    // The check can tell: a path nobody routes gets the fallback.
    let nowhere = app.api("GET", "/api/v1/nowhere", None, None).await;
    assert!(fallback(&nowhere.body), "{}", nowhere.body);
    let spec: Value = serde_json::to_value(luodi_web::api::openapi::description()).unwrap();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        // Path parameters as a number that exists nowhere, or a department code.
        let concrete: String = path
            .split('/')
            .map(|seg| {
                if seg == "{code}" {
                    "approval-bureau".to_string()
                } else if seg.starts_with('{') {
                    "1".to_string()
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            let r = app.api(&method.to_uppercase(), &concrete, None, None).await;
            assert_ne!(
                r.status,
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {}",
                r.body
            );
            assert!(
                !fallback(&r.body),
                "{method} {path} is described but not routed: {}",
                r.body
            );
            checked += 1;
        }
    }
    assert!(checked >= 50, "only {checked} operations");
    app.finish().await;
}
