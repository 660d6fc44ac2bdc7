//! The citizen's pages on a weak phone: the weight of the form, and the
//! large-text mode for older readers (适老化) that persists.

use minyi::domain::user::Scope;

use crate::http::spawn;
use crate::support::{actor, load_demo, sqlite};

#[tokio::test]
async fn the_form_without_photos_weighs_under_100_kb() {
    let t = sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let server = spawn(t.app.clone()).await;
    let page = server.get(&format!("/submit?unit={unit_id}")).await.bytes().await.unwrap();
    let css = server.get("/static/minyi.css").await.bytes().await.unwrap();
    let script = server.get("/static/form.js").await.bytes().await.unwrap();
    // Everything the page loads: itself, its stylesheet and its one small script (no images, no fonts).
    let body = String::from_utf8_lossy(&page);
    assert_eq!(body.matches("<script").count(), 1, "one script");
    assert!(body.contains("<script src=\"/static/form.js\" defer>") && !body.contains("<img"), "nothing else");
    assert!(script.starts_with(b"// The citizen's form"), "the script is served");
    let total = page.len() + css.len() + script.len();
    println!("the form weighs {total} bytes: page {}, stylesheet {}, script {}", page.len(), css.len(), script.len());
    assert!(total < 100 * 1024, "the form weighs {total} bytes");
}

#[tokio::test]
async fn the_large_text_mode_is_one_link_away_and_stays_on() {
    let t = sqlite().await;
    let server = spawn(t.app.clone()).await;
    let (_, page, _) = server.page("/track").await;
    assert!(page.contains("/text-size/large?back=%2Ftrack") && page.contains("大字版"), "{page}");
    assert!(!page.contains("class=\"large-text\""));
    let on = server.get("/text-size/large?back=/track").await;
    assert_eq!(on.status(), 303);
    assert_eq!(on.headers()["location"], "/track");
    let cookie = on.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("minyi_text=large") && cookie.contains("Max-Age"), "kept across visits: {cookie}");
    let (_, page, _) = server.page("/track").await;
    assert!(page.contains("<html lang=\"zh-CN\" class=\"large-text\">") && page.contains("标准字号"), "{page}");
    assert_eq!(server.get("/text-size/large?back=https://evil.example/").await.headers()["location"], "/");
    server.get("/text-size/normal?back=/track").await;
    let (_, page, _) = server.page("/track").await;
    assert!(!page.contains("class=\"large-text\""), "and off again");
}

#[tokio::test]
async fn my_cases_lists_a_numbers_cases_to_the_holder_of_one_of_their_codes() {
    let t = sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let send = |body: &'static str, mobile: &'static str, token: &'static str| {
        let fields = minyi::domain::case::CaseFields {
            channel: "web".into(),
            unit_id: unit_id.clone(),
            category: "environment".into(),
            body: body.into(),
            mobile: mobile.into(),
            client_token: token.into(),
            ..Default::default()
        };
        let app = t.app.clone();
        async move { minyi::actions::cases::submit(&app, &fields).await.unwrap().tracking_code }
    };
    let first = send("河里漂着很多垃圾。", "13712345678", "mine-1").await;
    let second = send("路边的树倒了。", "13712345678", "mine-2").await;
    let other = send("别人的事。", "13600000000", "mine-3").await;
    let server = spawn(t.app.clone()).await;
    let (status, page, csrf) = server.page("/track/mine").await;
    assert_eq!(status, 200);
    assert!(page.contains("我的反映"), "{page}");
    let post = |mobile: &'static str, code: String| {
        let fields = vec![("csrf", csrf.clone()), ("mobile", mobile.to_string()), ("code", code)];
        let server = &server;
        async move {
            let response = server.client.post(server.url("/track/mine")).form(&fields).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, list) = post("137 1234 5678", second.to_lowercase()).await;
    assert_eq!(status, 200, "{list}");
    assert!(list.contains(&first) && list.contains(&second) && list.contains("河里漂着很多垃圾"), "{list}");
    assert!(!list.contains(&other), "another number's case is not listed");
    let (status, wrong) = post("13712345678", other.clone()).await;
    assert_eq!(status, 422);
    assert!(
        wrong.contains("手机号码和查询码对不上") && wrong.contains("13712345678"),
        "the message in place, typed kept"
    );
    assert!(!wrong.contains(&first), "nothing listed");
    let (status, bad) = post("12345", first.clone()).await;
    assert_eq!(status, 422);
    assert!(bad.contains("请填写正确的手机号码"), "{bad}");
}
