//! The citizen's form finished: the privacy consent and the phone's position.

use minyi::domain::case::Location;
use minyi::domain::user::Scope;

use crate::http::spawn;
use crate::support::{actor, load_demo, sqlite};

#[test]
fn a_position_is_both_coordinates_on_the_globe_or_none() {
    assert_eq!(Location::parse("", " "), Ok(None));
    let here = Location::parse("28.3716", "121.3866").unwrap().unwrap();
    assert_eq!(here, Location { lat_e6: 28_371_600, lng_e6: 121_386_600 });
    assert_eq!(here.text(), "28.371600,121.386600");
    assert_eq!(Location::parse("-0.5", "-1").unwrap().unwrap().text(), "-0.500000,-1.000000");
    for (lat, lng) in [("91", "121"), ("28", "181"), ("28", ""), ("abc", "121"), ("NaN", "1"), ("inf", "1")] {
        assert!(Location::parse(lat, lng).is_err(), "{lat},{lng}");
    }
}

#[tokio::test]
async fn the_form_stores_the_phones_position_and_refuses_a_bad_one_or_no_consent_in_place() {
    let t = sqlite().await;
    load_demo(&t).await;
    let keeper = actor(&t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("a keeper") };
    let server = spawn(t.app.clone()).await;
    let (status, form, csrf) = server.page(&format!("/submit?unit={unit_id}")).await;
    assert_eq!(status, 200);
    assert!(form.contains("个人信息保护说明") && form.contains("name=\"consent\""), "{form}");
    assert!(form.contains("name=\"latitude\"") && form.contains("使用我现在的位置"), "{form}");
    let token = form.split("name=\"client_token\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let body = "桥头的护栏松动了，请派人看看。";
    let send = |latitude: &'static str, consent: &'static str| {
        let fields = vec![
            ("csrf", csrf.clone()),
            ("client_token", token.clone()),
            ("unit_id", unit_id.clone()),
            ("body", body.to_string()),
            ("category", "transport".to_string()),
            ("latitude", latitude.to_string()),
            ("longitude", "121.386600".to_string()),
            ("consent", consent.to_string()),
        ];
        let server = &server;
        async move {
            let response = server.client.post(server.url("/submit")).form(&fields).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, page) = send("99.5", "yes").await;
    assert_eq!(status, 422);
    assert!(page.contains("位置信息有误") && page.contains(body), "refused in place, text kept: {page}");
    let (status, page) = send("28.371600", "").await;
    assert_eq!(status, 422);
    assert!(page.contains("请阅读并同意个人信息保护说明后再提交") && page.contains(body), "{page}");
    assert!(page.contains("value=\"28.371600\""), "the position is kept too");
    let (status, page) = send("28.371600", "yes").await;
    assert_eq!(status, 200, "{page}");
    let code = page.split("id=\"tracking-code\"").nth(1).unwrap().split('>').nth(1).unwrap().split('<').next().unwrap();
    let case = minyi::actions::cases::track(&t.app, code).await.unwrap().case;
    let stored = {
        let mut tx = t.read().await;
        minyi::db::cases::get(&mut tx, &case.id).await.unwrap().unwrap()
    };
    assert_eq!(stored.location, Some(Location { lat_e6: 28_371_600, lng_e6: 121_386_600 }));
    assert_eq!(stored.body, body);
}
