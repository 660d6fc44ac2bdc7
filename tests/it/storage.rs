//! Every storage function of people and places, on every engine: the queries are
//! written once and must mean the same thing on SQLite and PostgreSQL. The small
//! tables (sessions, the admin log, import batches, settings) are in
//! `storage_small_tables`, the schema comparison in `schema`.

use minyi::db::{self, PageRequest, Tx};
use minyi::domain::department::{DepartmentFields, DepartmentInput};
use minyi::domain::permission::ListFilter;
use minyi::domain::region::{Region, RegionCode, RegionLevel, RegionPath};
use minyi::domain::representative::{RepresentativeFields, RepresentativeInput};
use minyi::domain::unit::{UnitFields, UnitInput};
use minyi::domain::user::{Role, Scope};

use crate::support::{START_MS, TestDb, engines};

// --- fixtures -----------------------------------------------------------------------

pub(crate) async fn region(
    tx: &mut Tx,
    id: &str,
    code: &str,
    name: &str,
    level: RegionLevel,
    parent: Option<&Region>,
) -> Region {
    let code = RegionCode::parse("code", code).expect("a valid region code");
    db::regions::insert(tx, id, &code, name, level, parent, START_MS).await.expect("insert region")
}

fn unit_input(code: &str, name: &str, region_code: &str) -> UnitInput {
    UnitInput::parse(&UnitFields {
        code: code.into(),
        kind: "联络站".into(),
        name: name.into(),
        region_code: region_code.into(),
        address: "温岭市太平街道东辉路1号".into(),
        opening_hours: "周一至周五 8:30-17:00".into(),
        reception_days: "每月15日".into(),
        contact_name: "王芳".into(),
        contact_phone: "0576-86123456".into(),
        service_fields: "交通,教育".into(),
        ..UnitFields::default()
    })
    .expect("a valid unit")
}

fn rep_input(code: &str, name: &str, region_code: &str, unit_codes: &str) -> RepresentativeInput {
    RepresentativeInput::parse(&RepresentativeFields {
        code: code.into(),
        body: "人大".into(),
        name: name.into(),
        gender: "女".into(),
        level: "县".into(),
        region_code: region_code.into(),
        title: "太平街道东门村党支部书记".into(),
        mobile: "13905761234".into(),
        profile: "长期关注农村道路建设。".into(),
        unit_codes: unit_codes.into(),
        ..RepresentativeFields::default()
    })
    .expect("a valid representative")
}

fn member_input(code: &str, name: &str, region_code: &str, sector: &str) -> RepresentativeInput {
    RepresentativeInput::parse(&RepresentativeFields {
        code: code.into(),
        body: "政协".into(),
        name: name.into(),
        sector: sector.into(),
        region_code: region_code.into(),
        ..RepresentativeFields::default()
    })
    .expect("a valid member")
}

fn dept_input(code: &str, name: &str, region_code: &str, fields: &str) -> DepartmentInput {
    DepartmentInput::parse(&DepartmentFields {
        code: code.into(),
        name: name.into(),
        region_code: region_code.into(),
        fields: fields.into(),
        supervising_office: "市人大常委会办公室".into(),
        contact_phone: "0576-86200000".into(),
        ..DepartmentFields::default()
    })
    .expect("a valid department")
}

/// A county C with towns T1 and T2, a village V1 in T1; units U1 (T1), U2 (T2),
/// U3 (V1); departments D1 (C) and D2 (T2); representatives R1 (T1, at U1 and U3),
/// R2 (T2, at U2) and R3 (a member at C, at no unit).
struct World {
    county: Region,
    t1: Region,
    t2: Region,
    v1: Region,
}

async fn world(t: &TestDb) -> World {
    let mut tx = t.write().await;
    let county = region(&mut tx, "c", "331081", "温岭市", RegionLevel::County, None).await;
    let t1 = region(&mut tx, "t1", "331081001", "太平街道", RegionLevel::Town, Some(&county)).await;
    let t2 = region(&mut tx, "t2", "331081002", "城东街道", RegionLevel::Town, Some(&county)).await;
    let v1 = region(&mut tx, "v1", "331081001201", "东门村", RegionLevel::Village, Some(&t1)).await;
    let units = [("u1", "LLZ-001", "太平街道人大代表联络站", &t1), ("u2", "LLZ-002", "城东街道人大代表联络站", &t2)];
    for (id, code, name, at) in units {
        db::units::insert(&mut tx, id, &unit_input(code, name, at.code.as_str()), &at.id, START_MS).await.unwrap();
    }
    db::units::insert(&mut tx, "u3", &unit_input("LLZ-003", "东门村联络站", v1.code.as_str()), "v1", START_MS)
        .await
        .unwrap();
    db::departments::insert(&mut tx, "d1", &dept_input("BM-001", "市交通运输局", "331081", "交通,城建"), "c", START_MS)
        .await
        .unwrap();
    db::departments::insert(
        &mut tx,
        "d2",
        &dept_input("BM-002", "城东街道城建办", "331081002", "城建"),
        "t2",
        START_MS,
    )
    .await
    .unwrap();
    let r1 = rep_input("DB-0001", "林秀英", "331081001", "LLZ-001,LLZ-003");
    db::representatives::insert(&mut tx, "r1", &r1, "t1", &["u1".into(), "u3".into()], START_MS).await.unwrap();
    let r2 = RepresentativeInput { mobile: None, ..rep_input("DB-0002", "陈建国", "331081002", "LLZ-002") };
    db::representatives::insert(&mut tx, "r2", &r2, "t2", &["u2".into()], START_MS).await.unwrap();
    let r3 = member_input("WY-0001", "张伟", "331081", "经济界");
    db::representatives::insert(&mut tx, "r3", &r3, "c", &[], START_MS).await.unwrap();
    tx.commit().await.unwrap();
    World { county, t1, t2, v1 }
}

pub(crate) async fn add_user(tx: &mut Tx, id: &str, username: &str, role: Role, scope: db::users::ScopeIds) {
    let display_name = format!("{username} 的名字");
    let user = db::users::NewUser {
        id,
        username,
        display_name: &display_name,
        password_hash: "not-a-hash",
        role,
        scope: &scope,
        active: true,
    };
    db::users::insert(tx, &user, START_MS).await.unwrap_or_else(|e| panic!("insert user {username}: {e}"));
}

pub(crate) fn ids(scope: impl FnOnce(&mut db::users::ScopeIds)) -> db::users::ScopeIds {
    let mut ids = db::users::ScopeIds::default();
    scope(&mut ids);
    ids
}

pub(crate) fn page(number: i64, size: i64) -> PageRequest {
    PageRequest::new(number, size)
}

pub(crate) fn all() -> PageRequest {
    PageRequest::new(1, 500)
}

async fn region_codes(tx: &mut Tx, filter: ListFilter, search: &str, page: PageRequest) -> (i64, Vec<String>) {
    let page = db::regions::list(tx, &filter, search, page).await.unwrap();
    (page.total, page.items.into_iter().map(|r| r.code.as_str().to_string()).collect())
}

/// The codes of the units a list shows (checking its total against them).
async fn unit_codes(tx: &mut Tx, filter: ListFilter, search: &str) -> Vec<String> {
    let page = db::units::list(tx, &filter, search, all()).await.unwrap();
    assert_eq!(page.total, page.items.len() as i64, "the total of {filter:?} {search:?}");
    page.items.into_iter().map(|u| u.input.code).collect()
}

async fn rep_codes(tx: &mut Tx, filter: ListFilter, search: &str) -> Vec<String> {
    let page = db::representatives::list(tx, &filter, search, all()).await.unwrap();
    assert_eq!(page.total, page.items.len() as i64, "the total of {filter:?} {search:?}");
    page.items.into_iter().map(|r| r.input.code).collect()
}

async fn dept_codes(tx: &mut Tx, filter: ListFilter, search: &str) -> Vec<String> {
    let page = db::departments::list(tx, &filter, search, all()).await.unwrap();
    assert_eq!(page.total, page.items.len() as i64, "the total of {filter:?} {search:?}");
    page.items.into_iter().map(|d| d.input.code).collect()
}

async fn usernames(tx: &mut Tx, filter: ListFilter, search: &str) -> Vec<String> {
    let page = db::users::list(tx, &filter, search, all()).await.unwrap();
    assert_eq!(page.total, page.items.len() as i64, "the total of {filter:?} {search:?}");
    page.items.into_iter().map(|a| a.username).collect()
}

fn sorted(items: &[String]) -> Vec<String> {
    let mut items = items.to_vec();
    items.sort();
    items
}

// --- regions --------------------------------------------------------------------------

#[tokio::test]
async fn regions_insert_get_by_code_children_update_and_switch_off() {
    for t in engines().await {
        let e = t.engine;
        let w = world(&t).await;
        assert_eq!(w.county.path.as_str(), "/c/", "{e}");
        assert_eq!(w.v1.path.as_str(), "/c/t1/v1/", "{e}");
        let mut tx = t.write().await;
        assert_eq!(db::regions::get(&mut tx, "t1").await.unwrap().as_ref(), Some(&w.t1), "{e}: get");
        assert_eq!(db::regions::get(&mut tx, "nope").await.unwrap(), None, "{e}: get unknown");
        assert_eq!(db::regions::by_code(&mut tx, "331081001201").await.unwrap().as_ref(), Some(&w.v1), "{e}");
        assert_eq!(db::regions::by_code(&mut tx, "331081999").await.unwrap(), None, "{e}: by_code unknown");
        let children = db::regions::children(&mut tx, "c").await.unwrap();
        assert_eq!(children, vec![w.t1.clone(), w.t2.clone()], "{e}: children in code order");
        assert_eq!(db::regions::children(&mut tx, "v1").await.unwrap(), vec![], "{e}: a village has no children");

        let new_code = RegionCode::parse("code", "331081003").unwrap();
        assert_eq!(db::regions::update(&mut tx, "t2", &new_code, "东城街道", START_MS + 1).await.unwrap(), 1, "{e}");
        assert_eq!(db::regions::update(&mut tx, "nope", &new_code, "x", START_MS).await.unwrap(), 0, "{e}");
        assert_eq!(db::regions::set_active(&mut tx, "v1", false, START_MS + 2).await.unwrap(), 1, "{e}");
        tx.commit().await.unwrap();

        let mut tx = t.read().await;
        let t2 = db::regions::get(&mut tx, "t2").await.unwrap().unwrap();
        assert_eq!((t2.code.as_str(), t2.name.as_str(), &t2.path), ("331081003", "东城街道", &w.t2.path), "{e}");
        let v1 = db::regions::get(&mut tx, "v1").await.unwrap().unwrap();
        assert!(!v1.active, "{e}: switched off");
        assert_eq!(db::regions::count(&mut tx).await.unwrap(), 4, "{e}: switching off deletes nothing");

        let codes = |regions: Vec<Region>| regions.into_iter().map(|r| r.code.as_str().to_string()).collect::<Vec<_>>();
        let everything = db::regions::all_in(&mut tx, &ListFilter::All).await.unwrap();
        assert_eq!(codes(everything), ["331081", "331081001", "331081001201", "331081003"], "{e}: all_in");
        let subtree = db::regions::all_in(&mut tx, &ListFilter::Subtree(w.t1.path.clone())).await.unwrap();
        assert_eq!(codes(subtree), ["331081001", "331081001201"], "{e}: all_in subtree");
        for filter in [ListFilter::OnlyId("t1".into()), ListFilter::AtUnit("u1".into())] {
            let listed = db::regions::all_in(&mut tx, &filter).await.unwrap();
            assert_eq!(codes(listed), Vec::<String>::new(), "{e}: {filter:?} does not apply to regions");
        }
    }
}

#[tokio::test]
async fn regions_list_searches_pages_and_keeps_to_the_subtree() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.write().await;
        let county = region(&mut tx, "c", "331081", "温岭市", RegionLevel::County, None).await;
        for n in 1..=11 {
            let name = format!("第{n}镇");
            region(&mut tx, &format!("t{n}"), &format!("331081{n:03}"), &name, RegionLevel::Town, Some(&county)).await;
        }
        region(&mut tx, "t12", "331081012", "East Lake 街道", RegionLevel::Town, Some(&county)).await;
        let other = region(&mut tx, "o", "331082", "玉环市", RegionLevel::County, None).await;
        region(&mut tx, "o1", "331082001", "玉城街道", RegionLevel::Town, Some(&other)).await;
        tx.commit().await.unwrap();

        let mut tx = t.read().await;
        let tx = &mut tx;
        let (total, first) = region_codes(tx, ListFilter::All, "", page(1, 5)).await;
        assert_eq!(total, 15, "{e}: total over all pages");
        assert_eq!(first, ["331081", "331081001", "331081002", "331081003", "331081004"], "{e}: page 1");
        let (_, third) = region_codes(tx, ListFilter::All, "", page(3, 5)).await;
        assert_eq!(third, ["331081010", "331081011", "331081012", "331082", "331082001"], "{e}: page 3");
        let (total, beyond) = region_codes(tx, ListFilter::All, "", page(4, 5)).await;
        assert_eq!((total, beyond.len()), (15, 0), "{e}: past the end");

        let county_path = RegionPath::root("c");
        let (total, _) = region_codes(tx, ListFilter::Subtree(county_path.clone()), "", all()).await;
        assert_eq!(total, 13, "{e}: the county's subtree");
        let (total, items) = region_codes(tx, ListFilter::Subtree(county_path.child("t3")), "", all()).await;
        assert_eq!((total, items), (1, vec!["331081003".to_string()]), "{e}: a town's subtree is itself");

        let (total, _) = region_codes(tx, ListFilter::All, "镇", all()).await;
        assert_eq!(total, 11, "{e}: by name");
        let (total, _) = region_codes(tx, ListFilter::All, "33108100", all()).await;
        assert_eq!(total, 9, "{e}: by part of the code");
        let (_, items) = region_codes(tx, ListFilter::All, "  EAST lake ", all()).await;
        assert_eq!(items, ["331081012"], "{e}: trimmed and case-insensitive");
        let (total, items) = region_codes(tx, ListFilter::Subtree(county_path), "街道", all()).await;
        assert_eq!((total, items), (1, vec!["331081012".to_string()]), "{e}: search within a subtree");
    }
}

#[tokio::test]
async fn like_search_takes_percent_underscore_and_backslash_literally() {
    for t in engines().await {
        let e = t.engine;
        let mut tx = t.write().await;
        let county = region(&mut tx, "c", "331081", "温岭市", RegionLevel::County, None).await;
        let names = ["满意率100%村", "满意率1000村", "a_b社区", "axb社区", r"c\d村", "cxd村"];
        for (n, name) in names.iter().enumerate() {
            let code = format!("331081{:03}", n + 1);
            region(&mut tx, &format!("t{n}"), &code, name, RegionLevel::Town, Some(&county)).await;
        }
        for (id, username) in [("a", "zhang_san"), ("b", "zhangxsan"), ("c", "li%si"), ("d", "lixsi")] {
            add_user(&mut tx, id, username, Role::OfficeAdmin, ids(|s| s.region_id = Some(county.id.clone()))).await;
        }
        db::units::insert(&mut tx, "u1", &unit_input("LLZ-001", "100%覆盖联络站", "331081"), "c", START_MS)
            .await
            .unwrap();
        db::units::insert(&mut tx, "u2", &unit_input("LLZ-002", "1000覆盖联络站", "331081"), "c", START_MS)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let mut tx = t.read().await;
        for (search, expected) in [
            ("%", vec!["满意率100%村"]),
            ("100%", vec!["满意率100%村"]),
            ("_", vec!["a_b社区"]),
            ("a_b", vec!["a_b社区"]),
            (r"\", vec![r"c\d村"]),
            (r"c\d", vec![r"c\d村"]),
        ] {
            let page = db::regions::list(&mut tx, &ListFilter::All, search, all()).await.unwrap();
            let found: Vec<&str> = page.items.iter().map(|r| r.name.as_str()).collect();
            assert_eq!(found, expected, "{e}: regions matching {search:?}");
            assert_eq!(page.total, expected.len() as i64, "{e}: count matching {search:?}");
        }
        for (search, expected) in
            [("_", vec!["zhang_san"]), ("%", vec!["li%si"]), ("", vec!["li%si", "lixsi", "zhang_san", "zhangxsan"])]
        {
            let page = db::users::list(&mut tx, &ListFilter::All, search, all()).await.unwrap();
            let found: Vec<&str> = page.items.iter().map(|a| a.username.as_str()).collect();
            assert_eq!(found, expected, "{e}: users matching {search:?}");
        }
        let page = db::units::list(&mut tx, &ListFilter::All, "%覆盖", all()).await.unwrap();
        assert_eq!(page.items.iter().map(|u| u.input.code.as_str()).collect::<Vec<_>>(), ["LLZ-001"], "{e}: units");
        assert_eq!(db::like_pattern(" A%b_c\\ "), r"%a\%b\_c\\%", "the pattern itself");
    }
}

// --- units ---------------------------------------------------------------------------

#[tokio::test]
async fn units_insert_update_get_and_list_with_every_filter() {
    for t in engines().await {
        let e = t.engine;
        let w = world(&t).await;
        let mut tx = t.write().await;
        let u1 = db::units::get(&mut tx, "u1").await.unwrap().expect("u1");
        assert_eq!(
            u1.input,
            unit_input("LLZ-001", "太平街道人大代表联络站", "331081001"),
            "{e}: what went in comes out"
        );
        assert_eq!((u1.region_id.as_str(), u1.region_name.as_str()), ("t1", "太平街道"), "{e}");
        assert_eq!(u1.region_path, w.t1.path, "{e}");
        assert_eq!(u1.input.service_fields, ["交通", "教育"], "{e}: lists come back as lists");
        assert_eq!(db::units::get(&mut tx, "nope").await.unwrap(), None, "{e}");
        assert_eq!(db::units::id_by_code(&mut tx, "LLZ-002").await.unwrap().as_deref(), Some("u2"), "{e}");
        assert_eq!(db::units::id_by_code(&mut tx, "LLZ-404").await.unwrap(), None, "{e}");

        let changed = UnitInput {
            name: "太平街道代表联络总站".into(),
            service_fields: vec!["医疗".into()],
            online: true,
            active: false,
            ..unit_input("LLZ-010", "原名", "331081002")
        };
        assert_eq!(db::units::update(&mut tx, "u1", &changed, "t2", START_MS + 1).await.unwrap(), 1, "{e}");
        tx.commit().await.unwrap();
        let mut tx = t.read().await;
        let u1 = db::units::get(&mut tx, "u1").await.unwrap().expect("u1");
        assert_eq!(u1.input.code, "LLZ-010", "{e}");
        assert_eq!(u1.input.region_code, "331081002", "{e}: the region code comes from the join");
        assert_eq!((u1.input.online, u1.input.active), (true, false), "{e}");
        assert_eq!(u1.input.service_fields, ["医疗"], "{e}");
        assert_eq!(u1.region_path, w.t2.path, "{e}");
        assert_eq!(db::units::count(&mut tx).await.unwrap(), 3, "{e}");

        let codes = unit_codes;
        // Ordered by region code, then unit code.
        assert_eq!(codes(&mut tx, ListFilter::All, "").await, ["LLZ-003", "LLZ-002", "LLZ-010"], "{e}: all");
        assert_eq!(codes(&mut tx, ListFilter::Subtree(w.t1.path.clone()), "").await, ["LLZ-003"], "{e}: T1's subtree");
        assert_eq!(codes(&mut tx, ListFilter::Subtree(w.t2.path.clone()), "").await, ["LLZ-002", "LLZ-010"], "{e}: T2");
        assert_eq!(
            codes(&mut tx, ListFilter::Subtree(w.county.path.clone()), "总站").await,
            ["LLZ-010"],
            "{e}: by name"
        );
        assert_eq!(codes(&mut tx, ListFilter::OnlyId("u2".into()), "").await, ["LLZ-002"], "{e}: only one");
        assert_eq!(
            codes(&mut tx, ListFilter::AtUnit("u2".into()), "").await,
            Vec::<String>::new(),
            "{e}: AtUnit is for reps"
        );
        assert_eq!(codes(&mut tx, ListFilter::All, "llz-00").await, ["LLZ-003", "LLZ-002"], "{e}: by code, any case");
        assert_eq!(codes(&mut tx, ListFilter::All, "东门村").await, ["LLZ-003"], "{e}: by region name");
        let second = db::units::list(&mut tx, &ListFilter::All, "", page(2, 2)).await.unwrap();
        assert_eq!((second.total, second.items.len()), (3, 1), "{e}: the last page");
    }
}

// --- representatives ---------------------------------------------------------------------

#[tokio::test]
async fn representatives_keep_their_unit_links() {
    for t in engines().await {
        let e = t.engine;
        let w = world(&t).await;
        let mut tx = t.write().await;
        let r1 = db::representatives::get(&mut tx, "r1").await.unwrap().expect("r1");
        assert_eq!(sorted(&r1.unit_ids), ["u1", "u3"], "{e}: unit ids via STRING_AGG");
        assert_eq!(sorted(&r1.input.unit_codes), ["LLZ-001", "LLZ-003"], "{e}: unit codes via STRING_AGG");
        assert_eq!(r1.input.mobile.as_ref().map(|m| m.as_str()), Some("13905761234"), "{e}");
        assert_eq!((r1.region_name.as_str(), &r1.region_path), ("太平街道", &w.t1.path), "{e}");
        let expected = rep_input("DB-0001", "林秀英", "331081001", "");
        assert_eq!(
            RepresentativeInput { unit_codes: Vec::new(), ..r1.input.clone() },
            expected,
            "{e}: what went in comes out"
        );
        let r2 = db::representatives::get(&mut tx, "r2").await.unwrap().expect("r2");
        assert_eq!(r2.input.mobile, None, "{e}: no mobile stays none");
        let r3 = db::representatives::get(&mut tx, "r3").await.unwrap().expect("r3");
        assert_eq!((r3.unit_ids.len(), r3.input.unit_codes.len()), (0, 0), "{e}: no units, no empty strings");
        assert_eq!((r3.input.sector.as_str(), r3.input.level), ("经济界", None), "{e}");
        assert_eq!(db::representatives::id_by_code(&mut tx, "WY-0001").await.unwrap().as_deref(), Some("r3"), "{e}");
        assert_eq!(db::representatives::get(&mut tx, "nope").await.unwrap(), None, "{e}");

        // Moving R1 to U2 only rewrites its links.
        let moved = RepresentativeInput { title: "城东街道办事处主任".into(), ..r1.input.clone() };
        let touched = db::representatives::update(&mut tx, "r1", &moved, "t2", &["u2".into()], START_MS + 1).await;
        assert_eq!(touched.unwrap(), 1, "{e}");
        tx.commit().await.unwrap();
        let mut tx = t.read().await;
        let r1 = db::representatives::get(&mut tx, "r1").await.unwrap().expect("r1");
        assert_eq!(
            (r1.unit_ids.clone(), r1.input.unit_codes.clone()),
            (vec!["u2".into()], vec!["LLZ-002".into()]),
            "{e}"
        );
        assert_eq!((r1.input.title.as_str(), &r1.region_path), ("城东街道办事处主任", &w.t2.path), "{e}");
        assert_eq!(db::representatives::count(&mut tx).await.unwrap(), 3, "{e}");

        let codes = rep_codes;
        assert_eq!(codes(&mut tx, ListFilter::All, "").await, ["DB-0001", "DB-0002", "WY-0001"], "{e}: all, by code");
        assert_eq!(codes(&mut tx, ListFilter::Subtree(w.t2.path.clone()), "").await, ["DB-0001", "DB-0002"], "{e}: T2");
        assert_eq!(codes(&mut tx, ListFilter::Subtree(w.t1.path.clone()), "").await, Vec::<String>::new(), "{e}: T1");
        assert_eq!(codes(&mut tx, ListFilter::OnlyId("r3".into()), "").await, ["WY-0001"], "{e}: only one");
        assert_eq!(codes(&mut tx, ListFilter::AtUnit("u2".into()), "").await, ["DB-0001", "DB-0002"], "{e}: at U2");
        assert_eq!(
            codes(&mut tx, ListFilter::AtUnit("u1".into()), "").await,
            Vec::<String>::new(),
            "{e}: nobody at U1 now"
        );
        assert_eq!(codes(&mut tx, ListFilter::All, "经济").await, ["WY-0001"], "{e}: by sector");
        assert_eq!(codes(&mut tx, ListFilter::All, "db-").await, ["DB-0001", "DB-0002"], "{e}: by code, any case");
        let first = db::representatives::list(&mut tx, &ListFilter::All, "", page(1, 2)).await.unwrap();
        assert_eq!((first.total, first.items.len()), (3, 2), "{e}: a page");
    }
}

// --- departments ------------------------------------------------------------------------

#[tokio::test]
async fn departments_insert_update_get_and_list_with_every_filter() {
    for t in engines().await {
        let e = t.engine;
        let w = world(&t).await;
        let mut tx = t.write().await;
        let d1 = db::departments::get(&mut tx, "d1").await.unwrap().expect("d1");
        assert_eq!(d1.input, dept_input("BM-001", "市交通运输局", "331081", "交通,城建"), "{e}");
        assert_eq!((d1.region_name.as_str(), &d1.region_path), ("温岭市", &w.county.path), "{e}");
        assert_eq!(db::departments::id_by_code(&mut tx, "BM-002").await.unwrap().as_deref(), Some("d2"), "{e}");
        assert_eq!(db::departments::get(&mut tx, "nope").await.unwrap(), None, "{e}");
        let changed = DepartmentInput { contact_phone: "0576-86999999".into(), active: false, ..d1.input.clone() };
        assert_eq!(db::departments::update(&mut tx, "d1", &changed, "c", START_MS + 1).await.unwrap(), 1, "{e}");
        tx.commit().await.unwrap();

        let mut tx = t.read().await;
        let d1 = db::departments::get(&mut tx, "d1").await.unwrap().expect("d1");
        assert_eq!((d1.input.contact_phone.as_str(), d1.input.active), ("0576-86999999", false), "{e}");
        assert_eq!(db::departments::count(&mut tx).await.unwrap(), 2, "{e}");
        let codes = dept_codes;
        assert_eq!(codes(&mut tx, ListFilter::All, "").await, ["BM-001", "BM-002"], "{e}: all");
        assert_eq!(codes(&mut tx, ListFilter::Subtree(w.t2.path.clone()), "").await, ["BM-002"], "{e}: T2");
        assert_eq!(codes(&mut tx, ListFilter::Subtree(w.t1.path.clone()), "").await, Vec::<String>::new(), "{e}: T1");
        assert_eq!(codes(&mut tx, ListFilter::OnlyId("d1".into()), "").await, ["BM-001"], "{e}: only one");
        assert_eq!(
            codes(&mut tx, ListFilter::AtUnit("u1".into()), "").await,
            Vec::<String>::new(),
            "{e}: AtUnit is for reps"
        );
        assert_eq!(codes(&mut tx, ListFilter::All, "城建").await, ["BM-001", "BM-002"], "{e}: by field of work");
        assert_eq!(codes(&mut tx, ListFilter::All, "交通运输").await, ["BM-001"], "{e}: by name");
    }
}

// --- users ---------------------------------------------------------------------------------

#[tokio::test]
async fn users_carry_their_scope_and_list_by_subtree() {
    for t in engines().await {
        let e = t.engine;
        let w = world(&t).await;
        let mut tx = t.write().await;
        add_user(&mut tx, "a", "admin", Role::SystemAdmin, ids(|_| {})).await;
        add_user(&mut tx, "oc", "office-c", Role::OfficeAdmin, ids(|s| s.region_id = Some("c".into()))).await;
        add_user(&mut tx, "ot", "office-t1", Role::OfficeAdmin, ids(|s| s.region_id = Some("t1".into()))).await;
        add_user(&mut tx, "k", "keeper-u1", Role::UnitKeeper, ids(|s| s.unit_id = Some("u1".into()))).await;
        add_user(&mut tx, "h", "handler-d2", Role::DepartmentHandler, ids(|s| s.department_id = Some("d2".into())))
            .await;
        add_user(&mut tx, "r", "rep-r1", Role::Representative, ids(|s| s.representative_id = Some("r1".into()))).await;
        tx.commit().await.unwrap();

        let mut tx = t.write().await;
        let admin = db::users::get(&mut tx, "a").await.unwrap().expect("a");
        assert_eq!((admin.role, &admin.scope), (Role::SystemAdmin, &Scope::Everything), "{e}");
        assert_eq!((admin.scope_code.as_str(), admin.scope_name.as_str()), ("", ""), "{e}");
        assert_eq!(admin.scope.region_path().as_str(), "/", "{e}");
        let office = db::users::get(&mut tx, "ot").await.unwrap().expect("ot");
        assert_eq!(office.scope, Scope::Subtree { region_id: "t1".into(), path: w.t1.path.clone() }, "{e}");
        assert_eq!((office.scope_code.as_str(), office.scope_name.as_str()), ("331081001", "太平街道"), "{e}");
        let keeper = db::users::get(&mut tx, "k").await.unwrap().expect("k");
        assert_eq!(keeper.scope, Scope::Unit { unit_id: "u1".into(), path: w.t1.path.clone() }, "{e}");
        assert_eq!(
            (keeper.scope_code.as_str(), keeper.scope_name.as_str()),
            ("LLZ-001", "太平街道人大代表联络站"),
            "{e}"
        );
        let handler = db::users::get(&mut tx, "h").await.unwrap().expect("h");
        assert_eq!(handler.scope, Scope::Department { department_id: "d2".into(), path: w.t2.path.clone() }, "{e}");
        assert_eq!(handler.scope_code, "BM-002", "{e}");
        let rep = db::users::get(&mut tx, "r").await.unwrap().expect("r");
        assert_eq!(rep.scope, Scope::Representative { representative_id: "r1".into(), path: w.t1.path.clone() }, "{e}");
        assert_eq!((rep.scope_code.as_str(), rep.scope_name.as_str()), ("DB-0001", "林秀英"), "{e}");
        assert_eq!((rep.display_name.as_str(), rep.active), ("rep-r1 的名字", true), "{e}");

        // Update: another name, another scope, switched off.
        let scope = ids(|s| s.region_id = Some("t2".into()));
        let touched =
            db::users::update(&mut tx, "ot", "城东街道人大工委", Role::OfficeAdmin, &scope, false, START_MS + 1);
        assert_eq!(touched.await.unwrap(), 1, "{e}");
        assert_eq!(db::users::set_password(&mut tx, "ot", "hash-2", START_MS + 2).await.unwrap(), 1, "{e}");
        tx.commit().await.unwrap();

        let mut tx = t.read().await;
        let office = db::users::get(&mut tx, "ot").await.unwrap().unwrap();
        assert_eq!((office.display_name.as_str(), office.active), ("城东街道人大工委", false), "{e}");
        assert_eq!(office.scope.region_path(), w.t2.path, "{e}");
        assert_eq!(db::users::password_hash(&mut tx, "ot").await.unwrap().as_deref(), Some("hash-2"), "{e}");
        let credentials = db::users::credentials(&mut tx, "office-t1").await.unwrap();
        assert_eq!(credentials, Some(("ot".into(), "hash-2".into(), false)), "{e}");
        assert_eq!(db::users::credentials(&mut tx, "nobody").await.unwrap(), None, "{e}");
        assert_eq!(db::users::id_by_username(&mut tx, "keeper-u1").await.unwrap().as_deref(), Some("k"), "{e}");
        assert_eq!(db::users::count(&mut tx).await.unwrap(), 6, "{e}");

        let everyone = ["admin", "handler-d2", "keeper-u1", "office-c", "office-t1", "rep-r1"];
        assert_eq!(usernames(&mut tx, ListFilter::All, "").await, everyone, "{e}: all, by username");
        assert_eq!(
            usernames(&mut tx, ListFilter::Subtree(w.county.path.clone()), "").await,
            everyone[1..],
            "{e}: no sysadmin"
        );
        assert_eq!(
            usernames(&mut tx, ListFilter::Subtree(w.t1.path.clone()), "").await,
            ["keeper-u1", "rep-r1"],
            "{e}: T1"
        );
        let t2 = usernames(&mut tx, ListFilter::Subtree(w.t2.path.clone()), "").await;
        assert_eq!(t2, ["handler-d2", "office-t1"], "{e}: T2 (office-t1 moved there)");
        assert_eq!(usernames(&mut tx, ListFilter::OnlyId("k".into()), "").await, Vec::<String>::new(), "{e}");
        assert_eq!(usernames(&mut tx, ListFilter::AtUnit("u1".into()), "").await, Vec::<String>::new(), "{e}");
        assert_eq!(usernames(&mut tx, ListFilter::All, "OFFICE").await, ["office-c", "office-t1"], "{e}: by username");
        assert_eq!(usernames(&mut tx, ListFilter::All, "工委").await, ["office-t1"], "{e}: by display name");
        let second = db::users::list(&mut tx, &ListFilter::All, "", page(2, 4)).await.unwrap();
        assert_eq!((second.total, second.items.len()), (6, 2), "{e}: the last page");
    }
}
