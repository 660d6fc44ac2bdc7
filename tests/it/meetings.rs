//! Meetings (督政议事 · 民生议事堂): planned, changed and cancelled by a station's
//! keeper or an office over it; shown on the station's page; each with its own code
//! whose page leads to the station's form, and the case remembers the meeting.

use minyi::actions::codes::{self, CodeTarget};
use minyi::actions::meetings;
use minyi::domain::meeting::{MeetingFields, MeetingState};
use minyi::domain::user::Scope;
use minyi::error::Error;

use crate::http::spawn;
use crate::support::{actor, engines, invalid_fields, load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

fn fields(unit_code: &str, title: &str) -> MeetingFields {
    MeetingFields {
        unit_code: unit_code.into(),
        kind: "deliberation".into(),
        title: title.into(),
        starts_at: "2026-03-20 09:30".into(),
        place: "村文化礼堂".into(),
        agenda: "商议村道拓宽方案。".into(),
        state: String::new(),
        citizens: String::new(),
        representatives: String::new(),
    }
}

#[tokio::test]
async fn a_keeper_runs_the_stations_own_meetings_and_cancelling_is_kept_and_logged() {
    for t in engines().await {
        load_demo(&t).await;
        let e = t.engine;
        let keeper = actor(&t, "keeper").await;
        let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
        let studio_keeper = actor(&t, "studio-keeper").await;
        let Scope::Unit { unit_id: studio_id, .. } = studio_keeper.scope().clone() else { panic!("a keeper") };
        let studio_code = minyi::actions::units::get(&t.app, &studio_keeper, &studio_id).await.unwrap().input.code;

        // Left empty, the unit is the keeper's own station.
        let id = meetings::save(&t.app, &keeper, None, &fields("", "村道拓宽议事会")).await.unwrap();
        let meeting = meetings::get(&t.app, &keeper, &id).await.unwrap();
        assert_eq!(meeting.unit_id, unit_id, "{e}");
        assert_eq!(meeting.input.state, MeetingState::Planned, "{e}");
        assert_eq!(meetings::fields_of(&meeting).starts_at, "2026-03-20 09:30", "{e}: China time both ways");

        // Not another unit's meeting, neither to make nor to see.
        let elsewhere = meetings::save(&t.app, &keeper, None, &fields(&studio_code, "别处的会")).await;
        assert!(matches!(elsewhere, Err(Error::Forbidden)), "{e}: {elsewhere:?}");
        assert!(matches!(meetings::get(&t.app, &studio_keeper, &id).await, Err(Error::Forbidden)), "{e}");

        // What is wrong is named in place; cancelling is not a field to type.
        let bad = MeetingFields { starts_at: "下周三上午".into(), kind: "茶话会".into(), ..fields("", "会") };
        assert_eq!(invalid_fields(e, meetings::save(&t.app, &keeper, None, &bad).await), ["kind", "starts_at"]);
        let cancel_by_field = MeetingFields { state: "cancelled".into(), ..fields("", "村道拓宽议事会") };
        assert_eq!(invalid_fields(e, meetings::save(&t.app, &keeper, Some(&id), &cancel_by_field).await), ["state"]);
        let no_unit = meetings::save(&t.app, &keeper, None, &fields("NO-SUCH", "会")).await;
        assert_eq!(invalid_fields(e, no_unit), ["unit_code"]);

        // The keeper lists exactly the station's meetings: the demo's two meetings and
        // four reception days, and this one.
        let mine = meetings::list(&t.app, &keeper, "", minyi::db::PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(mine.total, 7, "{e}");
        assert!(mine.items.iter().all(|m| m.unit_id == unit_id), "{e}");
        let office = actor(&t, "office").await;
        let all = meetings::list(&t.app, &office, "", minyi::db::PageRequest::new(1, 50)).await.unwrap();
        assert_eq!(all.total, 10, "{e}: the county office sees every meeting of the county (six reception days)");

        // Cancelled, then edited: it stays cancelled until restored; both are in the log.
        let log_before = crate::support::admin_log_len(&t).await;
        meetings::set_active(&t.app, &keeper, &id, false).await.unwrap();
        let moved = MeetingFields { starts_at: "2026-03-21 14:00".into(), ..fields("", "村道拓宽议事会") };
        meetings::save(&t.app, &office, Some(&id), &moved).await.unwrap();
        let meeting = meetings::get(&t.app, &keeper, &id).await.unwrap();
        assert_eq!(meeting.input.state, MeetingState::Cancelled, "{e}");
        assert_eq!(meetings::fields_of(&meeting).starts_at, "2026-03-21 14:00", "{e}");
        meetings::set_active(&t.app, &keeper, &id, true).await.unwrap();
        let meeting = meetings::get(&t.app, &keeper, &id).await.unwrap();
        assert_eq!(meeting.input.state, MeetingState::Planned, "{e}");
        assert_eq!(crate::support::admin_log_len(&t).await, log_before + 3, "{e}: cancel, change, restore");
        assert!(
            matches!(meetings::set_active(&t.app, &studio_keeper, &id, false).await, Err(Error::Forbidden)),
            "{e}: another keeper cannot cancel it"
        );
    }
}

#[tokio::test]
async fn a_meetings_code_shows_the_meeting_and_its_case_remembers_it() {
    let t = sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let server = spawn(t.app.clone()).await;

    // The station's page lists its coming meetings (the demo's planned one, not the held one).
    let station_code = codes::code_for(&t.app, &keeper, &CodeTarget::Unit(unit_id.clone())).await.unwrap();
    let (_, station_page, _) = server.page(&format!("/q/{station_code}")).await;
    assert!(station_page.contains("近期会议"), "{station_page}");
    assert!(station_page.contains("老旧小区加装电梯推进情况督政会") && station_page.contains("2026-03-09 09:30"));
    assert!(!station_page.contains("农贸市场周边停车议事会"), "a held meeting is not coming");

    // The keeper plans one in the pages.
    server.login("keeper", DEMO_PASSWORD).await;
    let (status, form, csrf) = server.page("/admin/meetings/new").await;
    assert_eq!(status, 200, "{form}");
    assert!(form.contains("name=\"starts_at\"") && form.contains("民生议事堂"), "{form}");
    let sent = [
        ("csrf", csrf.as_str()),
        ("unit_code", ""),
        ("kind", "deliberation"),
        ("title", "村道拓宽议事会"),
        ("starts_at", "2026-03-20 09:30"),
        ("place", "村文化礼堂"),
        ("agenda", "商议村道拓宽方案。"),
        ("state", "planned"),
    ];
    let created = server.post_form("/admin/meetings/new", &sent).await;
    assert_eq!(created.status(), 303);
    let location = created.headers()["location"].to_str().unwrap().to_string();
    let id = location.trim_start_matches("/admin/meetings/").split('?').next().unwrap().to_string();
    let (_, list, _) = server.page("/admin/meetings").await;
    assert!(list.contains("村道拓宽议事会") && list.contains("议事会") && list.contains("计划召开"), "{list}");
    let (status, poster, _) = server.page(&format!("/admin/meetings/{id}/poster")).await;
    assert_eq!(status, 200);
    assert!(poster.contains("<svg") && poster.contains("村道拓宽议事会") && poster.contains("2026-03-20 09:30"));
    assert_eq!(server.get(&format!("/admin/meetings/{id}/qr.png")).await.status(), 200);

    // Its code: the meeting's page, leading to the station's form about that meeting.
    let code = codes::code_for(&t.app, &keeper, &CodeTarget::Meeting(id.clone())).await.unwrap();
    let public = crate::http::browser();
    let page = public.get(server.url(&format!("/q/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("村道拓宽议事会") && page.contains("商议村道拓宽方案。") && page.contains("村文化礼堂"));
    let form_href = format!("/submit?unit={unit_id}&#38;meeting={id}");
    assert!(page.contains(&form_href), "{page}");
    let scans = codes::scans(&t.app, &keeper, &CodeTarget::Meeting(id.clone())).await.unwrap();
    assert_eq!(scans, vec![("2026-03-02".to_string(), 1)], "the scan is counted");
    let (status, form, _) = {
        let response = public.get(server.url(&form_href.replace("&#38;", "&"))).send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.text().await.unwrap();
        (status, body.clone(), crate::http::csrf_of(&body))
    };
    assert_eq!(status, 200);
    assert!(form.contains("关于会议") && form.contains(&format!("name=\"meeting_id\" value=\"{id}\"")), "{form}");

    // Submitted: the case is the station's, and it names the meeting.
    let submit = |meeting_id: String, token: &'static str| {
        let csrf = crate::http::csrf_of(&form);
        let fields = vec![
            ("csrf", csrf),
            ("client_token", token.to_string()),
            ("unit_id", unit_id.clone()),
            ("meeting_id", meeting_id),
            ("body", "村道拓宽时请保留两侧的老樟树。".to_string()),
            ("category", "transport".to_string()),
            ("consent", "yes".to_string()),
        ];
        let (public, url) = (&public, server.url("/submit"));
        async move {
            let response = public.post(url).form(&fields).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, done) = submit(id.clone(), "meeting-case-1").await;
    assert_eq!(status, 200, "{done}");
    let mut tx = t.read().await;
    let case = minyi::db::cases::by_client_token(&mut tx, "meeting-case-1").await.unwrap().expect("the case");
    assert_eq!(case.unit_id.as_deref(), Some(unit_id.as_str()));
    let named = minyi::db::meetings::of_case(&mut tx, &case.id).await.unwrap();
    assert_eq!(named, Some((id.clone(), "村道拓宽议事会".to_string())));
    drop(tx);
    // Another station's meeting on this station's form is refused in place, and nothing is stored.
    let studio_keeper = actor(&t, "studio-keeper").await;
    let other = meetings::list(&t.app, &studio_keeper, "", minyi::db::PageRequest::new(1, 5)).await.unwrap();
    let (status, refused) = submit(other.items[0].id.clone(), "meeting-case-2").await;
    assert_eq!(status, 422);
    assert!(refused.contains("该会议不存在、已取消，或不属于本联络站"), "{refused}");
    let mut tx = t.read().await;
    assert!(minyi::db::cases::by_client_token(&mut tx, "meeting-case-2").await.unwrap().is_none());
    drop(tx);

    // Cancelling asks first; then the meeting leaves the station's page, and its code says so.
    let (status, question, csrf) = server.page(&format!("/admin/meetings/{id}/active/off")).await;
    assert_eq!(status, 200);
    assert!(question.contains("确定要取消会议“村道拓宽议事会”吗"), "{question}");
    let cancelled = server.post_form(&format!("/admin/meetings/{id}/active/off"), &[("csrf", &csrf)]).await;
    assert_eq!(cancelled.status(), 303);
    let (_, edit, _) = server.page(&format!("/admin/meetings/{id}")).await;
    assert!(edit.contains("恢复会议"), "{edit}");
    let (_, station_page, _) = server.page(&format!("/q/{station_code}")).await;
    assert!(!station_page.contains("村道拓宽议事会"), "{station_page}");
    let (_, page, _) = server.page(&format!("/q/{code}")).await;
    assert!(page.contains("已取消") && page.contains(&format!("href=\"/submit?unit={unit_id}\"")), "{page}");
    let (_, log, _) = {
        server.login("office", DEMO_PASSWORD).await;
        server.page("/admin/log").await
    };
    assert!(log.contains("取消会议") && log.contains("村道拓宽议事会"), "{log}");
}
