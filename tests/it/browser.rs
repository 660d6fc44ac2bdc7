//! Browser tests: the citizen's pages in a real headless Chromium.
//!
//! Each test starts the server on 127.0.0.1:0 (usually with the demo county) and
//! runs one script from `browser/` with [`run_script`]: `node browser/<name>.mjs
//! <base-url> [args…]`. The scripts drive Debian's `/usr/bin/chromium` through
//! `playwright-core` and check accessibility with `@axe-core/playwright`; their
//! shared part is `browser/lib.mjs`. A script fails by exiting non-zero, and the
//! test fails with what it printed. A missing Chromium or Node.js is a failure
//! with a message saying what to install, never a skip; missing `node_modules`
//! are installed with `npm ci` (from `browser/package-lock.json`) once.
//!
//! To add a browser test: write `browser/<name>.mjs` with `run(async (t) => …)`
//! from `lib.mjs`, then a `#[tokio::test]` here that prepares data, spawns the
//! server and calls `run_script("<name>", &server, &[args]).await`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use minyi::actions::codes::{self, CodeTarget};
use minyi::domain::user::Scope;

use crate::http::{Server, spawn};
use crate::support::{actor, load_demo, sqlite};

const DEMO_PASSWORD: &str = "minyi-demo-2026";

/// Where the Debian package `chromium` puts the browser; lib.mjs uses the same path.
const CHROMIUM: &str = "/usr/bin/chromium";

/// One browser at a time: the scripts are heavy and the machine is small.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
/// `npm ci` runs at most once per test binary.
static NPM_CI: Mutex<Option<Result<(), String>>> = Mutex::new(None);

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("browser")
}

/// Panics with what to install when Chromium or Node.js is missing, and runs
/// `npm ci` in `browser/` when its `node_modules` are not there yet.
fn ensure_tools() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "browser tests need Chromium at {CHROMIUM}: install the Debian packages `chromium fonts-noto-cjk` \
         (`.ci/run` does)"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.as_ref().is_ok_and(|out| out.status.success()),
        "browser tests need Node.js (`node` and `npm` on PATH): install the Debian packages `nodejs npm`"
    );
    let dir = browser_dir();
    let mut done = NPM_CI.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if done.is_none() {
        let installed =
            dir.join("node_modules/playwright-core").exists() && dir.join("node_modules/@axe-core/playwright").exists();
        *done = Some(if installed { Ok(()) } else { npm_ci(&dir) });
    }
    if let Some(Err(reason)) = done.as_ref() {
        panic!("browser tests need browser/node_modules and `npm ci` failed: {reason}");
    }
}

fn npm_ci(dir: &Path) -> Result<(), String> {
    let out = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run npm: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Runs `browser/<script>.mjs` against `server` with `args`, and returns what it
/// printed; panics with its output when it fails. Screenshots go to
/// `target/browser-screenshots/`.
pub async fn run_script(script: &str, server: &Server, args: &[&str]) -> String {
    let _turn = ONE_AT_A_TIME.lock().await;
    tokio::task::spawn_blocking(ensure_tools).await.unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
    let dir = browser_dir();
    let path = dir.join(format!("{script}.mjs"));
    assert!(path.exists(), "no browser script {}", path.display());
    let screenshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots");
    let mut command = tokio::process::Command::new("node");
    command.arg(&path).arg(&server.base).args(args).current_dir(&dir).env("MINYI_SCREENSHOTS", screenshots);
    command.kill_on_drop(true);
    let out = command.output().await.unwrap_or_else(|e| panic!("cannot run node {}: {e}", path.display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "browser script {script}.mjs failed ({}):\n{stdout}\n{stderr}", out.status);
    stdout
}

/// The demo county on SQLite, served; the browser sees what a citizen would.
async fn demo_server() -> (crate::support::TestDb, Server) {
    let t = sqlite().await;
    load_demo(&t).await;
    let server = spawn(t.app.clone()).await;
    (t, server)
}

/// The code on the wall of the demo keeper's station.
async fn station_code(t: &crate::support::TestDb) -> (String, String) {
    let keeper = actor(t, "keeper").await;
    let Scope::Unit { unit_id, .. } = keeper.scope().clone() else { panic!("the demo keeper keeps a unit") };
    let code = codes::code_for(&t.app, &keeper, &CodeTarget::Unit(unit_id.clone())).await.expect("a station code");
    (unit_id, code)
}

#[tokio::test]
async fn the_harness_opens_the_form_in_chromium_with_no_wcag_violations() {
    let (t, server) = demo_server().await;
    let (unit_id, _) = station_code(&t).await;
    let printed = run_script("smoke", &server, &[&format!("/submit?unit={unit_id}")]).await;
    assert!(printed.contains("axe: no violations on the submission form"), "{printed}");
}

/// A real photo and a short recording for the form, in a temporary folder.
fn sample_files() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let photo = dir.path().join("photo.jpg");
    let image = image::RgbImage::from_fn(800, 600, |x, y| image::Rgb([(x / 4) as u8, (y / 3) as u8, 120]));
    image.save(&photo).expect("a sample photo");
    let voice = dir.path().join("voice.ogg");
    let mut bytes = b"OggS\0\x02".to_vec();
    bytes.extend_from_slice(&[0u8; 20]);
    bytes.extend_from_slice(b"OpusHead\x01\x01");
    bytes.extend(std::iter::repeat_n(7u8, 2000));
    std::fs::write(&voice, bytes).expect("a sample recording");
    let (photo, voice) = (photo.display().to_string(), voice.display().to_string());
    (dir, photo, voice)
}

#[tokio::test]
async fn a_citizen_scans_a_station_code_sends_a_photo_and_voice_and_rates_the_deputys_answer() {
    let (t, server) = demo_server().await;
    let deputy = actor(&t, "deputy").await;
    let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let rep = {
        let mut tx = t.read().await;
        minyi::db::representatives::get(&mut tx, &representative_id).await.unwrap().expect("the deputy's record")
    };
    let station = rep.unit_ids.first().expect("the demo deputy serves at a station").clone();
    let admin = actor(&t, "admin").await;
    let code = codes::code_for(&t.app, &admin, &CodeTarget::Unit(station)).await.expect("the station's code");
    let (_files, photo, voice) = sample_files();
    let printed = run_script("journey", &server, &[&code, "deputy", DEMO_PASSWORD, &photo, &voice]).await;
    let pages = [
        "the station's page",
        "the form",
        "the submitted page",
        "the tracking page",
        "the tracking page after rating",
        "my cases",
    ];
    for page in pages {
        assert!(printed.contains(&format!("axe: no violations on {page}")), "{page}: {printed}");
    }
    let tracking = printed.split("tracking code ").nth(1).and_then(|r| r.lines().next()).expect("a tracking code");
    let case = minyi::actions::cases::track(&t.app, tracking.trim()).await.expect("the case").case;
    let stored = {
        let mut tx = t.read().await;
        minyi::db::cases::get(&mut tx, &case.id).await.unwrap().expect("the stored case")
    };
    let location = stored.location.expect("the phone's position is stored with the case");
    assert_eq!(location.text(), "28.371600,121.386600");
}

#[tokio::test]
async fn the_form_fits_320_px_in_large_text_and_in_english_with_no_wcag_violations() {
    let (t, server) = demo_server().await;
    let (unit_id, _) = station_code(&t).await;
    let printed = run_script("large_text", &server, &[&format!("/submit?unit={unit_id}")]).await;
    assert!(printed.contains("axe: no violations on the form in large text at 320 px"), "{printed}");
    assert!(printed.contains("axe: no violations on the form in English"), "{printed}");
}

#[tokio::test]
async fn a_draft_survives_a_reload_and_an_offline_form_is_sent_when_the_connection_returns() {
    let (t, server) = demo_server().await;
    let (unit_id, _) = station_code(&t).await;
    let printed = run_script("draft", &server, &[&format!("/submit?unit={unit_id}")]).await;
    assert!(printed.contains("axe: no violations on the form waiting offline"), "{printed}");
    let tracking =
        printed.split("tracking code ").nth(1).and_then(|rest| rest.lines().next()).expect("a tracking code");
    let detail = minyi::actions::cases::track(&t.app, tracking).await.expect("the case sent when back online");
    assert!(detail.case.body.contains("河边护栏断了一段"), "{}", detail.case.body);
    assert_eq!(detail.case.category, "transport");
    // Sent offline, page closed, page opened again online: sent by itself, once.
    let reopened = printed
        .split("reopened tracking code ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .expect("a tracking code from the reopened page");
    let detail = minyi::actions::cases::track(&t.app, reopened).await.expect("the case sent from the reopened page");
    assert!(detail.case.body.contains("垃圾桶满了三天"), "{}", detail.case.body);
    assert_eq!(detail.case.category, "environment");
    let mut tx = t.read().await;
    let all = minyi::db::cases::inbox(
        &mut tx,
        &minyi::db::cases::InboxFilter { region_prefix: "/%".into(), ..Default::default() },
        minyi::db::PageRequest::new(1, 500),
    )
    .await
    .unwrap();
    let sent = all.items.iter().filter(|c| c.body.contains("垃圾桶满了三天")).count();
    assert_eq!(sent, 1, "one case for the one form");
}

#[tokio::test]
async fn the_station_and_deputy_pages_fit_320_px_lead_to_the_form_and_have_no_wcag_violations() {
    let (t, server) = demo_server().await;
    let (_, station) = station_code(&t).await;
    let deputy = actor(&t, "deputy").await;
    let Scope::Representative { representative_id, .. } = deputy.scope().clone() else { panic!("a deputy") };
    let deputy_code = codes::code_for(&t.app, &deputy, &CodeTarget::Representative(representative_id.clone()))
        .await
        .expect("a deputy code");
    // The deputy's page is scanned with a photo on it.
    let mut photo = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(300, 400, |x, y| image::Rgb([(x / 2) as u8, (y / 2) as u8, 100]))
        .write_to(&mut photo, image::ImageFormat::Jpeg)
        .expect("a photo");
    let upload =
        minyi::domain::attachment::Upload { field: "photo".into(), bytes: photo.into_inner(), too_large: false };
    let office = actor(&t, "office").await;
    minyi::actions::representatives::set_photo(&t.app, &office, &representative_id, upload).await.expect("the photo");
    let admin = actor(&t, "admin").await;
    let meeting_code =
        codes::code_for(&t.app, &admin, &CodeTarget::Meeting(demo_meeting(&t).await)).await.expect("a meeting code");
    let printed = run_script("landing", &server, &[&station, &deputy_code, &meeting_code]).await;
    for page in [
        "the station's page",
        "the station's page in large text",
        "the deputy's page",
        "the deputy's page in English",
        "the meeting's page",
        "the form from a meeting",
    ] {
        assert!(printed.contains(&format!("axe: no violations on {page}")), "{page}: {printed}");
    }
}

#[tokio::test]
async fn a_citizen_finds_a_studio_asks_a_member_and_sees_the_members_answer() {
    let (t, server) = demo_server().await;
    let member = actor(&t, "member").await;
    let Scope::Representative { representative_id, .. } = member.scope().clone() else { panic!("a member") };
    let (rep, studio) = {
        let mut tx = t.read().await;
        let rep = minyi::db::representatives::get(&mut tx, &representative_id).await.unwrap().expect("the member");
        let studio = minyi::db::units::get(&mut tx, rep.unit_ids.first().expect("the member's studio")).await;
        (rep, studio.unwrap().expect("the studio"))
    };
    let args = [studio.input.name.as_str(), rep.input.name.as_str(), "member", DEMO_PASSWORD, "2026-03-05"];
    let printed = run_script("studio", &server, &args).await;
    let pages = ["the studio directory", "the directory searched", "the studio's page", "the member's profile"];
    for page in pages.into_iter().chain(["the question form", "the tracking page with the answer"]) {
        assert!(printed.contains(&format!("axe: no violations on {page}")), "{page}: {printed}");
    }
    let case = {
        let tracking = printed.split("tracking code ").nth(1).and_then(|r| r.lines().next());
        minyi::actions::cases::track(&t.app, tracking.expect("a tracking code").trim()).await.expect("the case")
    };
    assert_eq!(case.case.representative_id.as_deref(), Some(representative_id.as_str()), "addressed to the member");
    assert_eq!(case.case.answer_due.map(|d| d.to_string()).as_deref(), Some("2026-03-05"), "due as promised");
}

#[tokio::test]
async fn a_voice_message_recorded_in_the_browser_arrives_with_the_case() {
    let (t, server) = demo_server().await;
    let (unit_id, _) = station_code(&t).await;
    let printed = run_script("voice", &server, &[&format!("/submit?unit={unit_id}")]).await;
    assert!(printed.contains("axe: no violations on the form with the recorder"), "{printed}");
    let tracking = printed.split("tracking code ").nth(1).and_then(|r| r.lines().next()).expect("a tracking code");
    let detail = minyi::actions::cases::track(&t.app, tracking.trim()).await.expect("the case");
    assert!(detail.case.body.contains("菜市场"), "{}", detail.case.body);
}

#[tokio::test]
async fn a_keepers_sheet_of_codes_prints_three_to_a_row_with_no_wcag_violations() {
    let (t, server) = demo_server().await;
    let poster = format!("/admin/meetings/{}/poster", demo_meeting(&t).await);
    let printed = run_script("sheet", &server, &["keeper", DEMO_PASSWORD, &poster]).await;
    assert!(printed.contains("axe: no violations on the sheet of codes"), "{printed}");
    assert!(printed.contains("axe: no violations on the meeting poster"), "{printed}");
}

/// The demo station's coming meeting (the keeper's 督政会).
async fn demo_meeting(t: &crate::support::TestDb) -> String {
    let keeper = actor(t, "keeper").await;
    let page = minyi::db::PageRequest::new(1, 10);
    let meetings = minyi::actions::meetings::list(&t.app, &keeper, "", page).await.expect("the keeper's meetings");
    let planned = meetings.items.into_iter().find(|m| m.input.state == minyi::domain::meeting::MeetingState::Planned);
    planned.expect("the demo station has a planned meeting").id
}

#[tokio::test]
async fn the_office_drills_down_the_cockpit_to_a_case_every_figure_lists_its_cases_and_lists_download() {
    let (t, server) = demo_server().await;
    minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
    let dir = tempfile::tempdir().expect("a temporary folder");
    let xlsx = dir.path().join("regions.xlsx");
    let xlsx_path = xlsx.display().to_string();
    let printed = run_script("cockpit", &server, &["office", DEMO_PASSWORD, "2025-01-01", &xlsx_path]).await;
    for page in ["the cockpit", "a town in the cockpit", "a station in the cockpit", "a representative's cases"] {
        assert!(printed.contains(&format!("axe: no violations on {page}")), "{page}: {printed}");
    }
    assert!(printed.contains("the county totals: each of the six figures lists exactly"), "{printed}");
    assert!(printed.contains("drilled down to case "), "{printed}");
    assert!(printed.contains("hot word "), "{printed}");
    // The workbook the browser saved: the table's header, then one row per table row.
    let line = printed.lines().find_map(|l| l.strip_prefix("xlsx rows ")).expect("the table's shape");
    let (rows, header) = line.split_once(" header ").expect("rows and header");
    let rows: usize = rows.parse().expect("a row count");
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("a workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0].join("|"), header, "the workbook's header is the table's");
    assert_eq!(cells.len(), rows + 1, "the workbook has the table's rows");
}

#[tokio::test]
async fn the_office_exports_a_narrowed_case_list_and_downloads_it_when_the_progress_is_done() {
    let (t, server) = demo_server().await;
    minyi::demo::load_demo_cases(&t.app).await.expect("demo cases");
    let runner = minyi::jobs::exports::spawn_runner(t.app.clone());
    let dir = tempfile::tempdir().expect("a temporary folder");
    let xlsx = dir.path().join("cases.xlsx");
    let xlsx_path = xlsx.display().to_string();
    // The case list as a cockpit figure links to it: the closed cases received since January.
    let list = "/cases?from=2025-01-01&counted=closed";
    let printed = run_script("exports", &server, &["office", DEMO_PASSWORD, list, &xlsx_path]).await;
    runner.abort();
    assert!(printed.contains("axe: no violations on the export progress page"), "{printed}");
    let rows: usize = printed
        .lines()
        .find_map(|l| l.strip_prefix("export rows "))
        .expect("the exported rows")
        .parse()
        .expect("a count");
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&xlsx).expect("a workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(cells[0][0], "编号", "the header row");
    assert_eq!(cells.len(), rows + 1, "the workbook has the list's rows");
}
