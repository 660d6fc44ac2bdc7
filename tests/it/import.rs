//! Importing spreadsheets, on every engine: previews that write nothing, commits
//! that happen once, errors named by row and column, the encodings and formats
//! offices really send, and exports that import back unchanged.

use minyi::actions::export::{Format, export};
use minyi::actions::import::{Preview, commit, preview};
use minyi::actions::{self, records};
use minyi::db::PageRequest;
use minyi::domain::columns::columns;
use minyi::domain::permission::Resource;
use minyi::domain::user::Actor;
use minyi::error::Error;

use crate::support::{
    COUNTY, TOWN1, TOWN2, TestDb, actor, add_system_admin, admin_log_len, counts, engines, invalid_keys, load_demo,
    small_tree,
};

/// The Chinese headers of a kind of record, in the order the export writes them.
fn headers(resource: Resource) -> Vec<&'static str> {
    columns(resource).iter().map(|c| c.header).collect()
}

/// A CSV as Excel saves it for Chinese users: UTF-8 with a byte-order mark.
fn csv_utf8(header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend(csv_text(header, rows).into_bytes());
    out
}

fn csv_text(header: &[&str], rows: &[Vec<&str>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).unwrap();
    for row in rows {
        writer.write_record(row).unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// A row of the units sheet, in `headers(Resource::Unit)` order.
fn unit_row<'a>(code: &'a str, name: &'a str, region_code: &'a str) -> Vec<&'a str> {
    // 编号 类型 工作室类别 名称 所属区域代码 地址 开放时间 接待日 联系人 联系电话 服务领域 界别 线上开通 启用
    vec![
        code,
        "联络站",
        "",
        name,
        region_code,
        "温岭市太平街道东辉路1号",
        "周一至周五",
        "每月15日",
        "王芳",
        "0576-86123456",
        "交通、教育",
        "",
        "否",
        "是",
    ]
}

async fn setup(t: &TestDb) -> Actor {
    let admin = add_system_admin(t, "root").await;
    small_tree(t, &admin).await;
    admin
}

async fn preview_ok(t: &TestDb, admin: &Actor, resource: Resource, name: &str, bytes: &[u8]) -> Preview {
    preview(&t.app, admin, resource, name, bytes)
        .await
        .unwrap_or_else(|e| panic!("{}: preview of {name}: {e:?}", t.engine))
}

fn error_lines(preview: &Preview) -> Vec<(usize, String, &'static str)> {
    preview.errors.iter().map(|e| (e.row, e.column.clone(), e.msg.key)).collect()
}

#[tokio::test]
async fn a_valid_file_is_previewed_without_writing_and_committed_once() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let mut header = headers(Resource::Unit);
        header[0] = "编号*"; // a template marks required columns with a star
        let studio = vec![
            "WYS-001",
            "委员工作室",
            "镇街",
            "太平街道政协委员工作室",
            TOWN1,
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "是",
            "",
        ];
        let rows =
            vec![unit_row("LLZ-001", "太平街道联络站", TOWN1), unit_row("LLZ-002", "城东街道联络站", TOWN2), studio];
        let bytes = csv_utf8(&header, &rows);
        let log_before = admin_log_len(&t).await;

        let preview = preview_ok(&t, &admin, Resource::Unit, "联络站.csv", &bytes).await;
        assert_eq!(error_lines(&preview), [], "{e}");
        assert_eq!((preview.rows, preview.created, preview.updated), (3, 3, 0), "{e}: the counts");
        assert!(preview.ignored_columns.is_empty(), "{e}: {:?}", preview.ignored_columns);
        let batch = preview.batch_id.clone().expect("a batch to commit");
        assert_eq!(counts(&t).await.units, 0, "{e}: a preview writes nothing");
        assert_eq!(admin_log_len(&t).await, log_before, "{e}: nor logs anything");

        let other_admin = add_system_admin(&t, "other").await;
        let stolen = commit(&t.app, &other_admin, &batch).await;
        assert!(matches!(stolen, Err(Error::NotFound)), "{e}: only its uploader commits a batch: {stolen:?}");

        let done = commit(&t.app, &admin, &batch).await.expect("commit");
        assert_eq!((done.created, done.updated), (3, 0), "{e}");
        assert_eq!(counts(&t).await.units, 3, "{e}: committed");
        let twice = commit(&t.app, &admin, &batch).await;
        match twice {
            Err(Error::Conflict(msg)) => assert_eq!(msg.key, "err-import-done", "{e}"),
            other => panic!("{e}: a second commit must be a Conflict, got {other:?}"),
        }
        assert_eq!(counts(&t).await.units, 3, "{e}: nothing twice");

        let listed = actions::units::list(&t.app, &admin, "", PageRequest::new(1, 10)).await.unwrap();
        let studio = listed.items.iter().find(|u| u.input.code == "WYS-001").expect("the studio");
        assert!(studio.input.online, "{e}: 是 is yes");
        let station = listed.items.iter().find(|u| u.input.code == "LLZ-001").expect("a station");
        assert_eq!(station.input.service_fields, ["交通", "教育"], "{e}: 、 separates a list");
        let log = records::admin_log(&t.app, &admin, PageRequest::new(1, 1)).await.unwrap();
        assert_eq!((log.items[0].action.as_str(), log.items[0].target_id.as_str()), ("import", batch.as_str()), "{e}");
    }
}

#[tokio::test]
async fn a_bad_mobile_on_row_17_is_named_and_nothing_is_written() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let header = headers(Resource::Representative);
        // 编号 类别 姓名 性别 代表层级 界别 所属区域代码 职务 手机 简介 所在站室编号 启用
        let codes: Vec<String> = (1..=20).map(|n| format!("DB-{n:04}")).collect();
        let mobiles: Vec<String> = (1..=20).map(|n| format!("139057612{n:02}")).collect();
        let mut rows: Vec<Vec<&str>> = (0..20)
            .map(|i| {
                vec![codes[i].as_str(), "人大", "林秀英", "女", "县", "", TOWN1, "", mobiles[i].as_str(), "", "", ""]
            })
            .collect();
        // The header is row 1, so the sixteenth record is row 17 of the sheet.
        rows[15][8] = "1390576123";
        let preview = preview_ok(&t, &admin, Resource::Representative, "代表.csv", &csv_utf8(&header, &rows)).await;
        assert_eq!(error_lines(&preview), [(17, "手机".to_string(), "err-mobile")], "{e}");
        assert_eq!(preview.batch_id, None, "{e}: no batch for a file with errors");
        assert_eq!((preview.rows, preview.created), (20, 19), "{e}: the other rows would have been created");
        assert_eq!(counts(&t).await.representatives, 0, "{e}: nothing written");
    }
}

#[tokio::test]
async fn unknown_regions_and_rows_out_of_scope_are_named() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let header = headers(Resource::Unit);
        let rows = vec![unit_row("LLZ-001", "太平街道联络站", TOWN1), unit_row("LLZ-002", "不存在的站", "331081999")];
        let preview = preview_ok(&t, &admin, Resource::Unit, "units.csv", &csv_utf8(&header, &rows)).await;
        assert_eq!(error_lines(&preview), [(3, "所属区域代码".to_string(), "err-unknown-region")], "{e}");
        assert_eq!(preview.errors[0].msg.args, [("code", "331081999".to_string())], "{e}: the code is quoted");
        assert_eq!(preview.batch_id, None, "{e}");

        // A town office importing a row for the other town.
        actions::users::save(
            &t.app,
            &admin,
            None,
            &minyi::domain::user::UserFields {
                username: "town-office".into(),
                display_name: "太平街道人大工委".into(),
                role: "office_admin".into(),
                scope_code: TOWN1.into(),
                password: "为民服务-2026".into(),
                active: String::new(),
            },
        )
        .await
        .unwrap();
        let office = actor(&t, "town-office").await;
        let rows = vec![unit_row("LLZ-001", "太平街道联络站", TOWN1), unit_row("LLZ-002", "城东街道联络站", TOWN2)];
        let preview = preview_ok(&t, &office, Resource::Unit, "units.csv", &csv_utf8(&header, &rows)).await;
        assert_eq!(error_lines(&preview), [(3, String::new(), "err-row-out-of-scope")], "{e}: outside its subtree");
        assert_eq!(counts(&t).await.units, 0, "{e}");
    }
}

/// The same code twice in one file: the rows are applied in order inside one
/// transaction, so the second row finds the unit the first created and updates it.
/// The preview says so (1 created, 1 updated) and the last row wins.
#[tokio::test]
async fn the_same_code_twice_in_one_file_updates_what_the_first_row_created() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let rows = vec![unit_row("LLZ-001", "第一行的名字", TOWN1), unit_row("LLZ-001", "第二行的名字", TOWN1)];
        let bytes = csv_utf8(&headers(Resource::Unit), &rows);
        let preview = preview_ok(&t, &admin, Resource::Unit, "dup.csv", &bytes).await;
        assert_eq!((preview.rows, preview.created, preview.updated, preview.errors.len()), (2, 1, 1, 0), "{e}");
        let done = commit(&t.app, &admin, &preview.batch_id.expect("a batch")).await.unwrap();
        assert_eq!((done.created, done.updated), (1, 1), "{e}");
        let listed = actions::units::list(&t.app, &admin, "", PageRequest::new(1, 10)).await.unwrap();
        let names: Vec<&str> = listed.items.iter().map(|u| u.input.name.as_str()).collect();
        assert_eq!(names, ["第二行的名字"], "{e}: one unit; the last row wins");
    }
}

#[tokio::test]
async fn a_gbk_csv_from_chinese_excel_reads_like_utf8() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let text = csv_text(
            &headers(Resource::Unit),
            &[unit_row("LLZ-001", "太平街道联络站", TOWN1), unit_row("LLZ-002", "城东街道联络站", TOWN2)],
        );
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
        assert!(!unmappable && std::str::from_utf8(&bytes).is_err(), "the test file really is GBK");
        let preview = preview_ok(&t, &admin, Resource::Unit, "gbk.csv", &bytes).await;
        assert_eq!((preview.created, preview.errors.len()), (2, 0), "{e}: {:?}", preview.errors);
        commit(&t.app, &admin, &preview.batch_id.unwrap()).await.unwrap();
        let listed = actions::units::list(&t.app, &admin, "城东", PageRequest::new(1, 10)).await.unwrap();
        assert_eq!(listed.items[0].input.name, "城东街道联络站", "{e}: the Chinese survives");
        assert_eq!(listed.items[0].input.contact_name, "王芳", "{e}");
    }
}

#[tokio::test]
async fn an_xlsx_reads_numbers_typed_as_numbers_as_digits() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (col, header) in headers(Resource::Representative).iter().enumerate() {
            sheet.write_string(0, col as u16, *header).unwrap();
        }
        // 编号 类别 姓名 性别 代表层级 界别 所属区域代码 职务 手机 …
        sheet.write_string(1, 0, "DB-0001").unwrap();
        sheet.write_string(1, 1, "人大代表").unwrap();
        sheet.write_string(1, 2, "林秀英").unwrap();
        sheet.write_string(1, 3, "女").unwrap();
        sheet.write_string(1, 4, "县级").unwrap();
        sheet.write_number(1, 6, 331081001.0).unwrap();
        sheet.write_number(1, 8, 13905761234.0).unwrap();
        sheet.write_string(2, 0, "WY-0001").unwrap();
        sheet.write_string(2, 1, "政协委员").unwrap();
        sheet.write_string(2, 2, "张伟").unwrap();
        sheet.write_string(2, 5, "经济界").unwrap();
        sheet.write_string(2, 6, COUNTY).unwrap();
        let bytes = workbook.save_to_buffer().unwrap();

        let preview = preview_ok(&t, &admin, Resource::Representative, "代表.xlsx", &bytes).await;
        assert_eq!((preview.created, error_lines(&preview)), (2, vec![]), "{e}");
        commit(&t.app, &admin, &preview.batch_id.unwrap()).await.unwrap();
        let listed = actions::representatives::list(&t.app, &admin, "DB-0001", PageRequest::new(1, 10)).await.unwrap();
        let deputy = &listed.items[0];
        assert_eq!(deputy.input.mobile.as_ref().map(|m| m.as_str()), Some("13905761234"), "{e}: not 1.39e10");
        assert_eq!(deputy.input.region_code, TOWN1, "{e}");
    }
}

#[tokio::test]
async fn a_file_missing_a_required_column_or_too_large_is_refused() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let header: Vec<&str> = headers(Resource::Unit).into_iter().filter(|h| *h != "名称").collect();
        let mut row = unit_row("LLZ-001", "太平街道联络站", TOWN1);
        row.remove(3);
        let result = preview(&t.app, &admin, Resource::Unit, "units.csv", &csv_utf8(&header, &[row])).await;
        match &result {
            Err(Error::Invalid(errors)) if errors.len() == 1 => {
                assert_eq!((errors[0].field.as_str(), errors[0].msg.key), ("file", "err-file-missing-columns"), "{e}");
                assert_eq!(errors[0].msg.args, [("columns", "名称".to_string())], "{e}: the missing column is named");
            }
            other => panic!("{e}: expected one Invalid on the file, got {other:?}"),
        }

        let mut big = csv_utf8(&headers(Resource::Unit), &[unit_row("LLZ-001", "太平街道联络站", TOWN1)]);
        big.resize(11 * 1024 * 1024, b'\n');
        let result = preview(&t.app, &admin, Resource::Unit, "big.csv", &big).await;
        assert_eq!(invalid_keys(e, result.map(|p| p.rows)), [("file".into(), "err-file-too-large")], "{e}: 11 MB");

        let result =
            preview(&t.app, &admin, Resource::Unit, "empty.csv", &csv_utf8(&headers(Resource::Unit), &[])).await;
        assert_eq!(invalid_keys(e, result.map(|p| p.rows)), [("file".into(), "err-file-empty")], "{e}: no rows");
        let result = preview(&t.app, &admin, Resource::Unit, "x.xlsx", b"PK\x03\x04 not really a workbook").await;
        assert_eq!(invalid_keys(e, result.map(|p| p.rows)), [("file".into(), "err-file-format")], "{e}: broken xlsx");
        assert_eq!(counts(&t).await.units, 0, "{e}");
    }
}

/// What an office exports, edits and imports again must come back as it was: the
/// export writes the import's own headers, and every row is an update of itself.
#[tokio::test]
async fn an_export_imports_back_unchanged() {
    for t in engines().await {
        let e = t.engine;
        load_demo(&t).await;
        let admin = actor(&t, "admin").await;
        let before = counts(&t).await;
        for resource in
            [Resource::Unit, Resource::Representative, Resource::Department, Resource::Region, Resource::User]
        {
            let what = resource.as_str();
            let total = records::list(&t.app, &admin, resource, "", PageRequest::new(1, 1)).await.unwrap().1 as usize;
            for format in [Format::Csv, Format::Xlsx] {
                let bytes =
                    export(&t.app, &admin, resource, format).await.expect("export").into_file().expect("a short list");
                let name = format!("{what}.{}", format.extension());
                let preview = preview_ok(&t, &admin, resource, &name, &bytes).await;
                assert_eq!(error_lines(&preview), [], "{e}: {name} imports cleanly");
                assert_eq!((preview.rows, preview.created, preview.updated), (total, 0, total), "{e}: {name}");
                assert!(preview.ignored_columns.is_empty(), "{e}: {name}: {:?}", preview.ignored_columns);
            }
        }

        // Committing an exported file changes nothing.
        let all = PageRequest::new(1, 500);
        let snapshot = async |resource| {
            let (records, _) = records::list(&t.app, &admin, resource, "", all).await.unwrap();
            let mut fields: Vec<_> = records.into_iter().map(|r| (r.id, r.fields, r.active)).collect();
            for (_, fields, _) in &mut fields {
                // The order of a representative's units is not kept; compare them as a set.
                if let Some(codes) = fields.get_mut("unit_codes") {
                    let mut list: Vec<&str> = codes.split(',').collect();
                    list.sort();
                    *codes = list.join(",");
                }
            }
            format!("{fields:?}")
        };
        for resource in [Resource::Unit, Resource::Representative] {
            let was = snapshot(resource).await;
            let bytes = export(&t.app, &admin, resource, Format::Csv).await.unwrap().into_file().unwrap();
            let preview = preview_ok(&t, &admin, resource, "again.csv", &bytes).await;
            commit(&t.app, &admin, &preview.batch_id.unwrap()).await.unwrap();
            assert_eq!(snapshot(resource).await, was, "{e}: {} after a round trip", resource.as_str());
        }
        assert_eq!(format!("{:?}", counts(&t).await), format!("{before:?}"), "{e}: nothing added");
    }
}

/// Cells that Excel would take for a formula are written with a leading `'` so that
/// opening an export runs nothing; importing the file again must read them back as
/// they were.
#[tokio::test]
async fn cells_defused_against_formulas_come_back_as_they_were() {
    for t in engines().await {
        let e = t.engine;
        let admin = setup(&t).await;
        let fields = minyi::domain::unit::UnitFields {
            code: "LLZ-001".into(),
            kind: "station".into(),
            name: "-太平街道联络站".into(),
            region_code: TOWN1.into(),
            address: "=HYPERLINK(\"http://example.com\")".into(),
            contact_name: "@王芳".into(),
            contact_phone: "+86 576 86123456".into(),
            ..Default::default()
        };
        let id = actions::units::save(&t.app, &admin, None, &fields).await.expect("saved");
        let was = actions::units::get(&t.app, &admin, &id).await.unwrap();
        let bytes = export(&t.app, &admin, Resource::Unit, Format::Csv).await.unwrap().into_file().unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{e}: the export defuses the formula: {text}");
        let preview = preview_ok(&t, &admin, Resource::Unit, "units.csv", &bytes).await;
        assert_eq!(error_lines(&preview), [], "{e}");
        commit(&t.app, &admin, &preview.batch_id.unwrap()).await.unwrap();
        let now = actions::units::get(&t.app, &admin, &id).await.unwrap();
        assert_eq!(now.input, was.input, "{e}: unchanged by the round trip");
    }
}
