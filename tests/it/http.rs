//! The server on a loopback port, and a browser-like client with a cookie jar.

use std::net::SocketAddr;

use minyi::app::App;
use reqwest::{Client, Response};

pub struct Server {
    pub base: String,
    pub client: Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `app` on 127.0.0.1 with a free port, as `minyi serve` does.
pub async fn spawn(app: App) -> Server {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().expect("the bound address");
    let service = minyi::web::router(app).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service).await.expect("the test server");
    });
    Server { base: format!("http://{address}"), client: browser(), task }
}

/// A client that keeps cookies and does not follow redirects (tests look at them).
pub fn browser() -> Client {
    Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().expect("an HTTP client")
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// The page's body, and the CSRF token of its first form.
    pub async fn page(&self, path: &str) -> (u16, String, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.text().await.expect("a body");
        let csrf = csrf_of(&body);
        (status, body, csrf)
    }

    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.client.post(self.url(path)).form(fields).send().await.expect("POST")
    }

    /// Signs in through the login form.
    pub async fn login(&self, username: &str, password: &str) -> Response {
        let (_, _, csrf) = self.page("/login").await;
        self.post_form("/login", &[("csrf", &csrf), ("username", username), ("password", password), ("next", "/")])
            .await
    }
}

pub fn csrf_of(body: &str) -> String {
    body.split("name=\"csrf\" value=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_string()
}
