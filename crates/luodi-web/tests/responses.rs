//! How answers travel: compressed (brotli or gzip) when the client accepts it, except
//! files that are compressed already; the stylesheet revalidated by its ETag; the API
//! docs with a way back into the application.

mod common;

use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Reply, TestApp};

on_both! {
    pages_json_css_and_openapi_are_compressed_when_accepted => compressed;
    the_stylesheet_is_revalidated_by_its_etag => stylesheet_etag;
    the_api_docs_link_back_home_in_the_users_language => docs_home_link;
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

/// `GET path` with the browser's cookies (if any), a bearer token (if any) and the
/// headers given.
async fn get(
    app: &TestApp,
    path: &str,
    browser: Option<&Browser>,
    token: Option<&str>,
    headers: &[(header::HeaderName, &str)],
) -> Reply {
    let mut req = Request::builder()
        .uri(path)
        .header(header::HOST, "luodi.test");
    if let Some(b) = browser {
        let cookies = b
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        req = req.header(header::COOKIE, cookies);
    }
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    app.send(req.body(Body::empty()).unwrap()).await
}

fn encoding(r: &Reply) -> Option<&str> {
    r.headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap())
}

/// Each kind of text answer: sent as it is without `Accept-Encoding`, compressed with
/// gzip or brotli when asked, and the same bytes once decompressed. An XLSX file (a zip
/// already) is sent as it is even when gzip is accepted.
async fn compressed(app: &TestApp) {
    let b = app.login("leader@luodi.demo").await;
    let token = app.token("landing@luodi.demo").await;
    let gzip = [(header::ACCEPT_ENCODING, "gzip")];
    let br = [(header::ACCEPT_ENCODING, "br")];
    for (path, browser, token) in [
        ("/enterprises", Some(&b), None),
        ("/api/v1/enterprises", None, Some(token.as_str())),
        ("/api/openapi.json", None, None),
        ("/assets/luodi.css", None, None),
    ] {
        let plain = get(app, path, browser, token, &[]).await;
        assert_eq!(plain.status, StatusCode::OK, "{path}");
        assert_eq!(encoding(&plain), None, "{path}");
        assert!(plain.body_bytes.len() > 1000, "{path}");

        let zipped = get(app, path, browser, token, &gzip).await;
        assert_eq!(zipped.status, StatusCode::OK, "{path}");
        assert_eq!(encoding(&zipped), Some("gzip"), "{path}");
        assert!(
            zipped.headers[header::VARY]
                .to_str()
                .unwrap()
                .to_ascii_lowercase()
                .contains("accept-encoding"),
            "{path}"
        );
        assert!(
            zipped.body_bytes.len() < plain.body_bytes.len() / 2,
            "{path}: {} of {} bytes",
            zipped.body_bytes.len(),
            plain.body_bytes.len()
        );
        assert_eq!(gunzip(&zipped.body_bytes), plain.body_bytes, "{path}");

        let brotli = get(app, path, browser, token, &br).await;
        assert_eq!(encoding(&brotli), Some("br"), "{path}");
        assert_eq!(unbrotli(&brotli.body_bytes), plain.body_bytes, "{path}");
    }
    let page = String::from_utf8(gunzip(
        &get(app, "/enterprises", Some(&b), None, &gzip)
            .await
            .body_bytes,
    ))
    .unwrap();
    assert!(page.contains("<!DOCTYPE html>") && page.contains("/assets/luodi.css"));

    let xlsx = get(app, "/api/v1/parcels.xlsx", None, Some(&token), &gzip).await;
    assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.body);
    assert_eq!(encoding(&xlsx), None);
    assert!(xlsx.body_bytes.starts_with(b"PK"));
}

/// The stylesheet carries an ETag and `no-cache` (kept, asked about before each use); a
/// request naming that ETag gets 304 with no body, and one naming another ETag gets the
/// stylesheet.
async fn stylesheet_etag(app: &TestApp) {
    let css = get(app, "/assets/luodi.css", None, None, &[]).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers[header::CACHE_CONTROL], "no-cache");
    let etag = css.headers[header::ETAG].to_str().unwrap().to_string();
    assert!(etag.starts_with("W/\"") && etag.len() > 10, "{etag}");

    let again = get(
        app,
        "/assets/luodi.css",
        None,
        None,
        &[(header::IF_NONE_MATCH, &etag)],
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body_bytes.is_empty());
    assert_eq!(again.headers[header::ETAG], etag.as_str());
    assert_eq!(again.headers[header::CACHE_CONTROL], "no-cache");

    // The same with compression accepted: the validator does not depend on the encoding.
    let zipped = get(
        app,
        "/assets/luodi.css",
        None,
        None,
        &[
            (header::IF_NONE_MATCH, &etag),
            (header::ACCEPT_ENCODING, "gzip, br"),
        ],
    )
    .await;
    assert_eq!(zipped.status, StatusCode::NOT_MODIFIED);
    assert!(zipped.body_bytes.is_empty());

    let stale = get(
        app,
        "/assets/luodi.css",
        None,
        None,
        &[(header::IF_NONE_MATCH, "W/\"an-older-stylesheet\"")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body_bytes, css.body_bytes);
}

/// The API docs (Swagger UI) link to the home page, in the language the user chose
/// (its cookie) or the browser asks for, and say which language they are in.
async fn docs_home_link(app: &TestApp) {
    let zh = get(app, "/api/docs/", None, None, &[]).await;
    assert_eq!(zh.status, StatusCode::OK);
    assert!(zh.body.contains("<html lang=\"zh-CN\">"), "{}", zh.body);
    assert!(
        zh.body.contains(
            "<a id=\"luodi-home\" href=\"/\" style=\"color:#1f5fa8\">← 落地 · 返回首页</a>"
        ),
        "{}",
        zh.body
    );
    assert!(
        zh.body.contains("swagger-initializer.js"),
        "still Swagger UI"
    );

    let en = get(
        app,
        "/api/docs/",
        None,
        None,
        &[(header::ACCEPT_LANGUAGE, "en-GB,en;q=0.9")],
    )
    .await;
    assert!(en.body.contains("<html lang=\"en\">"));
    assert!(
        en.body.contains("← Luodi · Back to home</a>"),
        "{}",
        en.body
    );

    let chosen = get(
        app,
        "/api/docs/",
        None,
        None,
        &[
            (header::COOKIE, "luodi_lang=en"),
            (header::ACCEPT_LANGUAGE, "zh-CN"),
        ],
    )
    .await;
    assert!(chosen.body.contains("Back to home"));

    // Compressed like any page, with the link.
    let zipped = get(
        app,
        "/api/docs/",
        None,
        None,
        &[(header::ACCEPT_ENCODING, "gzip")],
    )
    .await;
    assert_eq!(encoding(&zipped), Some("gzip"));
    assert!(
        String::from_utf8(gunzip(&zipped.body_bytes))
            .unwrap()
            .contains("luodi-home")
    );
}
