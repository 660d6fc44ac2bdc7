//! Open311 GeoReport v2 conformance, every endpoint in XML and in JSON, with its
//! errors: 403 for the key, 404 for unknown things, 400 otherwise, each with the
//! `errors` body. XML is read with a real parser (roxmltree).

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::http_api::{Server, spawn};

const BASE: &str = "/open311/v2";

struct Got {
    status: StatusCode,
    content_type: String,
    body: String,
}

impl Got {
    fn json(&self) -> Value {
        assert!(self.content_type.starts_with("application/json"), "{}", self.content_type);
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("JSON: {e}: {}", self.body))
    }

    /// The document, checked for the declaration and the content type.
    fn xml(&self) -> roxmltree::Document<'_> {
        assert!(self.content_type.starts_with("text/xml"), "{}", self.content_type);
        assert!(self.body.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{}", self.body);
        roxmltree::Document::parse(&self.body).unwrap_or_else(|e| panic!("XML: {e}: {}", self.body))
    }
}

async fn get(server: &Server, path: &str) -> Got {
    let response = reqwest::get(server.url(&format!("{BASE}{path}"))).await.unwrap();
    got(response).await
}

async fn post(server: &Server, path: &str, form: &[(&str, &str)]) -> Got {
    let response = reqwest::Client::new().post(server.url(&format!("{BASE}{path}"))).form(form).send().await.unwrap();
    got(response).await
}

async fn got(response: reqwest::Response) -> Got {
    let status = response.status();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    Got { status, content_type, body: response.text().await.unwrap() }
}

/// The text of the child element `name` of `node`.
fn child<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> &'a str {
    node.children()
        .find(|c| c.has_tag_name(name))
        .unwrap_or_else(|| panic!("<{name}> in <{}>", node.tag_name().name()))
        .text()
        .unwrap_or_default()
}

fn elements<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &'a str) -> Vec<roxmltree::Node<'a, 'i>> {
    node.children().filter(|c| c.has_tag_name(name)).collect()
}

/// Asserts an error in both formats: the status and the `errors` body with that code.
async fn assert_error(server: &Server, path_without_format: &str, form: Option<&[(&str, &str)]>, status: StatusCode) {
    for format in ["xml", "json"] {
        let path = path_without_format.replacen("{fmt}", format, 1);
        let answer = match form {
            Some(form) => post(server, &path, form).await,
            None => get(server, &path).await,
        };
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        let code = status.as_u16().to_string();
        if format == "xml" {
            let doc = answer.xml();
            assert_eq!(doc.root_element().tag_name().name(), "errors", "{}", answer.body);
            let errors = elements(doc.root_element(), "error");
            assert_eq!(errors.len(), 1);
            assert_eq!(child(errors[0], "code"), code);
            assert!(!child(errors[0], "description").is_empty());
        } else {
            let json = answer.json();
            assert_eq!(json[0]["code"], code.as_str(), "{json}");
            assert!(json[0]["description"].as_str().is_some_and(|d| !d.is_empty()), "{json}");
        }
    }
}

#[tokio::test]
async fn discovery_and_services_in_both_formats() {
    let server = spawn().await;
    let xml = get(&server, "/discovery.xml").await;
    assert_eq!(xml.status, StatusCode::OK);
    let doc = xml.xml();
    assert_eq!(doc.root_element().tag_name().name(), "discovery");
    let endpoints = elements(doc.root_element(), "endpoints");
    let endpoint = elements(endpoints[0], "endpoint")[0];
    assert_eq!(child(endpoint, "specification"), "http://wiki.open311.org/GeoReport_v2");
    let formats: Vec<&str> =
        elements(elements(endpoint, "formats")[0], "format").iter().map(|f| f.text().unwrap()).collect();
    assert_eq!(formats, ["text/xml", "application/json"]);
    let json = get(&server, "/discovery.json").await.json();
    assert_eq!(json["endpoints"][0]["type"], "production");

    for query in ["", "?jurisdiction_id=331081", "?jurisdiction_id="] {
        let xml = get(&server, &format!("/services.xml{query}")).await;
        assert_eq!(xml.status, StatusCode::OK, "{query}");
        let doc = xml.xml();
        assert_eq!(doc.root_element().tag_name().name(), "services");
        let services = elements(doc.root_element(), "service");
        assert_eq!(services.len(), 11);
        let transport = services.iter().find(|s| child(**s, "service_code") == "transport").expect("transport");
        assert_eq!(child(*transport, "service_name"), "交通出行");
        assert_eq!(child(*transport, "metadata"), "true");
        assert_eq!(child(*transport, "type"), "realtime");
        assert_eq!(child(*transport, "group"), "城乡环境");
        assert!(child(*transport, "keywords").contains("Transport") || child(*transport, "keywords").contains(','));
        let json = get(&server, &format!("/services.json{query}")).await.json();
        assert_eq!(json.as_array().unwrap().len(), 11);
        assert!(json.as_array().unwrap().iter().all(|s| s["service_code"].is_string() && s["metadata"] == true));
    }
    assert_error(&server, "/services.{fmt}?jurisdiction_id=999999", None, StatusCode::NOT_FOUND).await;
    assert_error(&server, "/nothing.{fmt}", None, StatusCode::NOT_FOUND).await;

    let xml = get(&server, "/services/transport.xml").await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    let doc = xml.xml();
    assert_eq!(doc.root_element().tag_name().name(), "service_definition");
    assert_eq!(child(doc.root_element(), "service_code"), "transport");
    let attributes = elements(elements(doc.root_element(), "attributes")[0], "attribute");
    let orders: Vec<&str> = attributes.iter().map(|a| child(*a, "order")).collect();
    assert_eq!(orders, ["1", "2"]);
    let anonymous = attributes.iter().find(|a| child(**a, "code") == "anonymous").unwrap();
    assert_eq!(child(*anonymous, "datatype"), "singlevaluelist");
    assert_eq!(elements(elements(*anonymous, "values")[0], "value").len(), 2);
    let json = get(&server, "/services/transport.json").await.json();
    assert_eq!(json["attributes"][0]["code"], "unit");
    assert_eq!(json["attributes"][0]["required"], false);
    assert_error(&server, "/services/nope.{fmt}", None, StatusCode::NOT_FOUND).await;
    assert_error(&server, "/services/transport.{fmt}?jurisdiction_id=1", None, StatusCode::NOT_FOUND).await;
    assert_error(&server, "/tokens/abc.{fmt}", None, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn requests_are_filed_read_and_listed_with_a_key() {
    let server = spawn().await;
    let keeper = server.token_for("keeper").await;
    let office = server.token_for("admin").await;
    let town_office = server.token_for("town-office").await;
    let handler = server.token_for("handler").await;
    let description = "渔港码头的路灯坏了，晚上卸货很危险。";
    let form = |key: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("api_key", key.to_string()),
            ("service_code", "transport".into()),
            ("lat", "28.3661".into()),
            ("long", "121.3747".into()),
            ("description", description.into()),
            ("phone", "13812345678".into()),
        ]
    };
    let leak = |v: Vec<(&'static str, String)>| -> &'static [(&'static str, &'static str)] {
        let pairs: Vec<(&'static str, &'static str)> =
            v.into_iter().map(|(k, v)| (k, &*Box::leak(v.into_boxed_str()))).collect();
        Box::leak(pairs.into_boxed_slice())
    };
    let keeper_key: &'static str = Box::leak(keeper.clone().into_boxed_str());
    let town_office_key: &'static str = Box::leak(town_office.into_boxed_str());
    let handler_key: &'static str = Box::leak(handler.into_boxed_str());
    let office_key: &'static str = Box::leak(office.clone().into_boxed_str());

    // Key problems: 403, in both formats.
    let mut no_key = form(keeper_key);
    no_key.remove(0);
    assert_error(&server, "/requests.{fmt}", Some(leak(no_key)), StatusCode::FORBIDDEN).await;
    assert_error(&server, "/requests.{fmt}", Some(leak(form("minyi_bad"))), StatusCode::FORBIDDEN).await;
    assert_error(&server, "/requests.{fmt}", Some(leak(form(handler_key))), StatusCode::FORBIDDEN).await;
    let mut outside = form(town_office_key);
    outside.push(("attribute[unit]", "LLZ-001".into()));
    assert_error(&server, "/requests.{fmt}", Some(leak(outside)), StatusCode::BAD_REQUEST).await;
    // Unknown service or jurisdiction: 404.
    let mut unknown = form(keeper_key);
    unknown[1].1 = "nope".into();
    assert_error(&server, "/requests.{fmt}", Some(leak(unknown)), StatusCode::NOT_FOUND).await;
    let mut elsewhere = form(keeper_key);
    elsewhere.push(("jurisdiction_id", "999999".into()));
    assert_error(&server, "/requests.{fmt}", Some(leak(elsewhere)), StatusCode::NOT_FOUND).await;
    // No location, or an office key that names no unit: 400.
    let nowhere: Vec<_> = form(keeper_key).into_iter().filter(|(k, _)| *k != "lat" && *k != "long").collect();
    assert_error(&server, "/requests.{fmt}", Some(leak(nowhere)), StatusCode::BAD_REQUEST).await;
    assert_error(&server, "/requests.{fmt}", Some(leak(form(office_key))), StatusCode::BAD_REQUEST).await;
    let mut too_long = form(keeper_key);
    too_long[4].1 = "长".repeat(4001);
    assert_error(&server, "/requests.{fmt}", Some(leak(too_long)), StatusCode::BAD_REQUEST).await;

    // Filed through the keeper's key (its station) in XML, and the office's (naming one) in JSON.
    let xml = post(&server, "/requests.xml", leak(form(keeper_key))).await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    let doc = xml.xml();
    assert_eq!(doc.root_element().tag_name().name(), "service_requests");
    let first = child(elements(doc.root_element(), "request")[0], "service_request_id").to_string();
    let mut named = form(office_key);
    named[4].1 = "长".repeat(3500);
    named.push(("attribute[unit]", "LLZ-001".into()));
    named.retain(|(k, _)| *k != "lat" && *k != "long");
    named.push(("address_string", "石塘镇渔港路 1 号".into()));
    let json = post(&server, "/requests.json", leak(named)).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let second = json.json()[0]["service_request_id"].as_str().unwrap().to_string();
    assert_ne!(first, second);

    // One request: an array of one, in both formats.
    let xml = get(&server, &format!("/requests/{first}.xml?api_key={keeper}")).await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    let doc = xml.xml();
    let requests = elements(doc.root_element(), "request");
    assert_eq!(requests.len(), 1);
    assert_eq!(child(requests[0], "service_request_id"), first);
    assert_eq!(child(requests[0], "status"), "open");
    assert_eq!(child(requests[0], "service_code"), "transport");
    assert_eq!(child(requests[0], "description"), description);
    assert!(child(requests[0], "requested_datetime").ends_with("+08:00"));
    assert!(child(requests[0], "expected_datetime").ends_with("+08:00"), "the answer deadline");
    let json = get(&server, &format!("/requests/{first}.json?api_key={keeper}")).await.json();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["status_notes"], "待受理");
    assert_error(&server, &format!("/requests/{first}.{{fmt}}"), None, StatusCode::FORBIDDEN).await;
    assert_error(&server, &format!("/requests/nope.{{fmt}}?api_key={keeper}"), None, StatusCode::NOT_FOUND).await;

    // The list: the key's scope, filters, the window, pages.
    let list =
        |query: String| get(&server, Box::leak(format!("/requests.json?api_key={office_key}{query}").into_boxed_str()));
    let all = list(String::new()).await.json();
    let ids: Vec<&str> = all.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap()).collect();
    assert!(ids.contains(&first.as_str()) && ids.contains(&second.as_str()), "{ids:?}");
    let xml = get(&server, &format!("/requests.xml?api_key={office}&service_code=transport&status=open")).await;
    assert_eq!(elements(xml.xml().root_element(), "request").len(), ids.len());
    // The responsible department, in the list as in the single request.
    let http = crate::http_api::client();
    let case: Value = http
        .get(server.url(&format!("/api/v1/cases/{first}")))
        .bearer_auth(&keeper)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let department = case["forward_choices"][0].clone();
    let forward = serde_json::json!({"event": "forward", "assignments": [
        {"department_id": department["id"], "role": "lead", "due_days": 5}]});
    let moved = http
        .post(server.url(&format!("/api/v1/cases/{first}/events")))
        .bearer_auth(&keeper)
        .json(&forward)
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK, "{}", moved.text().await.unwrap());
    let all = list(String::new()).await.json();
    let mut agencies = 0;
    for item in all.as_array().unwrap() {
        let id = item["service_request_id"].as_str().unwrap();
        let one = get(&server, &format!("/requests/{id}.json?api_key={office}")).await.json();
        assert_eq!(item["agency_responsible"], one[0]["agency_responsible"], "{id}");
        agencies += usize::from(item["agency_responsible"].as_str().is_some_and(|a| !a.is_empty()));
    }
    assert_eq!(agencies, 1, "the forwarded case has its lead department: {all}");
    let listed = all.as_array().unwrap().iter().find(|r| r["service_request_id"] == first.as_str()).unwrap();
    assert_eq!(listed["agency_responsible"], department["name"]);
    let closed = list("&status=closed".into()).await.json();
    assert_eq!(closed.as_array().unwrap().len(), 0);
    let by_id = list(format!("&service_request_id={second}&status=closed&service_code=health")).await.json();
    assert_eq!(by_id.as_array().unwrap().len(), 1, "ids override every other filter");
    let paged = list("&page_size=1&page=2".into()).await.json();
    assert_eq!(paged.as_array().unwrap().len(), 1);
    assert_eq!(paged[0]["service_request_id"], ids[1]);
    let later = list("&start_date=2026-03-03T00:00:00%2B08:00&end_date=2026-03-10T00:00:00Z".into()).await.json();
    assert_eq!(later.as_array().unwrap().len(), 0, "filed before the window");
    let empty = list("&status=&service_code=&start_date=".into()).await.json();
    assert_eq!(empty, all, "empty parameters are absent");
    assert_error(&server, "/requests.{fmt}", None, StatusCode::FORBIDDEN).await;
    let bad = [
        "&start_date=yesterday",
        "&status=pending",
        "&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
        "&page=0",
    ];
    for query in bad {
        assert_error(&server, &format!("/requests.{{fmt}}?api_key={office}{query}"), None, StatusCode::BAD_REQUEST)
            .await;
    }
    assert_error(
        &server,
        &format!("/requests.{{fmt}}?api_key={office}&service_code=nope"),
        None,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_error(
        &server,
        &format!("/requests.{{fmt}}?api_key={office}&jurisdiction_id=1"),
        None,
        StatusCode::NOT_FOUND,
    )
    .await;

    // The mySociety updates extension: each step of the cases, for a region-wide key.
    let xml = get(&server, &format!("/servicerequestupdates.xml?api_key={office}")).await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    let doc = xml.xml();
    assert_eq!(doc.root_element().tag_name().name(), "service_request_updates");
    let updates = elements(doc.root_element(), "request_update");
    let of_first: Vec<_> = updates.iter().filter(|u| child(**u, "service_request_id") == first).collect();
    assert_eq!(of_first.len(), 2, "the submission and the forward: {}", xml.body);
    assert_eq!(child(*of_first[0], "status"), "OPEN");
    assert!(child(*of_first[0], "updated_datetime").ends_with("+08:00"));
    let json = get(&server, &format!("/servicerequestupdates.json?api_key={office}")).await.json();
    assert_eq!(json.as_array().unwrap().len(), updates.len());
    let ids: BTreeSet<&str> = json.as_array().unwrap().iter().map(|u| u["update_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), updates.len(), "update ids are unique");
    assert_error(&server, &format!("/servicerequestupdates.{{fmt}}?api_key={keeper}"), None, StatusCode::FORBIDDEN)
        .await;
    assert_error(&server, "/servicerequestupdates.{fmt}", None, StatusCode::FORBIDDEN).await;
    let far = "&start_date=2025-01-01T00:00:00Z&end_date=2026-01-01T00:00:00Z";
    assert_error(
        &server,
        &format!("/servicerequestupdates.{{fmt}}?api_key={office}{far}"),
        None,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

/// The finer points: every request-object field the spec names, in both formats;
/// the position filed comes back; `address_id` and personal fields are accepted;
/// an unknown format, an unknown POST resource and an oversized form get the
/// `errors` body.
#[tokio::test]
async fn request_objects_carry_every_field_and_odd_requests_get_errors() {
    let server = spawn().await;
    let keeper = server.token_for("keeper").await;
    let filed = [
        ("api_key", keeper.as_str()),
        ("service_code", "environment"),
        ("lat", "28.3661"),
        ("long", "121.3747"),
        ("description", "河道里漂着垃圾。"),
        ("email", "citizen@example.cn"),
        ("first_name", "小明"),
        ("last_name", "王"),
        ("device_id", "device-1"),
        ("account_id", "account-1"),
        ("media_url", "https://example.cn/photo.jpg"),
    ];
    let xml = post(&server, "/requests.xml", &filed).await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.body);
    let id = child(elements(xml.xml().root_element(), "request")[0], "service_request_id").to_string();
    let fields = [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    ];
    let json = get(&server, &format!("/requests/{id}.json?api_key={keeper}")).await.json();
    for field in fields {
        assert!(json[0][field].is_string(), "{field} as a string in {json}");
    }
    assert_eq!((json[0]["lat"].as_str(), json[0]["long"].as_str()), (Some("28.366100"), Some("121.374700")));
    let xml = get(&server, &format!("/requests/{id}.xml?api_key={keeper}")).await;
    let doc = xml.xml();
    let request = elements(doc.root_element(), "request")[0];
    for field in fields {
        assert!(request.children().any(|c| c.has_tag_name(field)), "<{field}> in {}", xml.body);
    }
    assert_eq!(child(request, "lat"), "28.366100");

    let by_address_id = [
        ("api_key", keeper.as_str()),
        ("service_code", "transport"),
        ("address_id", "331081-石塘-渔港路-1"),
        ("description", "公交站没有遮雨棚。"),
    ];
    let json = post(&server, "/requests.json", &by_address_id).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    let second = json.json()[0]["service_request_id"].as_str().unwrap().to_string();
    let read = get(&server, &format!("/requests/{second}.json?api_key={keeper}")).await.json();
    assert_eq!(read[0]["address"], "331081-石塘-渔港路-1");

    let services = get(&server, "/services.json").await.json();
    assert!(services.as_array().unwrap().iter().all(|s| s["group"].is_string() && s["keywords"].is_string()));
    // An unknown format: 404, in XML (the format every endpoint must speak).
    let html = get(&server, "/services.html").await;
    assert_eq!(html.status, StatusCode::NOT_FOUND);
    assert_eq!(html.xml().root_element().tag_name().name(), "errors");
    assert_error(&server, "/services.{fmt}", Some(&[("api_key", "x")]), StatusCode::NOT_FOUND).await;
    let long = "长".repeat(30_000);
    let oversized = [("api_key", keeper.as_str()), ("service_code", "transport"), ("description", long.as_str())];
    assert_error(&server, "/requests.{fmt}", Some(&oversized), StatusCode::BAD_REQUEST).await;
    let off_the_globe = [
        ("api_key", keeper.as_str()),
        ("service_code", "transport"),
        ("description", "路面有坑。"),
        ("address_string", "渔港路"),
        ("lat", "95"),
        ("long", "121"),
    ];
    // A position off the globe is refused, even beside an address.
    assert_error(&server, "/requests.{fmt}", Some(&off_the_globe), StatusCode::BAD_REQUEST).await;
    let far = [
        ("api_key", keeper.as_str()),
        ("service_code", "transport"),
        ("description", "路面有坑。"),
        ("lat", "95"),
        ("long", "121"),
    ];
    assert_error(&server, "/requests.{fmt}", Some(&far), StatusCode::BAD_REQUEST).await;
}

/// The spec makes `description` optional: a request without one is filed, and its
/// case says which service was reported and that nothing was written.
#[tokio::test]
async fn a_request_without_a_description_is_filed_with_words_naming_its_service() {
    let server = spawn().await;
    let keeper = server.token_for("keeper").await;
    let filed = [("api_key", keeper.as_str()), ("service_code", "transport"), ("address_string", "南门公交站")];
    let answer = post(&server, "/requests.json", &filed).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let id = answer.json()[0]["service_request_id"].as_str().unwrap().to_string();
    let json = get(&server, &format!("/requests/{id}.json?api_key={keeper}")).await.json();
    let description = json[0]["description"].as_str().unwrap();
    let service = json[0]["service_name"].as_str().unwrap();
    assert!(!service.is_empty() && description.contains(service), "{description} names {service}");
    assert!(description.contains("未附文字说明"), "{description}");
}
