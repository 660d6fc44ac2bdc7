//! The system administrator's settings through the front door: notice wording
//! (checked before it is saved, restored on request) and the delivery log.

use serde_json::json;

use crate::http::spawn;
use crate::support::{load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

#[tokio::test]
async fn notice_wording_is_checked_saved_used_and_restored() {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    server.login("admin", DEMO_PASSWORD).await;
    let (status, body, csrf) = server.page("/admin/templates/assignment_chase").await;
    assert_eq!(status, 200);
    assert!(body.contains("{{ due_date }}"), "{body}");
    let path = "/admin/templates/assignment_chase";
    let broken = server.post_form(path, &[("csrf", &csrf), ("subject", "催办"), ("body", "{% if %}")]).await;
    assert_eq!(broken.status(), 422);
    assert!(broken.text().await.unwrap().contains("通知文字有误"));
    let body = "请{{ department }}于今日办结「{{ case_title }}」。";
    let saved = server.post_form(path, &[("csrf", &csrf), ("subject", "【民意】请今日办结"), ("body", body)]).await;
    assert_eq!(saved.status(), 303);
    let mut tx = t.write().await;
    let context = json!({"department": "市交通运输局", "case_title": "路灯"});
    let rendered = minyi::notify::render(&mut tx, "assignment_chase", &context).await.unwrap();
    drop(tx);
    assert_eq!(rendered.body, "请市交通运输局于今日办结「路灯」。");
    let (_, confirm, csrf) = server.page("/admin/templates/assignment_chase/reset").await;
    assert!(confirm.contains("恢复为默认文字"), "{confirm}");
    assert_eq!(server.post_form("/admin/templates/assignment_chase/reset", &[("csrf", &csrf)]).await.status(), 303);
    let mut tx = t.write().await;
    let rendered = minyi::notify::render(&mut tx, "assignment_chase", &context).await.unwrap();
    assert!(rendered.body.contains("已于"), "{}", rendered.body);
    drop(tx);
    let (_, log, _) = server.page("/admin/log").await;
    assert!(log.contains("恢复默认文字"), "the replaced wording is on the record");
    let (status, deliveries, _) = server.page("/admin/deliveries?state=pending").await;
    assert_eq!(status, 200);
    assert!(deliveries.contains("通知发送记录"));
    // Settings belong to the system administrator alone.
    let office = spawn(t.app.clone()).await;
    office.login("office", DEMO_PASSWORD).await;
    assert_eq!(office.get("/admin/settings").await.status(), 403);
    assert_eq!(office.get("/admin/deliveries").await.status(), 403);
}
