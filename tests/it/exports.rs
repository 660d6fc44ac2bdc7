//! Background exports on every engine: a few thousand synthetic cases exported with
//! a small part size give the right parts, headers and rows (read back with
//! calamine and the csv reader); a person gets only the cases they may see, and a
//! cockpit narrowing's cases only; progress advances page by page as the runner is
//! driven step by step; a run lost in a crash is started again once its lease has run
//! out; another person's export is not found; the files are deleted seven days after
//! an export finished, and the export stays listed as expired.

use std::collections::BTreeSet;
use std::sync::Arc;

use minyi::actions::cases::{self, InboxQuery};
use minyi::actions::export::Format;
use minyi::actions::exports::{self, CaseListParams, ExportSpec, ExportState, LEASE_MS, Step, Subject};
use minyi::app::App;
use minyi::config::Config;
use minyi::db;
use minyi::domain::user::Actor;
use minyi::error::Error;
use minyi::i18n::Lang;
use minyi::synth::{SynthOptions, run};

use crate::support::{self, TestDb, engines};

const CASES: u64 = 3_000;
const PART_ROWS: i64 = 700;
const PAGE_ROWS: i64 = 250;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The test's App over the same database and clock, with small parts and pages.
fn small_parts(t: &TestDb) -> App {
    let config = Config {
        data_dir: t.dir.path().to_path_buf(),
        export_part_rows: PART_ROWS,
        export_page_rows: PAGE_ROWS,
        ..Config::default()
    };
    App::new(t.db().clone(), Arc::new(t.clock.clone()), config)
}

async fn synth(t: &TestDb) {
    let options = SynthOptions { cases: CASES, seed: 11, days: 120, progress: false };
    run(&t.app, &options).await.unwrap_or_else(|e| panic!("{}: synth: {e:#}", t.engine));
}

fn spec(format: Format, list: CaseListParams) -> ExportSpec {
    ExportSpec { subject: Subject::Cases(Box::new(list)), format }
}

/// The tracking codes the case list shows for `list`, every page of it.
async fn listed_codes(app: &App, actor: &Actor, list: &CaseListParams) -> BTreeSet<String> {
    let mut query: InboxQuery = list.query().expect("a valid list");
    let mut codes = BTreeSet::new();
    loop {
        let inbox = cases::inbox(app, actor, &query).await.expect("the case list");
        codes.extend(inbox.cases.items.iter().map(|c| c.tracking_code.clone()));
        match inbox.next {
            Some(next) => query.after = Some(next),
            None => return codes,
        }
    }
}

/// Every part of a finished export, read back: the header row and the data rows of each.
async fn read_parts(app: &App, actor: &Actor, id: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let view = exports::get(app, actor, id).await.expect("the export");
    assert_eq!(view.state, ExportState::Done, "the export is done");
    let mut out = Vec::new();
    for info in &view.parts {
        let part = exports::part(app, actor, id, info.number).await.expect("a part");
        let rows: Vec<Vec<String>> = match part.format {
            Format::Xlsx => {
                use calamine::{Reader, Xlsx, open_workbook};
                let mut book: Xlsx<_> = open_workbook(&part.path).expect("a workbook");
                let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
                sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
            }
            Format::Csv => {
                let bytes = std::fs::read(&part.path).expect("the CSV");
                assert!(bytes.starts_with("\u{feff}".as_bytes()), "a CSV part starts with a BOM for Excel");
                let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(&bytes[3..]);
                reader.records().map(|r| r.expect("a CSV row").iter().map(String::from).collect()).collect()
            }
        };
        let mut rows = rows.into_iter();
        let header = rows.next().expect("a header row");
        out.push((header, rows.collect()));
    }
    out
}

#[tokio::test]
async fn a_big_case_list_is_exported_in_parts_page_by_page_with_every_row() {
    for t in engines().await {
        let e = t.engine;
        synth(&t).await;
        let root = support::add_system_admin(&t, "root").await;
        let app = small_parts(&t);
        let all = CaseListParams::default();
        let id = exports::start(&app, &root, Lang::Zh, &spec(Format::Xlsx, all.clone())).await.expect("start");
        let queued = exports::get(&app, &root, &id).await.unwrap();
        assert_eq!((queued.state, queued.rows_done), (ExportState::Queued, 0), "{e}");

        // Driven step by step: every page adds its rows to the stored progress.
        let mut run = exports::claim(&app, "worker-a").await.unwrap().expect("a job to run");
        let started = exports::get(&app, &root, &id).await.unwrap();
        assert_eq!(started.state, ExportState::Running, "{e}");
        assert_eq!(started.rows_total, CASES as i64, "{e}: the total is counted when the run starts");
        let mut pages = 0;
        loop {
            let step = run.step(&app).await.expect("a step");
            pages += 1;
            let view = exports::get(&app, &root, &id).await.unwrap();
            match step {
                Step::Page { rows } => {
                    assert_eq!(rows as i64, PAGE_ROWS, "{e}: a full page");
                    assert_eq!(view.rows_done, pages * PAGE_ROWS, "{e}: the progress after page {pages}");
                    assert_eq!(view.state, ExportState::Running, "{e}");
                    assert!(view.parts.is_empty(), "{e}: no download before the end");
                }
                Step::Done => break,
                Step::Lost => panic!("{e}: the runner lost its own job"),
            }
        }
        assert_eq!(pages, CASES as i64 / PAGE_ROWS + 1, "{e}: pages of {PAGE_ROWS} and a last, short one");
        let done = exports::get(&app, &root, &id).await.unwrap();
        assert_eq!(done.rows_done, CASES as i64, "{e}");
        let parts = read_parts(&app, &root, &id).await;
        let sizes: Vec<usize> = parts.iter().map(|(_, rows)| rows.len()).collect();
        assert_eq!(sizes, vec![700, 700, 700, 700, 200], "{e}: parts of at most {PART_ROWS} rows, none lost");
        let names: Vec<&str> = done.parts.iter().map(|p| p.file_name.as_str()).collect();
        assert!(names[0].ends_with("-part-1-of-5.xlsx") && names[4].ends_with("-part-5-of-5.xlsx"), "{e}: {names:?}");
        for (header, _) in &parts {
            assert_eq!(header[..3], ["编号", "标题", "状态"], "{e}: the header row of every part, in Chinese");
        }
        let codes: Vec<String> = parts.iter().flat_map(|(_, rows)| rows.iter().map(|r| r[0].clone())).collect();
        let unique: BTreeSet<String> = codes.iter().cloned().collect();
        assert_eq!(unique.len(), codes.len(), "{e}: no case twice");
        assert_eq!(unique, listed_codes(&app, &root, &all).await, "{e}: exactly the cases the list shows");

        // The start is in the admin log.
        let mut tx = t.read().await;
        let log = db::admin_log::list(&mut tx, "/", db::PageRequest::new(1, 5)).await.unwrap();
        assert!(log.items.iter().any(|l| l.action == "export" && l.target_id == id), "{e}: logged");
    }
}

#[tokio::test]
async fn an_export_holds_only_what_the_person_may_see_and_the_narrowing_only() {
    for t in engines().await {
        let e = t.engine;
        synth(&t).await;
        let root = support::add_system_admin(&t, "root").await;
        let app = small_parts(&t);
        // An office of the city the first case was filed in.
        let city = {
            let mut tx = t.read().await;
            let case = db::cases::export_page(
                &mut tx,
                &db::cases::InboxFilter { region_prefix: "/%".into(), ..Default::default() },
                &db::cases::ExportKey::start(),
                1,
            )
            .await
            .unwrap()
            .remove(0);
            let mut region = db::regions::get(&mut tx, &case.region_id).await.unwrap().unwrap();
            while region.level != minyi::domain::region::RegionLevel::City {
                let parent = region.parent_id.clone().unwrap_or_else(|| panic!("{e}: a case outside any city"));
                region = db::regions::get(&mut tx, &parent).await.unwrap().unwrap();
            }
            region
        };
        let fields = minyi::domain::user::UserFields {
            username: "city".into(),
            display_name: "市人大常委会办公室".into(),
            role: "office_admin".into(),
            scope_code: city.code.as_str().to_string(),
            password: "为民服务-2026-city".into(),
            active: String::new(),
        };
        minyi::actions::users::save(&app, &root, None, &fields).await.expect("the city office");
        let office = support::actor(&t, "city").await;

        // The whole list in the office's scope: its city's cases, not one more.
        let id = exports::start(&app, &office, Lang::En, &spec(Format::Csv, CaseListParams::default())).await.unwrap();
        assert!(exports::run_next(&app, "worker").await.unwrap(), "{e}: a job ran");
        let parts = read_parts(&app, &office, &id).await;
        let codes: BTreeSet<String> = parts.iter().flat_map(|(_, rows)| rows.iter().map(|r| r[0].clone())).collect();
        let scope = listed_codes(&app, &office, &CaseListParams::default()).await;
        assert!(!scope.is_empty() && scope.len() < CASES as usize, "{e}: the city has some of the cases");
        assert_eq!(codes, scope, "{e}: the office's export is its list");
        assert_eq!(parts[0].0[..2], ["Code", "Title"], "{e}: headers in the language it was asked in");

        // A cockpit narrowing: the closed cases of the city received in a period.
        let narrowed = CaseListParams {
            region: city.id.clone(),
            narrow: cases::NarrowingFields {
                from: "2025-12-01".into(),
                to: "2026-02-15".into(),
                counted: "closed".into(),
                ..Default::default()
            },
            ..Default::default()
        };
        let id = exports::start(&app, &office, Lang::Zh, &spec(Format::Xlsx, narrowed.clone())).await.unwrap();
        assert!(exports::run_next(&app, "worker").await.unwrap(), "{e}");
        let parts = read_parts(&app, &office, &id).await;
        let codes: BTreeSet<String> = parts.iter().flat_map(|(_, rows)| rows.iter().map(|r| r[0].clone())).collect();
        let expected = listed_codes(&app, &office, &narrowed).await;
        assert!(!expected.is_empty() && expected.len() < scope.len(), "{e}: the narrowing narrows");
        assert_eq!(codes, expected, "{e}: the narrowed export is the narrowed list");
        let state_column: BTreeSet<&str> =
            parts.iter().flat_map(|(_, rows)| rows.iter().map(|r| r[2].as_str())).collect();
        assert!(!state_column.is_empty(), "{e}: states are written");

        // A region outside the office's scope is refused when asked for.
        let outside = CaseListParams { region: "no-such-region".into(), ..Default::default() };
        let refused = exports::start(&app, &office, Lang::Zh, &spec(Format::Csv, outside)).await;
        assert!(matches!(refused, Err(Error::NotFound)), "{e}: {refused:?}");

        // Another person's export is not found, nor are its files.
        assert!(matches!(exports::get(&app, &root, &id).await, Err(Error::NotFound)), "{e}");
        assert!(matches!(exports::part(&app, &root, &id, 1).await, Err(Error::NotFound)), "{e}");
        assert!(exports::list(&app, &root).await.unwrap().is_empty(), "{e}: the office's exports are its own");
        assert_eq!(exports::list(&app, &office).await.unwrap().len(), 2, "{e}");
    }
}

#[tokio::test]
async fn an_export_interrupted_by_a_crash_is_started_again_and_completes() {
    for t in engines().await {
        let e = t.engine;
        synth(&t).await;
        let root = support::add_system_admin(&t, "root").await;
        let app = small_parts(&t);
        let id = exports::start(&app, &root, Lang::Zh, &spec(Format::Csv, CaseListParams::default())).await.unwrap();
        let mut lost = exports::claim(&app, "worker-a").await.unwrap().expect("a job");
        assert_eq!(lost.step(&app).await.unwrap(), Step::Page { rows: PAGE_ROWS as usize }, "{e}");
        // The process dies here: the job stays running, held by a lease nobody renews.
        let view = exports::get(&app, &root, &id).await.unwrap();
        assert_eq!((view.state, view.rows_done), (ExportState::Running, PAGE_ROWS), "{e}");
        assert!(exports::claim(&app, "worker-b").await.unwrap().is_none(), "{e}: a live lease is respected");

        // The server starts again (a new App over the same database and data folder).
        t.clock.advance_ms(LEASE_MS + 1);
        let app = small_parts(&t);
        let mut again = exports::claim(&app, "worker-b").await.unwrap().expect("the job, claimed again");
        assert_eq!(again.id(), id, "{e}");
        assert_eq!(exports::get(&app, &root, &id).await.unwrap().rows_done, 0, "{e}: it starts from the first row");
        // The old runner, if it were still alive, finds it has lost the job.
        assert_eq!(lost.step(&app).await.unwrap(), Step::Lost, "{e}");
        while again.step(&app).await.unwrap() != Step::Done {}
        let done = exports::get(&app, &root, &id).await.unwrap();
        assert_eq!((done.state, done.rows_done, done.parts.len()), (ExportState::Done, CASES as i64, 5), "{e}");
        let parts = read_parts(&app, &root, &id).await;
        let rows: usize = parts.iter().map(|(_, rows)| rows.len()).sum();
        assert_eq!(rows, CASES as usize, "{e}: every row once, nothing lost");
    }
}

#[tokio::test]
async fn an_empty_list_gives_one_file_with_its_headers() {
    for t in engines().await {
        let e = t.engine;
        let root = support::add_system_admin(&t, "root").await;
        let app = small_parts(&t);
        let id = exports::start(&app, &root, Lang::Zh, &spec(Format::Xlsx, CaseListParams::default())).await.unwrap();
        assert!(exports::run_next(&app, "worker").await.unwrap(), "{e}");
        let parts = read_parts(&app, &root, &id).await;
        assert_eq!(parts.len(), 1, "{e}");
        assert!(parts[0].1.is_empty(), "{e}: no rows");
        assert_eq!(parts[0].0[0], "编号", "{e}");
        assert!(!exports::run_next(&app, "worker").await.unwrap(), "{e}: nothing else waits");
    }
}

#[test]
fn an_export_request_is_parsed_once() {
    let none = CaseListParams::default();
    let ok = ExportSpec::parse("cases", "xlsx", &none).expect("cases as xlsx");
    assert_eq!(ok.format, Format::Xlsx);
    let units = ExportSpec::parse("units", "csv", &none).expect("units as csv");
    assert_eq!(units.subject, Subject::Records(minyi::domain::permission::Resource::Unit));
    let fields = |result: Result<ExportSpec, Vec<minyi::domain::FieldError>>| {
        result.expect_err("refused").into_iter().map(|e| e.field).collect::<Vec<_>>()
    };
    assert_eq!(fields(ExportSpec::parse("cases", "pdf", &none)), ["format"]);
    assert_eq!(fields(ExportSpec::parse("log", "csv", &none)), ["subject"]);
    let bad_date = CaseListParams { due_by: "tomorrow".into(), ..Default::default() };
    assert_eq!(fields(ExportSpec::parse("cases", "csv", &bad_date)), ["due_by"]);
}

#[tokio::test]
async fn a_list_too_long_to_send_at_once_is_refused_whole_never_cut() {
    for t in engines().await {
        let e = t.engine;
        support::load_demo(&t).await;
        let admin = support::actor(&t, "admin").await;
        let config = Config { data_dir: t.dir.path().to_path_buf(), export_direct_max_rows: 3, ..Config::default() };
        let app = App::new(t.db().clone(), Arc::new(t.clock.clone()), config);
        let resource = minyi::domain::permission::Resource::Unit;
        let direct = minyi::actions::export::export(&app, &admin, resource, Format::Csv).await.unwrap();
        let minyi::actions::export::Exported::TooLong { rows } = direct else { panic!("{e}: a file of a long list") };
        assert!(rows > 3, "{e}: {rows} units");
        // The background export has every one of them.
        let units = ExportSpec { subject: Subject::Records(resource), format: Format::Xlsx };
        let id = exports::start(&app, &admin, Lang::Zh, &units).await.unwrap();
        assert!(exports::run_next(&app, "worker").await.unwrap(), "{e}");
        let parts = read_parts(&app, &admin, &id).await;
        assert_eq!(parts[0].1.len() as i64, rows, "{e}: every unit");
        assert_eq!(parts[0].0[0], minyi::domain::columns::columns(resource)[0].header, "{e}: the import's columns");
    }
}

/// The pages and the API over HTTP: the case list's buttons start an export of the
/// list shown, its page shows the progress (polled by htmx) and the download; the
/// API starts, follows and downloads the same; another person gets 404.
#[tokio::test]
async fn the_case_list_exports_through_the_pages_and_the_api() {
    use crate::http_api::{answer, client, spawn};
    use reqwest::StatusCode;
    use serde_json::json;

    let server = spawn().await;
    minyi::demo::load_demo_cases(&server.app).await.expect("demo cases");
    let office = server.session("office").await;
    let page = office.get(server.url("/cases?status=open")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("action=\"/exports\"") && page.contains("value=\"xlsx\""), "the export buttons");
    let csrf = crate::http::csrf_of(&page);
    let form = [("csrf", csrf.as_str()), ("subject", "cases"), ("status", "open"), ("format", "csv")];
    let started = office.post(server.url("/exports")).form(&form).send().await.unwrap();
    assert_eq!(started.status(), StatusCode::SEE_OTHER);
    let location = started.headers()["location"].to_str().unwrap().to_string();
    let id = location.strip_prefix("/exports/").expect("the export's page").to_string();
    let waiting = office.get(server.url(&location)).send().await.unwrap().text().await.unwrap();
    assert!(waiting.contains("hx-trigger=\"every 1s\"") && waiting.contains("htmx.min.js"), "polled while it runs");
    assert!(waiting.contains("<progress"), "a progress bar");

    assert!(exports::run_next(&server.app, "worker").await.unwrap(), "the runner takes it");
    let done = office.get(server.url(&format!("/exports/{id}/progress"))).send().await.unwrap().text().await.unwrap();
    assert!(!done.contains("hx-trigger"), "polling stops when done: {done}");
    assert!(done.contains(&format!("/exports/{id}/parts/1")), "the download link: {done}");
    let (status, inbox) = answer(office.get(server.url("/api/v1/cases?status=open")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let open = inbox["total"].as_i64().expect("the list's total");
    assert!(done.contains(&format!("已导出 {open} / {open} 条")) || done.contains(&format!("共 {open} 条")), "{done}");
    let file = office.get(server.url(&format!("/exports/{id}/parts/1"))).send().await.unwrap();
    assert_eq!(file.status(), StatusCode::OK);
    assert!(file.headers()["content-disposition"].to_str().unwrap().contains(".csv"));
    let bytes = file.bytes().await.unwrap();
    let rows = csv::Reader::from_reader(&bytes[3..]).records().count();
    assert_eq!(rows as i64, open, "the file holds the open cases the list counts");
    let mine = office.get(server.url("/exports")).send().await.unwrap().text().await.unwrap();
    assert!(mine.contains(&location), "listed among the person's exports");

    // The API: start, follow, download; another person gets 404.
    let token = server.token_for("office").await;
    let body = json!({"subject": "cases", "format": "xlsx", "filter": {"status": "open"}});
    let (status, queued) = server.bearer_post(&token, "/api/v1/exports", &body, None).await;
    assert_eq!(status, StatusCode::CREATED, "{queued}");
    assert_eq!(queued["state"], "queued");
    let api_id = queued["id"].as_str().unwrap().to_string();
    assert!(exports::run_next(&server.app, "worker").await.unwrap());
    let (status, view) = server.bearer_get(&token, &format!("/api/v1/exports/{api_id}")).await;
    assert_eq!(
        (status, view["state"].as_str(), view["rows_done"].as_i64()),
        (StatusCode::OK, Some("done"), Some(open))
    );
    let href = view["parts"][0]["href"].as_str().expect("a part").to_string();
    let part = client().get(server.url(&href)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(part.status(), StatusCode::OK);
    assert!(part.bytes().await.unwrap().starts_with(b"PK"), "an XLSX file");
    let (status, refused) =
        server.bearer_post(&token, "/api/v1/exports", &json!({"subject": "cases", "format": "pdf"}), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");

    let other = server.token_for("town-office").await;
    for path in [format!("/api/v1/exports/{api_id}"), href.clone(), format!("/api/v1/exports/{id}")] {
        let (status, _) = server.bearer_get(&other, &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let keeper = server.session("keeper").await;
    let theirs = keeper.get(server.url(&location)).send().await.unwrap();
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "another person's export page");
}

#[tokio::test]
async fn an_exports_files_are_deleted_seven_days_after_it_finished_and_it_stays_listed() {
    for t in engines().await {
        let e = t.engine;
        let root = support::add_system_admin(&t, "root").await;
        let app = small_parts(&t);
        let id = exports::start(&app, &root, Lang::Zh, &spec(Format::Csv, CaseListParams::default())).await.unwrap();
        assert!(exports::run_next(&app, "worker").await.unwrap(), "{e}");
        let folder = t.dir.path().join("exports").join(&id);
        assert!(folder.exists(), "{e}: the files are written");
        // Six days on: kept.
        t.clock.advance_ms((exports::KEEP_DAYS - 1) * DAY_MS);
        assert_eq!(exports::expire_old(&app).await.unwrap(), 0, "{e}");
        assert!(exports::part(&app, &root, &id, 1).await.is_ok(), "{e}: still downloadable");
        // Past seven days: the files go, the job stays, and a download is not found.
        t.clock.advance_ms(2 * DAY_MS);
        assert_eq!(exports::expire_old(&app).await.unwrap(), 1, "{e}");
        assert!(!folder.exists(), "{e}: the files are deleted");
        let view = exports::get(&app, &root, &id).await.unwrap();
        assert_eq!(view.state, ExportState::Expired, "{e}");
        assert!(view.parts.is_empty(), "{e}");
        assert!(matches!(exports::part(&app, &root, &id, 1).await, Err(Error::NotFound)), "{e}");
        assert_eq!(exports::list(&app, &root).await.unwrap().len(), 1, "{e}: still listed");
        assert_eq!(exports::expire_old(&app).await.unwrap(), 0, "{e}: once");
    }
}

#[tokio::test]
async fn an_export_whose_files_cannot_be_deleted_stays_and_holds_back_no_other() {
    for t in engines().await {
        let e = t.engine;
        let root = support::add_system_admin(&t, "root").await;
        let app = small_parts(&t);
        let mut ids = Vec::new();
        for _ in 0..2 {
            ids.push(
                exports::start(&app, &root, Lang::Zh, &spec(Format::Csv, CaseListParams::default())).await.unwrap(),
            );
            assert!(exports::run_next(&app, "worker").await.unwrap(), "{e}");
        }
        // The first export's folder is replaced by a plain file, which a folder's removal refuses.
        let stuck = t.dir.path().join("exports").join(&ids[0]);
        std::fs::remove_dir_all(&stuck).unwrap();
        std::fs::write(&stuck, "not a folder").unwrap();
        t.clock.advance_ms((exports::KEEP_DAYS + 1) * DAY_MS);
        assert_eq!(exports::expire_old(&app).await.unwrap(), 1, "{e}: the other one expires");
        assert_eq!(exports::get(&app, &root, &ids[1]).await.unwrap().state, ExportState::Expired, "{e}");
        assert_eq!(exports::get(&app, &root, &ids[0]).await.unwrap().state, ExportState::Done, "{e}: left as it was");
        assert_eq!(exports::expire_old(&app).await.unwrap(), 0, "{e}: and the sweep ends");
        std::fs::remove_file(&stuck).unwrap();
        assert_eq!(exports::expire_old(&app).await.unwrap(), 1, "{e}: expired once it can be");
    }
}
