//! Photos and a voice message on the citizen's form: checked by content,
//! re-encoded without their metadata, shown to those allowed, and every kind of
//! bad upload answered in place with what was typed kept and nothing stored.

use minyi::db;
use minyi::domain::user::Scope;
use reqwest::multipart::{Form, Part};

use crate::http::{Server, spawn};
use crate::support::{TestDb, actor, engines, load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

/// A small JPEG carrying an EXIF segment with a made-up GPS note, as a phone's photo does.
fn jpeg_with_gps() -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([(x * 4) as u8, (y * 5) as u8, 90]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90).encode_image(&image).unwrap();
    let mut exif = b"Exif\0\0II*\0\x08\0\0\0\0\0\0\0\0\0".to_vec();
    exif.extend_from_slice(b"GPS-SECRET 28.3712N 121.3786E");
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// The first bytes of an Ogg Opus recording, enough to be recognised by content.
fn ogg_voice() -> Vec<u8> {
    let mut bytes = b"OggS\0\x02".to_vec();
    bytes.extend_from_slice(&[0u8; 20]);
    bytes.extend_from_slice(b"OpusHead\x01\x01");
    bytes.extend(std::iter::repeat_n(7u8, 3000));
    bytes
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// A tiny PNG file whose header claims 60 000 × 60 000 pixels: decoding it
/// naively would allocate about 10 GB.
fn image_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = b"IHDR".to_vec();
    chunk.extend_from_slice(&60_000u32.to_be_bytes());
    chunk.extend_from_slice(&60_000u32.to_be_bytes());
    chunk.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(b"IEND");
    out.extend_from_slice(&crc32(b"IEND").to_be_bytes());
    out
}

fn value_of(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_string()
}

async fn keeper_unit(t: &TestDb) -> String {
    let keeper = actor(t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else {
        panic!("{}: the demo keeper keeps a unit", t.engine)
    };
    unit_id
}

/// The form of the keeper's station, filled in: (form, client token).
async fn filled_form(server: &Server, unit_id: &str, body: &str, mobile: &str) -> (Form, String) {
    let (status, page, csrf) = server.page(&format!("/submit?unit={unit_id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("enctype=\"multipart/form-data\""), "the form sends files");
    let token = value_of(&page, "client_token");
    let form = Form::new()
        .text("csrf", csrf)
        .text("client_token", token.clone())
        .text("representative_id", "")
        .text("unit_id", unit_id.to_string())
        .text("body", body.to_string())
        .text("consent", "yes")
        .text("category", "construction")
        .text("name", "王阿姨")
        .text("mobile", mobile.to_string())
        .text("address", "");
    (form, token)
}

fn file(bytes: Vec<u8>, name: &str, mime: &str) -> Part {
    Part::bytes(bytes).file_name(name.to_string()).mime_str(mime).unwrap()
}

async fn send(server: &Server, form: Form) -> (u16, String) {
    let response = server.client.post(server.url("/submit")).multipart(form).send().await.expect("POST /submit");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn tracking_code_of(page: &str) -> String {
    page.split("<output")
        .nth(1)
        .and_then(|r| r.split('>').nth(1))
        .and_then(|r| r.split('<').next())
        .unwrap_or_default()
        .to_string()
}

async fn totals(t: &TestDb) -> (i64, i64) {
    let mut tx = t.read().await;
    db::attachments::totals(&mut tx).await.unwrap()
}

fn stored_files(t: &TestDb) -> Vec<String> {
    match std::fs::read_dir(t.dir.path().join("attachments")) {
        Ok(dir) => dir.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => Vec::new(),
    }
}

#[tokio::test]
async fn photos_and_a_voice_message_are_stored_without_metadata_and_shown_to_those_allowed() {
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let unit_id = keeper_unit(&t).await;
        let server = spawn(t.app.clone()).await;
        let photo = jpeg_with_gps();
        assert!(photo.windows(10).any(|w| w == b"GPS-SECRET"), "the test photo carries the GPS note");
        let voice = ogg_voice();
        let (form, token) = filled_form(&server, &unit_id, "村口路灯坏了一个月，晚上很黑。", "13812345678").await;
        // The name says PNG: the content decides.
        let form = form
            .part("photos", file(photo.clone(), "IMG_0001.png", "image/png"))
            .part("voice", file(voice.clone(), "voice.ogg", "audio/ogg"));
        let (status, page) = send(&server, form).await;
        assert_eq!(status, 200, "{e}: {page}");
        let code = tracking_code_of(&page);
        assert!(!code.is_empty(), "{e}: the tracking code is shown: {page}");
        let detail = minyi::actions::cases::track(&t.app, &code).await.unwrap();
        let kinds: Vec<&str> = detail.attachments.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["photo", "voice"], "{e}");
        let (photo_row, voice_row) = (&detail.attachments[0], &detail.attachments[1]);
        assert_eq!((photo_row.media_type.as_str(), photo_row.width, photo_row.height), ("image/jpeg", 64, 48), "{e}");
        assert_eq!(voice_row.media_type, "audio/ogg", "{e}");

        // On disk: the photo is a fresh JPEG without EXIF or the GPS note; a thumbnail beside it.
        let folder = t.dir.path().join("attachments");
        let stored = std::fs::read(folder.join(&photo_row.id)).unwrap();
        assert_eq!(&stored[..3], &[0xFF, 0xD8, 0xFF], "{e}: a JPEG");
        assert!(!stored.windows(4).any(|w| w == b"Exif"), "{e}: no EXIF left");
        assert!(!stored.windows(10).any(|w| w == b"GPS-SECRET"), "{e}: no GPS left");
        assert!(folder.join(format!("{}.thumb", photo_row.id)).exists(), "{e}: a thumbnail");
        assert_eq!(std::fs::read(folder.join(&voice_row.id)).unwrap(), voice, "{e}: the voice message as sent");

        // The citizen sees them on the tracking page.
        let (status, track_page, _) = server.page(&format!("/track/{code}")).await;
        assert_eq!(status, 200);
        assert!(track_page.contains(&format!("/track/{code}/files/{}/thumb", photo_row.id)), "{e}: {track_page}");
        assert!(track_page.contains("<audio"), "{e}: the voice message plays");
        let thumb = server.get(&format!("/track/{code}/files/{}/thumb", photo_row.id)).await;
        assert_eq!(thumb.status(), 200, "{e}");
        assert_eq!(thumb.headers()["content-type"], "image/jpeg", "{e}");
        let played = server.get(&format!("/track/{code}/files/{}", voice_row.id)).await;
        assert_eq!(played.headers()["content-type"], "audio/ogg", "{e}");
        assert_eq!(played.bytes().await.unwrap().to_vec(), voice, "{e}");
        assert_eq!(server.get(&format!("/track/{code}/files/{}/thumb", voice_row.id)).await.status(), 404, "{e}");

        // The station's keeper sees them on the case page; a department not on the case does not.
        let case_id = detail.case.id.clone();
        server.login("keeper", DEMO_PASSWORD).await;
        let (status, case_page, _) = server.page(&format!("/cases/{case_id}")).await;
        assert_eq!(status, 200, "{e}");
        assert!(case_page.contains(&format!("/cases/{case_id}/files/{}/thumb", photo_row.id)), "{e}");
        assert_eq!(server.get(&format!("/cases/{case_id}/files/{}", photo_row.id)).await.status(), 200, "{e}");
        let outsider = spawn(t.app.clone()).await;
        outsider.login("handler", DEMO_PASSWORD).await;
        assert_eq!(outsider.get(&format!("/cases/{case_id}/files/{}", photo_row.id)).await.status(), 404, "{e}");
        assert_eq!(server.get(&format!("/cases/{case_id}/files/{}", "nothing")).await.status(), 404, "{e}");

        // A retry after a lost response (same client token) makes no second case and leaves no files.
        let before = (totals(&t).await, stored_files(&t).len());
        let retry = server.page(&format!("/submit?unit={unit_id}")).await.2;
        let form = Form::new()
            .text("csrf", retry)
            .text("client_token", token)
            .text("unit_id", unit_id.clone())
            .text("body", "村口路灯坏了一个月，晚上很黑。")
            .text("consent", "yes")
            .text("category", "construction")
            .part("photos", file(photo, "IMG_0001.jpg", "image/jpeg"));
        let (status, again) = send(&server, form).await;
        assert_eq!(status, 200, "{e}");
        assert_eq!(tracking_code_of(&again), code, "{e}: the same case");
        assert_eq!((totals(&t).await, stored_files(&t).len()), before, "{e}: nothing more stored");
    }
}

/// What is wrong, how the form gets it, the mobile number typed, and the message expected.
type BadCase<'a> = (&'a str, Box<dyn Fn(Form) -> Form + 'a>, &'a str, &'a str);

#[tokio::test]
async fn bad_uploads_and_input_get_a_message_in_place_with_the_text_kept_and_nothing_stored() {
    let t = sqlite().await;
    load_demo(&t).await;
    let unit_id = keeper_unit(&t).await;
    let server = spawn(t.app.clone()).await;
    let before = totals(&t).await;
    let typed = "<script>alert(1)</script>桥上栏杆松动";
    let photo = jpeg_with_gps();
    let mut executable = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec();
    executable.extend(std::iter::repeat_n(0u8, 4096));
    let ten_photos = |form: Form| {
        (0..10).fold(form, |f, i| f.part("photos", file(photo.clone(), &format!("{i}.jpg"), "image/jpeg")))
    };
    let cases: Vec<BadCase> = vec![
        (
            "an executable named .jpg",
            Box::new(|f: Form| f.part("photos", file(executable.clone(), "photo.jpg", "image/jpeg"))),
            "13812345678",
            "只能上传 JPEG、PNG 或 WebP 格式的照片",
        ),
        ("a tenth photo", Box::new(ten_photos), "13812345678", "最多上传 9 张照片"),
        (
            "a 50 MB file",
            Box::new(|f: Form| f.part("photos", file(vec![0xFF; 50 * 1024 * 1024], "big.jpg", "image/jpeg"))),
            "13812345678",
            "文件不能超过 10 MB",
        ),
        (
            "an image bomb",
            Box::new(|f: Form| f.part("photos", file(image_bomb(), "bomb.png", "image/png"))),
            "13812345678",
            "无法读取或尺寸过大",
        ),
        (
            "a photo as the voice message",
            Box::new(|f: Form| f.part("voice", file(photo.clone(), "voice.m4a", "audio/mp4"))),
            "13812345678",
            "只能上传 WebM、Ogg 或 MP4/M4A 格式的语音",
        ),
        (
            "a malformed mobile number",
            Box::new(|f: Form| f.part("photos", file(photo.clone(), "ok.jpg", "image/jpeg"))),
            "1381234",
            "请填写正确的手机号码",
        ),
    ];
    for (what, add, mobile, message) in cases {
        let (form, _) = filled_form(&server, &unit_id, typed, mobile).await;
        let (status, page) = send(&server, add(form)).await;
        assert_eq!(status, 422, "{what}: {page}");
        assert!(page.contains(message), "{what}: says {message:?}: {page}");
        assert!(
            page.contains("&#60;script&#62;alert(1)&#60;/script&#62;桥上栏杆松动"),
            "{what}: the text is kept, escaped"
        );
        assert!(!page.contains("<script>alert(1)"), "{what}: no script runs");
        assert!(page.contains("您填写的文字已保留"), "{what}: says the files must be chosen again");
        assert!(!page.contains("panic") && !page.contains("sqlx"), "{what}: no internals");
        assert_eq!(totals(&t).await, before, "{what}: nothing stored");
        assert!(stored_files(&t).is_empty(), "{what}: no file left behind: {:?}", stored_files(&t));
    }
    // An empty text with files: the text's own message, still nothing stored.
    let (form, _) = filled_form(&server, &unit_id, "", "").await;
    let (status, page) = send(&server, form.part("photos", file(photo.clone(), "ok.jpg", "image/jpeg"))).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("id=\"e-body\""), "the message sits at the text: {page}");
    assert_eq!(totals(&t).await, before);
    assert!(stored_files(&t).is_empty());
}

fn case_fields(unit_id: &str, token: &str, mobile: &str) -> minyi::domain::case::CaseFields {
    minyi::domain::case::CaseFields {
        channel: "web".into(),
        unit_id: unit_id.into(),
        category: "construction".into(),
        body: "小区门口积水严重。".into(),
        mobile: mobile.into(),
        client_token: token.into(),
        ..Default::default()
    }
}

#[tokio::test]
async fn floods_are_refused_per_address_and_per_mobile_until_the_window_passes() {
    use crate::support::invalid_keys;
    use minyi::actions::cases::submit_with_files;
    use minyi::actions::intake::{PER_ADDRESS_PER_HOUR, PER_MOBILE_PER_DAY};
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let unit = keeper_unit(&t).await;
        let mut n = 0;
        let mut token = || {
            n += 1;
            format!("flood-token-{n}")
        };
        // One mobile number, from several addresses: the sixth in a day is refused, on the number.
        for i in 0..PER_MOBILE_PER_DAY {
            let address = format!("10.0.1.{i}");
            submit_with_files(&t.app, &case_fields(&unit, &token(), "13912345678"), vec![], &address, true)
                .await
                .unwrap();
        }
        let refused =
            submit_with_files(&t.app, &case_fields(&unit, &token(), "13912345678"), vec![], "10.0.2.1", true).await;
        assert_eq!(invalid_keys(e, refused), [("mobile".to_string(), "err-intake-mobile")], "{e}");
        submit_with_files(&t.app, &case_fields(&unit, &token(), "13900000000"), vec![], "10.0.2.1", true)
            .await
            .unwrap_or_else(|err| panic!("{e}: another number is not limited: {err:?}"));
        t.clock.advance_ms(24 * 60 * crate::support::MINUTE_MS);
        submit_with_files(&t.app, &case_fields(&unit, &token(), "13912345678"), vec![], "10.0.2.2", true)
            .await
            .unwrap_or_else(|err| panic!("{e}: a day later the number may send again: {err:?}"));

        // One address: the 21st in an hour is refused, for the whole form; an hour later it may send again.
        for _ in 0..PER_ADDRESS_PER_HOUR {
            submit_with_files(&t.app, &case_fields(&unit, &token(), ""), vec![], "10.0.3.1", true).await.unwrap();
        }
        let refused = submit_with_files(&t.app, &case_fields(&unit, &token(), ""), vec![], "10.0.3.1", true).await;
        assert_eq!(invalid_keys(e, refused), [("form".to_string(), "err-intake-address")], "{e}");
        // A retry of an accepted form is no new submission, so it is not refused.
        let retried =
            submit_with_files(&t.app, &case_fields(&unit, "flood-token-1", ""), vec![], "10.0.3.1", true).await;
        assert!(retried.is_ok_and(|s| !s.created), "{e}: a retry finds its case");
        t.clock.advance_ms(61 * crate::support::MINUTE_MS);
        submit_with_files(&t.app, &case_fields(&unit, &token(), ""), vec![], "10.0.3.1", true)
            .await
            .unwrap_or_else(|err| panic!("{e}: an hour later the address may send again: {err:?}"));
    }
}

#[tokio::test]
async fn a_flood_from_one_address_gets_a_clear_chinese_message_in_place() {
    let t = sqlite().await;
    load_demo(&t).await;
    let unit = keeper_unit(&t).await;
    for i in 0..minyi::actions::intake::PER_ADDRESS_PER_HOUR {
        let fields = case_fields(&unit, &format!("t{i}"), "");
        minyi::actions::cases::submit_with_files(&t.app, &fields, vec![], "127.0.0.1", true).await.unwrap();
    }
    let server = spawn(t.app.clone()).await;
    let before = totals(&t).await;
    let (form, _) = filled_form(&server, &unit, "第二十一件：路面塌陷。", "").await;
    let (status, page) = send(&server, form).await;
    assert_eq!(status, 422);
    assert!(page.contains("此网络提交过于频繁，请一小时后再试"), "{page}");
    assert!(page.contains("第二十一件：路面塌陷。"), "the text is kept");
    assert_eq!(totals(&t).await, before, "nothing stored");
}

/// The JSON API takes the citizen's photos and voice message as multipart: the case
/// as JSON in a part named `case`, the files beside it, checked and re-encoded as the
/// form's are; a part it does not know, a case without its JSON, a file that is not
/// what it claims, and files from staff entering a case are each refused by name.
#[tokio::test]
async fn the_api_takes_photos_and_voice_as_multipart_and_checks_them_as_the_form_does() {
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let unit_id = keeper_unit(&t).await;
        let server = spawn(t.app.clone()).await;
        let case = serde_json::json!({"unit_id": unit_id, "category": "transport", "consent": true,
            "body": "公交站牌被撞歪了，附上照片和语音。", "mobile": "13812345679"});
        let post = |form: Form| server.client.post(server.url("/api/v1/cases")).multipart(form).send();
        let form = Form::new()
            .text("case", case.to_string())
            .part("photos", file(jpeg_with_gps(), "a.jpg", "image/jpeg"))
            .part("voice", file(ogg_voice(), "v.ogg", "audio/ogg"));
        let response = post(form).await.unwrap();
        assert_eq!(response.status(), 201, "{e}");
        let made: serde_json::Value = response.json().await.unwrap();
        let code = made["tracking_code"].as_str().unwrap().to_string();
        let detail = minyi::actions::cases::track(&t.app, &code).await.unwrap();
        let kinds: Vec<&str> = detail.attachments.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["photo", "voice"], "{e}");
        let stored = std::fs::read(t.dir.path().join("attachments").join(&detail.attachments[0].id)).unwrap();
        assert!(!stored.windows(10).any(|w| w == b"GPS-SECRET"), "{e}: re-encoded, no GPS left");
        let before = totals(&t).await;

        let refused = |form: Form| async {
            let response = post(form).await.unwrap();
            let status = response.status().as_u16();
            let body: serde_json::Value = response.json().await.unwrap();
            (status, body["error"]["fields"][0]["field"].as_str().unwrap_or_default().to_string())
        };
        let exe = Form::new()
            .text("case", case.to_string())
            .part("photos", file(b"MZ\x90\0".repeat(64), "a.jpg", "image/jpeg"));
        assert_eq!(refused(exe).await, (422, "photos".to_string()), "{e}: an executable named .jpg");
        let stray = Form::new().text("case", case.to_string()).text("evil", "x");
        assert_eq!(refused(stray).await, (422, "evil".to_string()), "{e}: an unknown part");
        let bare = Form::new().part("photos", file(jpeg_with_gps(), "a.jpg", "image/jpeg"));
        assert_eq!(refused(bare).await, (422, "case".to_string()), "{e}: no case JSON");
        let typo = Form::new().text("case", r#"{"body": 5}"#);
        assert_eq!(refused(typo).await, (422, "body".to_string()), "{e}: a wrong type in the JSON part");
        assert_eq!(totals(&t).await, before, "{e}: nothing stored for the refused ones");

        // Staff entering a case (here with a bearer token) attach nothing, as on the pages.
        let token = minyi::actions::api_tokens::demo_token(&t.app, "admin").await.unwrap();
        let staff_case = serde_json::json!({"unit_id": unit_id, "category": "transport", "channel": "hotline",
            "body": "热线转来：站牌歪了"});
        let form = Form::new()
            .text("case", staff_case.to_string())
            .part("photos", file(jpeg_with_gps(), "a.jpg", "image/jpeg"));
        let response =
            server.client.post(server.url("/api/v1/cases")).bearer_auth(&token).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), 422, "{e}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["fields"][0]["field"], "photos", "{e}: {body}");
        let form = Form::new().text("case", staff_case.to_string());
        let response =
            server.client.post(server.url("/api/v1/cases")).bearer_auth(&token).multipart(form).send().await.unwrap();
        assert_eq!(response.status(), 201, "{e}: the same case without files is entered");
    }
}
