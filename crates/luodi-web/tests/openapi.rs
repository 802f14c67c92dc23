//! The OpenAPI description covers every API route, each with its schemas.

use std::collections::BTreeSet;

use serde_json::Value;

/// Every `/api/v1` route the source registers, as (path, method).
fn routes_in_source() -> BTreeSet<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    let mut out = BTreeSet::new();
    for entry in std::fs::read_dir(root).unwrap() {
        // Without white space, so a route split over lines by rustfmt reads the same.
        let text: String = std::fs::read_to_string(entry.unwrap().path())
            .unwrap()
            .split_whitespace()
            .collect();
        for part in text.split(".route(\"").skip(1) {
            let path = part.split('"').next().unwrap().to_string();
            // The method router runs to the end of the `.route(…)` call.
            let line = part
                .split(".route(")
                .next()
                .unwrap_or(part)
                .split(";")
                .next()
                .unwrap_or(part);
            for m in ["get", "post", "put", "delete", "patch"] {
                if line.contains(&format!("{m}(")) {
                    out.insert((path.clone(), m.to_string()));
                }
            }
        }
    }
    out
}

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
    let routes = routes_in_source();
    assert!(routes.len() >= 10, "found {routes:?}");
    assert_eq!(
        routes, described,
        "routes and the OpenAPI description differ"
    );
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
