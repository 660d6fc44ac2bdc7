//! Deputy and station codes: a stable, unguessable link per record, its QR image,
//! and a count of scans per day.

use minyi::actions::codes::{self, CodeTarget};
use minyi::domain::user::Scope;

use crate::http::spawn;
use crate::support::{actor, load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

#[tokio::test]
async fn a_station_code_leads_to_its_page_and_form_and_counts_scans() {
    let t = sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let target = CodeTarget::Unit(unit_id.clone());
    let code = codes::code_for(&t.app, &keeper, &target).await.unwrap();
    assert_eq!(code.len(), 10);
    assert_eq!(codes::code_for(&t.app, &keeper, &target).await.unwrap(), code, "stable");
    let server = spawn(t.app.clone()).await;
    for _ in 0..3 {
        let scan = server.get(&format!("/q/{code}")).await;
        assert_eq!(scan.status(), 200);
        let page = scan.text().await.unwrap();
        assert!(page.contains(&format!("href=\"/submit?unit={unit_id}\"")), "a button to the addressed form: {page}");
        assert!(page.contains("基本情况") && page.contains("履职情况"), "{page}");
    }
    assert_eq!(server.get("/q/aaaaaaaaaa").await.status(), 404);
    let scans = codes::scans(&t.app, &keeper, &target).await.unwrap();
    assert_eq!(scans, vec![("2026-03-02".to_string(), 3)]);
    // The keeper prints the station's QR code; another station's is not theirs.
    server.login("keeper", DEMO_PASSWORD).await;
    let svg = server.get(&format!("/admin/units/{unit_id}/qr.svg")).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().starts_with("<?xml"));
    // The same code as PNG: black modules on white, a white quiet zone, the finder square in the corner.
    let png = server.get(&format!("/admin/units/{unit_id}/qr.png")).await;
    assert_eq!(png.status(), 200);
    assert_eq!(png.headers()["content-type"], "image/png");
    let png = image::load_from_memory(&png.bytes().await.unwrap()).expect("a PNG").to_luma8();
    assert_eq!(png.width(), png.height());
    assert!(png.width() >= 200, "large enough to print: {}", png.width());
    assert_eq!(png.get_pixel(0, 0).0, [255], "the quiet zone is white");
    assert_eq!(png.get_pixel(4 * 8 + 2, 4 * 8 + 2).0, [0], "the finder pattern starts after 4 modules of 8 px");
    // The printable A4 poster: the station's name, its QR code inline, the link, what to do.
    let poster = server.get(&format!("/admin/units/{unit_id}/poster")).await;
    assert_eq!(poster.status(), 200);
    let poster = poster.text().await.unwrap();
    assert!(poster.contains("<svg") && poster.contains(&format!("/q/{code}</p>")), "{poster}");
    assert!(poster.contains("有意见建议，扫码告诉我们") && poster.contains("用手机扫描上方二维码"), "{poster}");
    assert!(poster.contains("人大代表联络站"), "the station's name: {poster}");
    let deputy = actor(&t, "deputy").await;
    let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let other = CodeTarget::Representative(representative_id);
    let office = actor(&t, "town-office").await;
    assert!(codes::code_for(&t.app, &office, &other).await.is_err(), "outside the town office's scope");
}

/// The number shown under a figure's label on a landing page.
fn figure(page: &str, label: &str) -> String {
    let after = page.split(&format!("<dt>{label}</dt><dd>")).nth(1).unwrap_or_else(|| panic!("{label} in {page}"));
    after.split("</dd>").next().unwrap().to_string()
}

#[tokio::test]
async fn a_deputy_code_shows_the_deputys_page_and_public_record_without_personal_data() {
    let t = sqlite().await;
    load_demo(&t).await;
    let deputy = actor(&t, "deputy").await;
    let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let rep = {
        let mut tx = t.read().await;
        minyi::db::representatives::get(&mut tx, &representative_id).await.unwrap().unwrap()
    };
    let code = codes::code_for(&t.app, &deputy, &CodeTarget::Representative(representative_id.clone())).await.unwrap();
    let server = spawn(t.app.clone()).await;
    let (status, before, _) = server.page(&format!("/q/{code}")).await;
    assert_eq!(status, 200);
    assert!(before.contains(&rep.input.name), "the deputy's name: {before}");
    assert!(before.contains(&format!("href=\"/submit?representative={representative_id}\"")), "{before}");
    assert!(before.contains("给这位代表写信") && before.contains("联系的站点"), "{before}");
    let mobile = rep.input.mobile.as_ref().map(|m| m.as_str().to_string()).expect("the demo deputy has a mobile");
    assert!(!before.contains(&mobile), "no personal data on the public page");
    let received: u32 = figure(&before, "收到意见").parse().unwrap();
    let answered = figure(&before, "已答复");
    for (n, body) in ["村里的水渠堵了。", "希望增加公交班次。"].into_iter().enumerate() {
        let fields = minyi::domain::case::CaseFields {
            channel: "web".into(),
            representative_id: representative_id.clone(),
            category: "environment".into(),
            body: body.into(),
            client_token: format!("landing-{n}"),
            ..Default::default()
        };
        minyi::actions::cases::submit(&t.app, &fields).await.unwrap();
    }
    let (_, after, _) = server.page(&format!("/q/{code}")).await;
    assert_eq!(figure(&after, "收到意见"), (received + 2).to_string(), "two more cases received");
    assert_eq!(figure(&after, "已答复"), answered, "none of them answered yet");
    let scans = codes::scans(&t.app, &deputy, &CodeTarget::Representative(representative_id)).await.unwrap();
    assert_eq!(scans, vec![("2026-03-02".to_string(), 2)], "both visits counted");
    // The record counted by the action matches a tally of the deputy's cases.
    let minyi::actions::codes::Landing::Deputy(landing) = codes::landing(&t.app, &code).await.unwrap() else {
        panic!("a deputy's page")
    };
    assert_eq!(landing.record.received, received + 2);
}

#[tokio::test]
async fn a_keeper_prints_every_code_of_their_station_on_one_sheet() {
    let t = sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let deputies = {
        let mut tx = t.read().await;
        minyi::db::representatives::names_at_unit(&mut tx, &unit_id).await.unwrap()
    };
    assert!(!deputies.is_empty(), "the demo station has deputies");
    let page = minyi::db::PageRequest::new(1, 50);
    let meetings = minyi::actions::meetings::list(&t.app, &keeper, "", page).await.unwrap().items;
    assert_eq!(meetings.len(), 6, "the demo station holds two meetings and four reception days");
    let cards = 1 + deputies.len() + meetings.len();
    let server = spawn(t.app.clone()).await;
    assert_ne!(server.get("/codes/sheet").await.status(), 200, "not for the public");
    server.login("keeper", DEMO_PASSWORD).await;
    let (status, sheet, _) = server.page("/codes/sheet").await;
    assert_eq!(status, 200);
    assert_eq!(sheet.matches("class=\"code-card\"").count(), cards, "{sheet}");
    assert_eq!(sheet.matches("<svg").count(), cards, "a QR image on each card");
    let station = codes::code_for(&t.app, &keeper, &CodeTarget::Unit(unit_id)).await.unwrap();
    assert!(sheet.contains(&format!("/q/{station}</p>")), "the station's own code");
    for (id, name) in &deputies {
        let code = codes::code_for(&t.app, &keeper, &CodeTarget::Representative(id.clone())).await.unwrap();
        assert!(sheet.contains(&format!("/q/{code}</p>")) && sheet.contains(name.as_str()), "{name}'s code");
    }
    for meeting in &meetings {
        let code = codes::code_for(&t.app, &keeper, &CodeTarget::Meeting(meeting.id.clone())).await.unwrap();
        let title = &meeting.input.title;
        assert!(sheet.contains(&format!("/q/{code}</p>")) && sheet.contains(title.as_str()), "{title}'s code");
    }
    assert!(sheet.contains("二维码汇总打印") && sheet.contains("A4"), "{sheet}");
    // The same codes as the scan links: a second sheet makes no new ones.
    let (_, again, _) = server.page("/codes/sheet").await;
    let links = |page: &str| -> Vec<String> {
        page.split("/q/").skip(1).map(|rest| rest.split(['<', '"']).next().unwrap_or_default().to_string()).collect()
    };
    assert_eq!(links(&sheet).len(), cards, "one link per card");
    assert_eq!(links(&again), links(&sheet), "the same codes, not new ones");
}
