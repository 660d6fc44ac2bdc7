//! Representatives' photos: uploaded by an office in the pages, re-encoded without
//! EXIF or GPS, with a thumbnail; shown on the deputy's page, the member's profile
//! and the poster; the first character of the name where there is none.

use minyi::actions::codes::{self, CodeTarget};
use minyi::domain::user::Scope;
use reqwest::multipart::{Form, Part};

use crate::http::spawn;
use crate::support::{actor, load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";
/// Bytes a camera would leave in the EXIF block: they must not survive.
const GPS_MARK: &[u8] = b"GPSLatitude=28.3716N";

/// A 600×800 JPEG with an EXIF block (APP1) carrying a position, as a phone writes it.
fn photo_with_exif() -> Vec<u8> {
    let image = image::RgbImage::from_fn(600, 800, |x, y| image::Rgb([(x / 3) as u8, (y / 4) as u8, 90]));
    let mut plain = std::io::Cursor::new(Vec::new());
    image.write_to(&mut plain, image::ImageFormat::Jpeg).expect("a JPEG");
    let plain = plain.into_inner();
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(GPS_MARK);
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    assert!(out.windows(GPS_MARK.len()).any(|w| w == GPS_MARK), "the sample carries its position");
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn an_office_uploads_a_deputys_photo_which_is_cleaned_and_shown_on_the_public_pages() {
    let t = sqlite().await;
    load_demo(&t).await;
    let deputy = actor(&t, "deputy").await;
    let Scope::Representative { representative_id: id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let name = {
        let mut tx = t.read().await;
        minyi::db::representatives::get(&mut tx, &id).await.unwrap().unwrap().input.name
    };
    let initial = name.chars().next().unwrap().to_string();
    let code = codes::code_for(&t.app, &deputy, &CodeTarget::Representative(id.clone())).await.unwrap();
    let server = spawn(t.app.clone()).await;

    // No photo yet: the first character of the name stands in, and no photo is served.
    let (_, before, _) = server.page(&format!("/q/{code}")).await;
    assert!(before.contains(&format!("<span class=\"portrait-initial\" aria-hidden=\"true\">{initial}</span>")));
    assert!(!before.contains("/photos/representatives/"), "{before}");
    assert_eq!(server.get(&format!("/photos/representatives/{id}")).await.status(), 404);

    // A keeper sees the deputy but may not change the record, so not the photo either.
    server.login("keeper", DEMO_PASSWORD).await;
    let (_, _, csrf) = server.page(&format!("/admin/representatives/{id}/photo")).await;
    let send = |bytes: Vec<u8>, csrf: String| {
        let form = Form::new().text("csrf", csrf).part("photo", Part::bytes(bytes).file_name("me.jpg"));
        let request = server.client.post(server.url(&format!("/admin/representatives/{id}/photo"))).multipart(form);
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(send(photo_with_exif(), csrf).await.0, 403);

    // The office: a program renamed .jpg is refused in place; a real photo is taken.
    server.login("office", DEMO_PASSWORD).await;
    let (status, form, csrf) = server.page(&format!("/admin/representatives/{id}/photo")).await;
    assert_eq!(status, 200);
    assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains("name=\"photo\""), "{form}");
    let (status, refused) = send(b"MZ\x90\0\x03\0\0\0this is a program".to_vec(), csrf.clone()).await;
    assert_eq!(status, 422);
    assert!(refused.contains("只能上传 JPEG、PNG 或 WebP 格式的照片"), "{refused}");
    let (status, _) = send(photo_with_exif(), csrf).await;
    assert_eq!(status, 303);

    // Served re-encoded: no EXIF, no position; a thumbnail no larger than 320 px.
    let full = server.get(&format!("/photos/representatives/{id}")).await;
    assert_eq!(full.headers()["content-type"], "image/jpeg");
    let full = full.bytes().await.unwrap();
    assert!(!contains(&full, b"Exif") && !contains(&full, GPS_MARK), "the metadata is gone");
    let decoded = image::load_from_memory(&full).expect("a JPEG");
    assert_eq!((decoded.width(), decoded.height()), (600, 800));
    let thumb = server.get(&format!("/photos/representatives/{id}/thumb")).await.bytes().await.unwrap();
    let thumb = image::load_from_memory(&thumb).expect("a thumbnail");
    assert_eq!((thumb.width(), thumb.height()), (240, 320));

    // Shown on the deputy's page and poster, in place of the initial.
    let public = crate::http::browser();
    let after = public.get(server.url(&format!("/q/{code}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        after.contains(&format!("<img src=\"/photos/representatives/{id}/thumb\" alt=\"照片：{name}\"")),
        "{after}"
    );
    assert!(!after.contains("portrait-initial"), "{after}");
    let (_, poster, _) = server.page(&format!("/admin/representatives/{id}/poster")).await;
    assert!(poster.contains(&format!("<img src=\"/photos/representatives/{id}\"")), "{poster}");
    let (_, log, _) = server.page("/admin/log").await;
    assert!(log.contains("更新照片") && log.contains(&name), "the upload is in the admin log");

    // A member without a photo: the profile shows the initial.
    let member = actor(&t, "member").await;
    let Scope::Representative { representative_id: member_id, .. } = member.scope().clone() else { panic!() };
    let (status, profile, _) = server.page(&format!("/members/{member_id}")).await;
    assert_eq!(status, 200);
    assert!(profile.contains("class=\"portrait-initial\""), "{profile}");
}
