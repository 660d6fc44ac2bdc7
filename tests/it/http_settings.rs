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

#[tokio::test]
async fn a_department_robot_is_configured_and_then_receives_its_notices() {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    server.login("admin", DEMO_PASSWORD).await;
    let (status, _, csrf) = server.page("/admin/channels").await;
    assert_eq!(status, 200);
    let add = |target: &'static str| {
        let csrf = csrf.clone();
        let fields = vec![
            ("csrf", csrf),
            ("owner_kind", "department".to_string()),
            ("owner_code", "BM-001".to_string()),
            ("kind", "dingtalk".to_string()),
            ("target", target.to_string()),
            ("secret", "SEC-demo".to_string()),
        ];
        server.client.post(server.url("/admin/channels")).form(&fields).send()
    };
    let bad = add("not a url").await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("地址格式不正确"));
    let good = add("https://oapi.dingtalk.com/robot/send?access_token=secret-token").await.unwrap();
    assert_eq!(good.status(), 303);
    let (_, list, _) = server.page("/admin/channels").await;
    assert!(list.contains("https://oapi.dingtalk.com/robot/send"), "{list}");
    assert!(!list.contains("secret-token"), "the robot's token is not shown");
    // A notice for that department now also goes to its robot.
    let mut tx = t.write().await;
    let department = minyi::db::departments::id_by_code(&mut tx, "BM-001").await.unwrap().unwrap();
    let notice = minyi::notify::Notice {
        template: "assignment_new",
        context: &json!({"department": "市交通运输局", "case_title": "路灯", "tracking_code": "AAAA-BBBB-CC"}),
        link: "/cases/x",
        occasion: "test:robot",
    };
    let audience = minyi::notify::Audience::Department(department);
    let written = minyi::notify::enqueue_notice(&mut tx, &audience, &notice, t.now()).await.unwrap();
    tx.commit().await.unwrap();
    assert!(written >= 2, "the handler's inbox and the robot: {written}");
    let (_, deliveries, _) = server.page("/admin/deliveries").await;
    assert!(deliveries.contains("浙政钉"), "{deliveries}");
}

#[tokio::test]
async fn the_deadline_policy_is_data_the_administrator_changes() {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    server.login("admin", DEMO_PASSWORD).await;
    let (_, page, csrf) = server.page("/admin/settings").await;
    assert!(page.contains("委员工作室答复期限"), "{page}");
    let post = |studio: &'static str| {
        let fields = [
            ("csrf", csrf.as_str()),
            ("acknowledge_days", "2"),
            ("answer_days", "15"),
            ("studio_answer_days", studio),
            ("assignment_days", "10"),
            ("rating_window_days", "15"),
            ("remind_before_days", "1"),
            ("escalate_after_days", "5"),
        ];
        server.client.post(server.url("/admin/settings/policy")).form(&fields).send()
    };
    let bad = post("0").await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("请填写 1 到 30 之间的整数"));
    assert_eq!(t.app.policy().studio_answer_days, 3);
    assert_eq!(post("4").await.unwrap().status(), 303);
    assert_eq!(t.app.policy().studio_answer_days, 4);
    // A restarted server keeps it.
    let restarted =
        minyi::app::App::new(t.app.db().clone(), std::sync::Arc::new(t.clock.clone()), t.app.config().clone());
    minyi::actions::settings::load_policy(&restarted).await.unwrap();
    assert_eq!(restarted.policy().studio_answer_days, 4);
}

#[tokio::test]
async fn webhook_subscriptions_are_managed_on_their_page_with_a_confirmation_to_switch_off() {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    server.login("admin", DEMO_PASSWORD).await;
    let (status, _, csrf) = server.page("/admin/webhooks").await;
    assert_eq!(status, 200);
    let short = [("csrf", csrf.as_str()), ("name", "热线"), ("url", "https://example.org/hook"), ("secret", "short")];
    let refused = server.post_form("/admin/webhooks", &short).await;
    assert_eq!(refused.status(), 422);
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "省12345热线"),
        ("url", "https://example.org/hook"),
        ("secret", "a-long-enough-secret"),
        ("event_types", "submit,answer"),
    ];
    assert_eq!(server.post_form("/admin/webhooks", &fields).await.status(), 303);
    let (_, list, csrf) = server.page("/admin/webhooks").await;
    assert!(list.contains("省12345热线") && list.contains("推送中"), "{list}");
    let id = list.split("/admin/webhooks/").nth(1).and_then(|rest| rest.split('"').next()).unwrap().to_string();
    assert_eq!(server.post_form(&format!("/admin/webhooks/{id}/pause"), &[("csrf", &csrf)]).await.status(), 303);
    let (_, list, _) = server.page("/admin/webhooks").await;
    assert!(list.contains("已暂停"), "{list}");
    let (status, confirm, csrf) = server.page(&format!("/admin/webhooks/{id}/deactivate")).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("确定停用订阅"), "{confirm}");
    assert_eq!(server.post_form(&format!("/admin/webhooks/{id}/deactivate"), &[("csrf", &csrf)]).await.status(), 303);
    let (status, log, _) = server.page(&format!("/admin/webhooks/{id}")).await;
    assert_eq!(status, 200);
    assert!(log.contains("已停用"), "{log}");
    let (_, admin_log, _) = server.page("/admin/log").await;
    assert!(admin_log.contains("省12345热线"), "the changes are in the admin log");
    let office = spawn(t.app.clone()).await;
    office.login("office", DEMO_PASSWORD).await;
    assert_eq!(office.get("/admin/webhooks").await.status(), 403);
}
