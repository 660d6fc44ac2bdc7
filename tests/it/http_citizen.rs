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
