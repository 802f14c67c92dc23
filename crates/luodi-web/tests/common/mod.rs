//! `TestApp`: the real router over a throw-away database, driven in-process, with a
//! cookie jar, for SQLite and PostgreSQL alike.

#![allow(dead_code)]

pub mod lists;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use luodi_app::App;
use luodi_store::testing::TestDb;
use luodi_store::{Backend, Store, demo};
use luodi_web::{AppState, WebConfig, router};

/// The settings a test app runs with: the application's and the web layer's.
#[derive(Default)]
pub struct Config {
    pub app: luodi_app::Settings,
    pub web: WebConfig,
}
use serde_json::Value;
use tower::ServiceExt;

pub struct TestApp {
    pub store: Store,
    pub app: Router,
    db: Option<TestDb>,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    pub body_bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of a hidden `_csrf` field on a page.
    pub fn csrf(&self) -> String {
        let at = self
            .body
            .find("name=\"_csrf\" value=\"")
            .expect("page has a CSRF field");
        let rest = &self.body[at + 20..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

impl TestApp {
    /// A new app on an empty database with the demo zone loaded; `None` when the
    /// PostgreSQL half is skipped.
    pub async fn new(backend: Backend) -> Option<TestApp> {
        TestApp::with_config(backend, Config::default()).await
    }

    /// [`TestApp::new`] with the application's and the web layer's settings given.
    pub async fn with_config(backend: Backend, config: Config) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        let store = Store::open(&db.url).await.expect("open");
        demo::load(&store).await.expect("demo loads");
        let application = App::new(store.clone(), config.app).expect("valid settings");
        let app = router(AppState::new(application, config.web));
        Some(TestApp {
            store,
            app,
            db: Some(db),
        })
    }

    pub async fn finish(mut self) {
        self.store.close().await;
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            body_bytes: bytes.to_vec(),
        }
    }

    /// Adds a user of another demo enterprise (Haier), with the demo password; returns
    /// its e-mail. Used to show one enterprise sees nothing of another's.
    pub async fn other_enterprise_user(&self) -> &'static str {
        let zone = demo::zone_id(&self.store).await.unwrap();
        let haier = self
            .store
            .enterprise_by_uscc(zone, demo::demo_uscc(2).as_str())
            .await
            .unwrap()
            .unwrap();
        let user = luodi_store::core::users::NewUser {
            zone_id: Some(zone),
            email: "haier@luodi.demo".into(),
            display_name: "海尔".into(),
            role: luodi_domain::Role::Enterprise,
            department_id: None,
            enterprise_id: Some(haier.id),
        };
        self.store
            .create_user(&luodi_store::Actor::Cli, user, demo::DEMO_PASSWORD)
            .await
            .unwrap();
        "haier@luodi.demo"
    }

    /// The id of the demo's Sinopharm project (the demo also holds the zone's history).
    pub async fn sinopharm(&self) -> i64 {
        let zone = demo::zone_id(&self.store).await.unwrap();
        self.store
            .project_by_name(zone, demo::SINOPHARM_PROJECT)
            .await
            .unwrap()
            .unwrap()
    }

    /// A bearer token for a demo user.
    pub async fn token(&self, email: &str) -> String {
        let user = self.store.user_by_email(email).await.unwrap().unwrap();
        self.store
            .create_api_token(&luodi_store::Actor::Cli, &user, "test")
            .await
            .unwrap()
            .1
    }

    pub async fn api(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "luodi.test");
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// Imports a square parcel `code` (about 100 mu, no regional assessments) over the API
    /// and reserves it for `phase_id`, so a test can hand it over.
    pub async fn reserved_parcel(&self, token: &str, code: &str, phase_id: i64) -> i64 {
        let fc = serde_json::json!({"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"code": code},
            "geometry": {"type": "Polygon", "coordinates": [[[120.25, 36.25], [120.253, 36.25], [120.253, 36.252], [120.25, 36.252], [120.25, 36.25]]]}}]});
        let r = self
            .api(
                "POST",
                "/api/v1/parcels",
                Some(token),
                Some(&fc.to_string()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let id = self
            .store
            .parcel_by_code(demo::zone_id(&self.store).await.unwrap(), code)
            .await
            .unwrap()
            .unwrap()
            .id;
        let body = serde_json::json!({"phase_id": phase_id}).to_string();
        let r = self
            .api(
                "POST",
                &format!("/api/v1/parcels/{id}/reserve"),
                Some(token),
                Some(&body),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        id
    }

    /// Logs in through the login page like a browser; returns the session.
    pub async fn login(&self, email: &str) -> Browser {
        let mut b = Browser {
            cookies: Vec::new(),
            lang: None,
        };
        let page = b.get(self, "/login").await;
        let csrf = page.csrf();
        let r = b
            .post(
                self,
                "/login",
                &[
                    ("_csrf", &csrf),
                    ("email", email),
                    ("password", demo::DEMO_PASSWORD),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "login of {email} failed: {}",
            r.body
        );
        b
    }
}

/// A cookie jar and the requests a browser would send.
#[derive(Default)]
pub struct Browser {
    pub cookies: Vec<(String, String)>,
    pub lang: Option<&'static str>,
}

impl Browser {
    pub fn new() -> Browser {
        Browser {
            cookies: Vec::new(),
            lang: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn remember(&mut self, reply: &Reply) {
        for v in reply.headers.get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            let (kv, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !attrs.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), val.to_string()));
            }
        }
    }

    pub async fn get(&mut self, app: &TestApp, path: &str) -> Reply {
        let mut req = Request::builder()
            .uri(path)
            .header(header::HOST, "luodi.test")
            .header(header::COOKIE, self.cookie_header());
        if let Some(l) = self.lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        let r = app.send(req.body(Body::empty()).unwrap()).await;
        self.remember(&r);
        r
    }

    pub async fn post(&mut self, app: &TestApp, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(form).unwrap();
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, "luodi.test")
            .header(header::ORIGIN, "http://luodi.test")
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let r = app.send(req).await;
        self.remember(&r);
        r
    }

    /// Posts a form as a browser does when it has a file input (`multipart/form-data`):
    /// its fields, then its files as (field, file name, bytes).
    pub async fn post_files(
        &mut self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "luodi-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (k, v) in form {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        for (field, name, bytes) in files {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = Request::builder()
            .method("POST")
            .uri(path)
            .header(header::HOST, "luodi.test")
            .header(header::ORIGIN, "http://luodi.test")
            .header(header::COOKIE, self.cookie_header())
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
        if let Some(l) = self.lang {
            req = req.header(header::ACCEPT_LANGUAGE, l);
        }
        let r = app.send(req.body(Body::from(body)).unwrap()).await;
        self.remember(&r);
        r
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Runs a test on SQLite and on PostgreSQL with the web settings a function gives.
#[macro_export]
macro_rules! on_both_with {
    ($config:path; $($name:ident => $body:ident;)*) => {
        mod sqlite { $( #[tokio::test] async fn $name() { if let Some(app) = $crate::common::TestApp::with_config(luodi_store::Backend::Sqlite, $config()).await { super::$body(&app).await; app.finish().await; } } )* }
        mod postgres { $( #[tokio::test] async fn $name() { if let Some(app) = $crate::common::TestApp::with_config(luodi_store::Backend::Postgres, $config()).await { super::$body(&app).await; app.finish().await; } } )* }
    };
}

/// Runs a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($($name:ident => $body:ident;)*) => {
        mod sqlite { $( #[tokio::test] async fn $name() { if let Some(app) = $crate::common::TestApp::new(luodi_store::Backend::Sqlite).await { super::$body(&app).await; app.finish().await; } } )* }
        mod postgres { $( #[tokio::test] async fn $name() { if let Some(app) = $crate::common::TestApp::new(luodi_store::Backend::Postgres).await { super::$body(&app).await; app.finish().await; } } )* }
    };
}
