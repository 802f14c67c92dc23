//! The OpenAPI description as served at `/api/openapi.json`: what utoipa derives from the
//! handlers' annotations, completed with what holds for every operation alike, so no
//! handler has to repeat it and none can forget it:
//!
//! - every answer the edge or the extractors may give — 400 (malformed JSON, a bad or
//!   repeated parameter), 401 and 403 (no caller, or a role that may not), 404 (an id in
//!   the path that is not there or not the caller's), 413 and 415 (a body too large or not
//!   JSON), 422 (a field at fault, a control character), 503 (the database unreachable,
//!   with `Retry-After`) — listed wherever it can occur, in the shared error shape;
//! - a description on every response;
//! - operation ids unique across the API (`enterprises_list`, not `list`);
//! - files (PDF, XLSX) as binary strings.

use serde_json::{Map, Value, json};

/// The description as served.
pub fn description() -> utoipa::openapi::OpenApi {
    let (_, described) = super::routes().split_for_parts();
    let mut doc = serde_json::to_value(described).expect("the description serialises");
    complete(&mut doc);
    serde_json::from_value(doc).expect("the completed description reads back")
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// What each status means when an operation does not say more.
fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "the answer",
        "201" => "created",
        "204" => "done; nothing to answer",
        "400" => {
            "the request is malformed: JSON that does not parse or has text after it, a path or query parameter that is not valid, unknown or given twice; `field` names it"
        }
        "401" => "no valid session or API token (`Authorization: Bearer TOKEN`)",
        "403" => {
            "the caller's role may not do this here (or, for a browser session, the CSRF token is missing)"
        }
        "404" => "no such object, or not one the caller may see",
        "409" => "the object's state does not allow this, or it changed meanwhile",
        "413" => "the body is larger than the limit",
        "415" => "the body is not of the type this operation takes (`Content-Type`)",
        "422" => {
            "a field is wrong, or text holds a control character; `field` names it and `errors` lists every one"
        }
        "503" => {
            "the database cannot be reached (or a resource the answer needs is missing); try again after `Retry-After` seconds"
        }
        _ => "see the error's `code` and `message`",
    }
}

fn error_response(status: &str) -> Value {
    let mut r = json!({
        "description": default_description(status),
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    });
    if status == "503" {
        r["headers"] = json!({"Retry-After": {
            "description": "seconds to wait before trying again",
            "schema": {"type": "integer", "minimum": 1}
        }});
    }
    r
}

/// Completes the description in place (see the module's opening).
pub fn complete(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let mut ids: std::collections::HashMap<String, usize> = Default::default();
    for (path, item) in paths.iter_mut() {
        let has_path_params = path.contains('{');
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            complete_operation(op, has_path_params);
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                *ids.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    // Two handlers of one tag with one name (a tag spans several resources): the
    // resource's own name, from the path, tells them apart.
    for (path, item) in paths.iter_mut() {
        let resource = path
            .trim_start_matches("/api/v1/")
            .split(['/', '.'])
            .next()
            .unwrap_or("")
            .replace('-', "_");
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            if ids.get(id).is_some_and(|n| *n > 1) {
                let act = id.split_once('_').map(|(_, a)| a).unwrap_or(id);
                op.insert("operationId".into(), json!(format!("{resource}_{act}")));
            }
        }
    }
}

fn complete_operation(op: &mut Map<String, Value>, has_path_params: bool) {
    // A unique id: the tag names the resource, the handler the act.
    if let (Some(tag), Some(id)) = (
        op.get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .map(str::to_string),
        op.get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string),
    ) {
        op.insert("operationId".into(), json!(format!("{tag}_{id}")));
    }
    let secured = op
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    let has_body = op.contains_key("requestBody");
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut()
        .expect("responses is an object");
    for (status, r) in responses.iter_mut() {
        if r.get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            r["description"] = json!(default_description(status));
        }
        if let Some(content) = r.get_mut("content").and_then(Value::as_object_mut) {
            for (media, m) in content.iter_mut() {
                let binary = media == "application/pdf" || media.contains("spreadsheetml");
                if binary {
                    m["schema"] = json!({"type": "string", "format": "binary"});
                }
            }
        }
    }
    let mut add = |status: &str| {
        responses
            .entry(status.to_string())
            .or_insert_with(|| error_response(status));
    };
    // Any request may carry a query string (a parameter given twice, a control character).
    add("400");
    add("422");
    add("503");
    if secured {
        add("401");
        add("403");
    }
    // An id in the path, or in the body, that is not there or not the caller's.
    if has_path_params || has_body {
        add("404");
    }
    if has_body {
        add("413");
        add("415");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_gets_its_errors_and_a_unique_id() {
        let mut doc = json!({"paths": {"/api/v1/things/{id}": {"put": {
            "tags": ["things"], "operationId": "update", "security": [{"bearer": []}],
            "requestBody": {"content": {"application/json": {"schema": {}}}},
            "responses": {"200": {"content": {"application/pdf": {"schema": {"type": "array"}}}},
                "409": {"description": "taken", "content": {}}}
        }}}});
        complete(&mut doc);
        let op = &doc["paths"]["/api/v1/things/{id}"]["put"];
        assert_eq!(op["operationId"], "things_update");
        assert_eq!(op["responses"]["200"]["description"], "the answer");
        assert_eq!(
            op["responses"]["200"]["content"]["application/pdf"]["schema"]["format"],
            "binary"
        );
        assert_eq!(op["responses"]["409"]["description"], "taken", "kept");
        for s in ["400", "401", "403", "404", "413", "415", "422", "503"] {
            assert!(op["responses"][s]["description"].is_string(), "{s}");
        }
        assert!(op["responses"]["503"]["headers"]["Retry-After"].is_object());
    }
}
